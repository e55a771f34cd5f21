import FaxCore
import StoreTestSupport
import Foundation
import Testing

/// The routing repository's contract, for every store.
@Suite struct RoutingStoreTests {
    func database(_ kind: StoreKind, with extensions: [String] = ["200", "201", "202"]) async throws -> StoreUnderTest {
        let subject = try kind.make()
        for number in extensions {
            _ = try await subject.store.addDevice(Sample.device(number, group: number == "201" ? "sales" : nil))
        }
        return subject
    }

    func positions(_ database: any FaxStore) async throws -> [Int64] {
        try await database.routingTable().rules.map { $0.id! }
    }

    @Test(arguments: StoreKind.allCases)
    func rulesRoundTripWithEveryField(kind: StoreKind) async throws {
        let subject = try await database(kind)
        let database = subject.store
        let rule = try RoutingRule(
            position: 1, didPattern: DialPattern("_49[1-5]X."), callerPattern: DialPattern("_0900!"), action: .deliver(toExtension: "201"),
            continueAfterMatch: true, isEnabled: false, description: "sales numbers")
        let stored = try await database.addRule(rule)
        let reject = try await database.addRule(try RoutingRule(position: 99, callerPattern: DialPattern("*"), action: .reject))
        #expect(reject.position == 2)
        let table = try await subject.reopen().routingTable()
        var expected = rule
        expected.id = stored.id
        #expect(table.rules == [expected, reject])
        #expect(table.defaultExtension == nil)
        #expect(table.flags == FaxEnableFlags())
    }

    @Test(arguments: StoreKind.allCases)
    func insertMoveAndRemoveKeepPositionsContiguous(kind: StoreKind) async throws {
        let subject = try await database(kind)
        let database = subject.store
        let a = try await database.addRule(try RoutingRule(position: 1, action: .deliver(toExtension: "200"))).id!
        let b = try await database.addRule(try RoutingRule(position: 5, action: .deliver(toExtension: "201"))).id!
        let c = try await database.addRule(try RoutingRule(position: 1, action: .reject)).id!
        #expect(try await positions(database) == [c, a, b])
        try await database.moveRule(id: c, to: 3)
        #expect(try await positions(database) == [a, b, c])
        try await database.moveRule(id: c, to: 1)
        #expect(try await positions(database) == [c, a, b])
        try await database.moveRule(id: a, to: 50)
        #expect(try await positions(database) == [c, b, a])
        try await database.removeRule(id: b)
        let table = try await database.routingTable()
        #expect(table.rules.map(\.id!) == [c, a])
        #expect(table.rules.map(\.position) == [1, 2])
        await #expect(throws: RepositoryError.notFound("routing rule \(b)")) { try await database.removeRule(id: b) }
        await #expect(throws: FaxValidationError.self) { try await database.moveRule(id: a, to: 0) }
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func ruleTargetsMustExist(kind: StoreKind) async throws {
        let subject = try await database(kind)
        let database = subject.store
        await #expect(throws: RepositoryError.notFound("fax device 777")) {
            _ = try await database.addRule(try RoutingRule(action: .deliver(toExtension: "777")))
        }
        await #expect(throws: RepositoryError.notFound("fax device 777")) { try await database.setDefaultExtension("777") }
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func defaultRouteAndEnableFlags(kind: StoreKind) async throws {
        let subject = try await database(kind)
        let database = subject.store
        try await database.setDefaultExtension("202")
        try await database.setFaxingEnabled(false)
        try await database.setGroupEnabled(false, group: "sales")
        try await database.setGroupEnabled(false, group: "support")
        try await database.setGroupEnabled(true, group: "support")
        let table = try await subject.reopen().routingTable()
        #expect(table.defaultExtension == "202")
        #expect(table.flags == FaxEnableFlags(globallyEnabled: false, disabledGroups: ["sales"]))
        try await database.setDefaultExtension(nil)
        #expect(try await database.routingTable().defaultExtension == nil)
        await #expect(throws: FaxValidationError.self) { try await database.setGroupEnabled(false, group: "bad name") }
    }

    @Test(arguments: StoreKind.allCases)
    func routerDecidesFromStoredTable(kind: StoreKind) async throws {
        let subject = try await database(kind)
        let database = subject.store
        _ = try await database.addRule(try RoutingRule(didPattern: DialPattern("_555X"), action: .deliver(toExtension: "201")))
        try await database.setDefaultExtension("202")
        try await database.setGroupEnabled(false, group: "sales")
        let devices = try await database.devices()
        let table = try await database.routingTable()
        #expect(FaxRouter.route(InboundCall(calledExtension: "5551"), devices: devices, table: table).refusal
            == .disabledForGroup(group: "sales", extension: "201"))
        #expect(FaxRouter.route(InboundCall(calledExtension: "999"), devices: devices, table: table).devices.map(\.extensionNumber) == ["202"])
        withExtendedLifetime(subject) {}
    }
}
