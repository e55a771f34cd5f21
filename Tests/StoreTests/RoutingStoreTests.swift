import FaxCore
import Foundation
import Testing

@testable import Store

@Suite struct RoutingStoreTests {
    /// Lives as long as the test: removing the folder earlier would pull the file from under the pool.
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    func database(with extensions: [String] = ["200", "201", "202"]) throws -> (TemporaryFolder, FaxDatabase) {
        let database = try folder.openDatabase()
        for number in extensions { _ = try database.write { try $0.addDevice(Sample.device(number, group: number == "201" ? "sales" : nil)) } }
        return (folder, database)
    }

    func positions(_ database: FaxDatabase) throws -> [Int64] {
        try database.read { try $0.routingTable() }.rules.map { $0.id! }
    }

    @Test func rulesRoundTripWithEveryField() async throws {
        let (folder, database) = try database()
        let rule = try RoutingRule(
            position: 1, didPattern: DialPattern("_49[1-5]X."), callerPattern: DialPattern("_0900!"), action: .deliver(toExtension: "201"),
            continueAfterMatch: true, isEnabled: false, description: "sales numbers")
        let stored = try await database.addRule(rule)
        let reject = try await database.addRule(try RoutingRule(position: 99, callerPattern: DialPattern("*"), action: .reject))
        #expect(reject.position == 2)
        let table = try await folder.openDatabase().routingTable()
        var expected = rule
        expected.id = stored.id
        #expect(table.rules == [expected, reject])
        #expect(table.defaultExtension == nil)
        #expect(table.flags == FaxEnableFlags())
    }

    @Test func insertMoveAndRemoveKeepPositionsContiguous() async throws {
        let (_, database) = try database()
        let a = try await database.addRule(try RoutingRule(position: 1, action: .deliver(toExtension: "200"))).id!
        let b = try await database.addRule(try RoutingRule(position: 5, action: .deliver(toExtension: "201"))).id!
        let c = try await database.addRule(try RoutingRule(position: 1, action: .reject)).id!
        #expect(try positions(database) == [c, a, b])
        try await database.moveRule(id: c, to: 3)
        #expect(try positions(database) == [a, b, c])
        try await database.moveRule(id: c, to: 1)
        #expect(try positions(database) == [c, a, b])
        try await database.moveRule(id: a, to: 50)
        #expect(try positions(database) == [c, b, a])
        try await database.removeRule(id: b)
        let table = try await database.routingTable()
        #expect(table.rules.map(\.id!) == [c, a])
        #expect(table.rules.map(\.position) == [1, 2])
        await #expect(throws: RepositoryError.notFound("routing rule \(b)")) { try await database.removeRule(id: b) }
        await #expect(throws: FaxValidationError.self) { try await database.moveRule(id: a, to: 0) }
    }

    @Test func ruleTargetsMustExist() async throws {
        let (_, database) = try database()
        await #expect(throws: RepositoryError.notFound("fax device 777")) {
            _ = try await database.addRule(try RoutingRule(action: .deliver(toExtension: "777")))
        }
        await #expect(throws: RepositoryError.notFound("fax device 777")) { try await database.setDefaultExtension("777") }
    }

    @Test func defaultRouteAndEnableFlags() async throws {
        let (folder, database) = try database()
        try await database.setDefaultExtension("202")
        try await database.setFaxingEnabled(false)
        try await database.setGroupEnabled(false, group: "sales")
        try await database.setGroupEnabled(false, group: "support")
        try await database.setGroupEnabled(true, group: "support")
        let table = try await folder.openDatabase().routingTable()
        #expect(table.defaultExtension == "202")
        #expect(table.flags == FaxEnableFlags(globallyEnabled: false, disabledGroups: ["sales"]))
        try await database.setDefaultExtension(nil)
        #expect(try await database.routingTable().defaultExtension == nil)
        await #expect(throws: FaxValidationError.self) { try await database.setGroupEnabled(false, group: "bad name") }
    }

    @Test func routerDecidesFromStoredTable() async throws {
        let (_, database) = try database()
        _ = try await database.addRule(try RoutingRule(didPattern: DialPattern("_555X"), action: .deliver(toExtension: "201")))
        try await database.setDefaultExtension("202")
        try await database.setGroupEnabled(false, group: "sales")
        let devices = try await database.devices()
        let table = try await database.routingTable()
        #expect(FaxRouter.route(InboundCall(calledExtension: "5551"), devices: devices, table: table).refusal
            == .disabledForGroup(group: "sales", extension: "201"))
        #expect(FaxRouter.route(InboundCall(calledExtension: "999"), devices: devices, table: table).devices.map(\.extensionNumber) == ["202"])
    }
}
