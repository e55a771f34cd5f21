import FaxCore
import StoreTestSupport
import Foundation
import Testing

/// The device repository's contract, for every store.
@Suite struct DeviceStoreTests {
    @Test(arguments: StoreKind.allCases)
    func devicesRoundTrip(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        var device = try FaxDevice(
            extensionNumber: "201", name: "Sales „Süd“", emailAddresses: ["a@example.com", "b@example.org"],
            deliveryFormat: .inline, stationID: "+49 30 201", headerText: "ACME Sales", isEnabled: false, group: "sales")
        device = try await database.addDevice(device)
        #expect(device.id != nil)
        _ = try await database.addDevice(try Sample.device("200"))
        #expect(try await database.devices().map(\.extensionNumber) == ["200", "201"])
        let reopened = try subject.reopen()
        #expect(try await reopened.device(extension: "201") == device)
        #expect(try await reopened.device(extension: "299") == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func extensionIsUnique(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        _ = try await database.addDevice(try Sample.device("200"))
        await #expect(throws: RepositoryError.conflict("a fax device with extension 200 already exists")) {
            _ = try await database.addDevice(try Sample.device("200"))
        }
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func updateAndEnable(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
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
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func invalidDeviceNeverReachesTheDatabase(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        var device = try Sample.device("200")
        device.emailAddresses = ["a@b\r\nc"]
        await #expect(throws: FaxValidationError.self) { _ = try await database.addDevice(device) }
        #expect(try await database.devices().isEmpty)
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func removingADeviceKeepsItsFaxesButNotWhileRoutesUseIt(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
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
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func extensionChangeCarriesRoutesAlong(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        let device = try await database.addDevice(Sample.device("200"))
        _ = try await database.addRule(RoutingRule(action: .deliver(toExtension: "200")))
        try await database.setDefaultExtension("200")
        var renumbered = device
        renumbered.extensionNumber = "300"
        _ = try await database.updateDevice(renumbered)
        let table = try await database.routingTable()
        #expect(table.rules.map(\.targetExtension) == ["300"])
        #expect(table.defaultExtension == "300")
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func addAndChangeTakeTheRetentionInTheSameStep(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        _ = try await database.addDevice(Sample.device("200"), retention: RetentionChange(days: .set(14)))
        #expect(try await database.deviceRetention(extension: "200") == (try RetentionOverride(days: 14)))
        let changed = try await database.changeDevice(
            extension: "200", FaxDevice.Changes(name: "Legal"), retention: RetentionChange(zeroRetention: true))
        #expect(changed.name == "Legal")
        #expect(try await database.deviceRetention(extension: "200") == (try RetentionOverride(days: 14, zeroRetention: true)))
        // A bad retention changes nothing, not even the rest.
        await #expect(throws: FaxValidationError.self) {
            _ = try await database.changeDevice(extension: "200", FaxDevice.Changes(name: "X"), retention: RetentionChange(days: .set(3)))
        }
        #expect(try await database.device(extension: "200")?.name == "Legal")
        await #expect(throws: RepositoryError.notFound("fax device 999")) {
            _ = try await database.changeDevice(extension: "999", FaxDevice.Changes(name: "X"), retention: RetentionChange())
        }
        withExtendedLifetime(subject) {}
    }
}
