import FaxCore
import FaxlineServer
import Foundation
import Store
import StoreTestSupport
import Testing

/// Changes to devices, routes and groups, each in the audit log — and none for a change that
/// changes nothing, or one that was refused.
@Suite("Device administration: the audit log of devices, routes and groups")
struct DeviceAdministrationTests {
    let folder: TemporaryFolder
    let database: FaxDatabase
    let administration: DeviceAdministration
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws {
        folder = try TemporaryFolder()
        database = try folder.openDatabase()
        administration = DeviceAdministration(store: database)
    }

    @Test("a change that changes nothing, and a refused one, write no entry")
    func unchangedAndRefusedChangesAreNotLogged() async throws {
        _ = try await administration.addDevice(
            try Sample.device("201", group: "sales"), retention: RetentionChange(days: .set(30)), actor: "olivia", at: now)
        let rule = try await administration.addRule(
            try RoutingRule(didPattern: DialPattern("555X"), action: .deliver(toExtension: "201")), actor: "olivia", at: now)
        let logged = try await database.auditEntries(limit: 10)
        #expect(logged.map(\.summary) == [
            "added the routing rule at position 1: DID 555X → 201",
            "added device 201 · Device 201 (mail to fax201@example.com as pdf; group sales; retention 30 days)",
        ])

        _ = try await administration.changeDevice(
            extension: "201", FaxDevice.Changes(name: "Device 201", group: .set("sales")), retention: RetentionChange(days: .set(30)),
            actor: "olivia", at: now)
        _ = try await administration.changeRule(id: try #require(rule.id), position: 1, enabled: true, actor: "olivia", at: now)
        try await administration.changeRouting(defaultExtension: nil, faxingEnabled: true, actor: "olivia", at: now)
        try await administration.changeGroup("sales", enabled: true, retention: RetentionChange(), actor: "olivia", at: now)
        try await administration.setDeviceEnabled(true, extension: "201", actor: "olivia", at: now)
        await #expect(throws: (any Error).self) {
            try await administration.changeGroup("sales", enabled: false, retention: RetentionChange(days: .set(2)), actor: "olivia", at: now)
        }
        await #expect(throws: RepositoryError.inUse("fax device 201 is the target of routing rule 1; change those first")) {
            try await administration.removeDevice(extension: "201", actor: "olivia", at: now)
        }
        await #expect(throws: RepositoryError.notFound("routing rule 99")) {
            try await administration.removeRule(id: 99, actor: "olivia", at: now)
        }
        #expect(try await database.auditEntries(limit: 10) == logged)
        #expect(try await database.routingTable().flags.disabledGroups.isEmpty, "the refused group change switched nothing")
    }

    @Test("each entry names the change, before and after, with the actor and the time")
    func entriesNameTheChange() async throws {
        _ = try await administration.addDevice(try Sample.device("201"), retention: RetentionChange(), actor: "cli:root", at: now)
        _ = try await administration.changeDevice(
            extension: "201", FaxDevice.Changes(stationID: "", headerText: "ACME Sales"), retention: RetentionChange(zeroRetention: true),
            actor: "olivia (web)", at: now.addingTimeInterval(60))
        try await administration.changeGroup("sales", enabled: nil, retention: RetentionChange(days: .set(90)), actor: "olivia (web)", at: now)
        try await administration.changeRouting(defaultExtension: .some("201"), faxingEnabled: false, actor: "olivia (web)", at: now)
        let entries = try await database.auditEntries(limit: 10)
        #expect(entries.map(\.kind) == [.deviceChanged, .routingChanged, .groupChanged, .deviceAdded], "newest first: the change is a minute later")
        #expect(entries[1].summary == "changed the routing: faxes nobody claims go to 201, faxing disabled: every fax call is refused")
        let change = try #require(entries.first { $0.kind == .deviceChanged })
        #expect(change.actor == "olivia (web)" && change.at == now.addingTimeInterval(60))
        #expect(change.summary == "changed device 201 · Device 201: station id +49 30 201 → none, page header Header 201 → ACME Sales, "
            + "retention default → zero retention")
        #expect(entries.contains { $0.summary == "changed group sales: retention default → 90 days" })
    }
}
