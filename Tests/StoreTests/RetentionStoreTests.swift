import FaxCore
import StoreTestSupport
import Foundation
import GRDB
import Testing

@testable import Store

/// The retention repository's contract, for every store (and the schema's own checks).
@Suite struct RetentionStoreTests {
    @Test(arguments: StoreKind.allCases)
    func overridesRoundTripForDevicesAndGroups(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        _ = try await database.addDevice(try Sample.device("200", group: "legal"))
        _ = try await database.addDevice(try Sample.device("300"))
        try await database.changeDeviceRetention(RetentionChange(days: .set(14), zeroRetention: true), extension: "300")
        try await database.changeGroupRetention(RetentionChange(days: .set(90)), group: "legal")
        var overrides = try await database.retentionOverrides()
        #expect(overrides.devices == ["300": try RetentionOverride(days: 14, zeroRetention: true)])
        #expect(overrides.groups == ["legal": try RetentionOverride(days: 90)])
        #expect(overrides.override(forExtension: "200") == (try RetentionOverride(days: 90)))
        #expect(try await database.groupRetentions() == [GroupRetention(group: "legal", override: try RetentionOverride(days: 90))])
        // A group that only has a retention row is still enabled for routing.
        #expect(try await database.routingTable().flags.disabledGroups.isEmpty)

        try await database.changeDeviceRetention(RetentionChange(zeroRetention: false), extension: "300")
        try await database.changeGroupRetention(RetentionChange(days: .clear), group: "legal")
        overrides = try await database.retentionOverrides()
        #expect(overrides.devices == ["300": try RetentionOverride(days: 14)])
        #expect(overrides.groups.isEmpty)
        #expect(try await database.deviceRetention(extension: "200") == nil)
        // The device itself is untouched by retention changes, and keeps its override across updates.
        let device = try #require(try await database.device(extension: "300"))
        _ = try await database.updateDevice(device.applying(FaxDevice.Changes(name: "Renamed")))
        #expect(try await database.deviceRetention(extension: "300") == (try RetentionOverride(days: 14)))
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func retentionUnderSevenDaysIsRefused(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        _ = try await database.addDevice(try Sample.device("200"))
        await #expect(throws: FaxValidationError.self) {
            try await database.changeDeviceRetention(RetentionChange(days: .set(6)), extension: "200")
        }
        await #expect(throws: RepositoryError.self) {
            try await database.changeDeviceRetention(RetentionChange(days: .set(8)), extension: "999")
        }
        withExtendedLifetime(subject) {}
    }

    @Test func theSchemaRefusesRetentionUnderSevenDaysToo() async throws {
        let database = try FaxDatabase.inMemory()
        _ = try await database.addDevice(try Sample.device("200"))
        #expect(throws: DatabaseError.self) {
            try database.executeRaw("UPDATE device SET retentionDays = 3 WHERE extensionNumber = '200'")
        }
        #expect(throws: DatabaseError.self) {
            try database.executeRaw("INSERT INTO deviceGroup (name, isEnabled, retentionDays) VALUES ('x', 1, 1)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func markingRechecksThatAFaxIsNeitherOnTheLineNorUndelivered(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        let done = try Sample.fax(createdAt: Sample.start)
        var pending = try Sample.fax(createdAt: Sample.start)
        pending.deliveryState = .pending
        let receiving = try Sample.fax(createdAt: Sample.start, status: .receiving)
        try await database.insertFaxes([done, pending, receiving])
        #expect(try await database.inFlightFaxIDs() == [receiving.id])
        let purges = [done, pending, receiving].map { FaxPurge(faxID: $0.id, scope: .record, files: []) }
        let marked = try await database.markForPurge(purges)
        #expect(marked.map(\.faxID) == [done.id])
        #expect(try await database.pendingPurges(limit: 10).map(\.faxID) == [done.id])
        // Marked faxes are no candidates; a mark is not taken twice.
        #expect(try await database.markForPurge(purges).isEmpty)
        let candidates = try await database.faxRetentionCandidates(
            olderThan: Sample.start.addingTimeInterval(1e6), after: nil, limit: 100)
        #expect(candidates.map(\.id) == [pending.id])
        try await database.completePurges([done.id])
        #expect(try await database.fax(id: done.id) == nil)
        #expect(try await database.pendingPurges(limit: 10).isEmpty)
        // By hand: refused on the line and, unless forced, while undelivered.
        await #expect(throws: RepositoryError.self) { _ = try await database.markForManualPurge(faxID: receiving.id, evenIfUndelivered: true) }
        await #expect(throws: RepositoryError.self) { _ = try await database.markForManualPurge(faxID: pending.id, evenIfUndelivered: false) }
        #expect(try await database.markForManualPurge(faxID: pending.id, evenIfUndelivered: true).faxID == pending.id)
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func filesRecordsNameAndFilesThatWentMissing(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        let fax = try Sample.fax()
        try await database.insertFax(fax)
        let paths = ["in/2026/x.tif", "in/2026/x.pdf", "in/2026/other.tif"]
        #expect(try await database.referencedSpoolPaths(paths, excludingFaxIDs: []) == ["in/2026/x.tif", "in/2026/x.pdf"])
        #expect(try await database.referencedSpoolPaths(paths, excludingFaxIDs: [fax.id]).isEmpty)
        #expect(try await database.faxFiles(after: nil, limit: 10) == [FaxFileList(faxID: fax.id, files: [
            try SpoolPath("in/2026/x.tif"), try SpoolPath("in/2026/x.pdf"), try SpoolPath("in/2026/x.png"),
        ])])
        try await database.forgetMissingFile(faxID: fax.id, path: try SpoolPath("in/2026/x.png"), note: "file gone")
        let changed = try #require(try await database.fax(id: fax.id))
        #expect(changed.files.thumbnail == nil && changed.files.tiff != nil)
        #expect(changed.events.contains { $0.text == "file gone" })
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func auditEntriesNewestFirst(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        try await database.appendAudit(AuditEntry(at: Sample.start, kind: .cleanup, actor: "cron", summary: "first"))
        try await database.appendAudit(AuditEntry(at: Sample.start.addingTimeInterval(60), kind: .manualDeletion,
                                                  actor: "alice", summary: "second"))
        let entries = try await database.auditEntries(limit: 100)
        #expect(entries.map(\.summary) == ["second", "first"])
        #expect(entries.map(\.kind) == [.manualDeletion, .cleanup])
        #expect(entries.first?.at == Sample.start.addingTimeInterval(60))
        #expect(try await database.auditEntries(limit: 1).count == 1)
        withExtendedLifetime(subject) {}
    }
}
