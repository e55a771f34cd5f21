import FaxCore
import Foundation
import Testing

@testable import Store

@Suite struct DeviceStoreTests {
    /// Lives as long as the test: removing the folder earlier would pull the file from under the pool.
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    @Test func devicesRoundTripThroughAFile() async throws {
        let database = try folder.openDatabase()
        var device = try FaxDevice(
            extensionNumber: "201", name: "Sales „Süd“", emailAddresses: ["a@example.com", "b@example.org"],
            deliveryFormat: .inline, stationID: "+49 30 201", headerText: "ACME Sales", isEnabled: false, group: "sales")
        device = try await database.addDevice(device)
        #expect(device.id != nil)
        _ = try await database.addDevice(try Sample.device("200"))
        #expect(try await database.devices().map(\.extensionNumber) == ["200", "201"])
        let reopened = try folder.openDatabase()
        #expect(try await reopened.device(extension: "201") == device)
        #expect(try await reopened.device(extension: "299") == nil)
    }

    @Test func extensionIsUnique() async throws {
        let database = try folder.openDatabase()
        _ = try await database.addDevice(try Sample.device("200"))
        await #expect(throws: RepositoryError.conflict("a fax device with extension 200 already exists")) {
            _ = try await database.addDevice(try Sample.device("200"))
        }
    }

    @Test func updateAndEnable() async throws {
        let database = try folder.openDatabase()
        let stored = try await database.addDevice(try Sample.device("200"))
        var changed = try stored.applying(FaxDevice.Changes(name: "Reception", emailAddresses: ["r@example.com"], group: .set("front")))
        changed = try await database.updateDevice(changed)
        #expect(try await database.device(extension: "200") == changed)
        try await database.setDeviceEnabled(false, extension: "200")
        #expect(try await database.device(extension: "200")?.isEnabled == false)
        await #expect(throws: RepositoryError.notFound("fax device 999")) {
            try await database.setDeviceEnabled(true, extension: "999")
        }
        var ghost = changed
        ghost.id = 9999
        await #expect(throws: RepositoryError.self) { _ = try await database.updateDevice(ghost) }
    }

    @Test func invalidDeviceNeverReachesTheDatabase() async throws {
        let database = try folder.openDatabase()
        var device = try Sample.device("200")
        device.emailAddresses = ["a@b\r\nc"]
        await #expect(throws: FaxValidationError.self) { _ = try await database.addDevice(device) }
        #expect(try await database.devices().isEmpty)
    }

    @Test func removingADeviceKeepsItsFaxesButNotWhileRoutesUseIt() async throws {
        let database = try folder.openDatabase()
        _ = try await database.addDevice(try Sample.device("200"))
        _ = try await database.addDevice(try Sample.device("201"))
        let fax = try Sample.fax(extensions: ["200"])
        try await database.insertFax(fax)
        let rule = try await database.addRule(try RoutingRule(action: .deliver(toExtension: "200")))
        try await database.setDefaultExtension("200")

        await #expect(throws: RepositoryError.inUse("fax device 200 is the target of routing rule \(rule.id!) and the default route; change those first")) {
            try await database.removeDevice(extension: "200")
        }
        try await database.removeRule(id: rule.id!)
        try await database.setDefaultExtension("201")
        try await database.removeDevice(extension: "200")
        #expect(try await database.device(extension: "200") == nil)
        #expect(try await database.fax(id: fax.id) == fax)
        await #expect(throws: RepositoryError.notFound("fax device 200")) { try await database.removeDevice(extension: "200") }
    }

    @Test func extensionChangeCarriesRoutesAlong() throws {
        let database = try folder.openDatabase()
        let device = try database.write { try $0.addDevice(Sample.device("200")) }
        _ = try database.write { try $0.addRule(RoutingRule(action: .deliver(toExtension: "200"))) }
        try database.write { try $0.setDefaultExtension("200") }
        var renumbered = device
        renumbered.extensionNumber = "300"
        _ = try database.write { try $0.updateDevice(renumbered) }
        let table = try database.read { try $0.routingTable() }
        #expect(table.rules.map(\.targetExtension) == ["300"])
        #expect(table.defaultExtension == "300")
    }
}
