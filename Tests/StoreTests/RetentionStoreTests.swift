import FaxCore
import Foundation
import GRDB
import Testing

@testable import Store

@Suite struct RetentionStoreTests {
    let folder: TemporaryFolder
    let database: FaxDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try folder.openDatabase()
    }

    @Test func overridesRoundTripForDevicesAndGroups() throws {
        try database.write { transaction in
            _ = try transaction.addDevice(try Sample.device("200", group: "legal"))
            _ = try transaction.addDevice(try Sample.device("300"))
            try transaction.changeDeviceRetention(RetentionChange(days: .set(14), zeroRetention: true), extension: "300")
            try transaction.changeGroupRetention(RetentionChange(days: .set(90)), group: "legal")
        }
        var overrides = try database.read { try $0.retentionOverrides() }
        #expect(overrides.devices == ["300": try RetentionOverride(days: 14, zeroRetention: true)])
        #expect(overrides.groups == ["legal": try RetentionOverride(days: 90)])
        #expect(overrides.override(forExtension: "200") == (try RetentionOverride(days: 90)))
        // A group that only has a retention row is still enabled for routing.
        #expect(try database.read { try $0.routingTable() }.flags.disabledGroups.isEmpty)

        try database.write { transaction in
            try transaction.changeDeviceRetention(RetentionChange(zeroRetention: false), extension: "300")
            try transaction.changeGroupRetention(RetentionChange(days: .clear), group: "legal")
        }
        overrides = try database.read { try $0.retentionOverrides() }
        #expect(overrides.devices == ["300": try RetentionOverride(days: 14)])
        #expect(overrides.groups.isEmpty)
        #expect(try database.read { try $0.deviceRetention(extension: "200") } == nil)
        // The device itself is untouched by retention changes, and keeps its override across updates.
        let device = try #require(try database.read { try $0.device(extension: "300") })
        _ = try database.write { try $0.updateDevice(device.applying(FaxDevice.Changes(name: "Renamed"))) }
        #expect(try database.read { try $0.deviceRetention(extension: "300") } == (try RetentionOverride(days: 14)))
    }

    @Test func retentionUnderSevenDaysIsRefusedByModelAndSchema() throws {
        _ = try database.write { try $0.addDevice(try Sample.device("200")) }
        #expect(throws: FaxValidationError.self) {
            try database.write { try $0.changeDeviceRetention(RetentionChange(days: .set(6)), extension: "200") }
        }
        #expect(throws: DatabaseError.self) {
            try database.executeRaw("UPDATE device SET retentionDays = 3 WHERE extensionNumber = '200'")
        }
        #expect(throws: DatabaseError.self) {
            try database.executeRaw("INSERT INTO deviceGroup (name, isEnabled, retentionDays) VALUES ('x', 1, 1)")
        }
        #expect(throws: RepositoryError.self) {
            try database.write { try $0.changeDeviceRetention(RetentionChange(days: .set(8)), extension: "999") }
        }
    }

    @Test func markingRechecksThatAFaxIsNeitherOnTheLineNorUndelivered() throws {
        let done = try Sample.fax(createdAt: Sample.start)
        var pending = try Sample.fax(createdAt: Sample.start)
        pending.deliveryState = .pending
        let receiving = try Sample.fax(createdAt: Sample.start, status: .receiving)
        try database.write { transaction in
            for fax in [done, pending, receiving] { try transaction.insertFax(fax) }
        }
        let purges = [done, pending, receiving].map { FaxPurge(faxID: $0.id, scope: .record, files: []) }
        let marked = try database.write { try $0.markForPurge(purges) }
        #expect(marked.map(\.faxID) == [done.id])
        #expect(try database.read { try $0.pendingPurges(limit: 10) }.map(\.faxID) == [done.id])
        // Marked faxes are no candidates; a mark is not taken twice.
        #expect(try database.write { try $0.markForPurge(purges) }.isEmpty)
        let candidates = try database.read {
            try $0.faxRetentionCandidates(olderThan: Sample.start.addingTimeInterval(1e6), after: nil, limit: 100)
        }
        #expect(candidates.map(\.id) == [pending.id])
        try database.write { try $0.completePurges([done.id]) }
        #expect(try database.read { try $0.fax(id: done.id) } == nil)
        #expect(try database.read { try $0.pendingPurges(limit: 10) }.isEmpty)
    }

    @Test func auditEntriesNewestFirst() throws {
        try database.write { transaction in
            try transaction.appendAudit(AuditEntry(at: Sample.start, kind: .cleanup, actor: "cron", summary: "first"))
            try transaction.appendAudit(AuditEntry(at: Sample.start.addingTimeInterval(60), kind: .manualDeletion,
                                                   actor: "alice", summary: "second"))
        }
        let entries = try database.read { try $0.auditEntries() }
        #expect(entries.map(\.summary) == ["second", "first"])
        #expect(entries.map(\.kind) == [.manualDeletion, .cleanup])
        #expect(entries.first?.at == Sample.start.addingTimeInterval(60))
    }
}
