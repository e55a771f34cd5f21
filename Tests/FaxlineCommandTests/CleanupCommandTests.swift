import ArgumentParser
import FaxCore
import StoreTestSupport
import Foundation
import Store
import Testing

@testable import faxline

/// `faxline cleanup`, `groups` and the retention options of `devices`, run against a data folder.
@Suite struct CleanupCommandTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    func run(_ arguments: [String]) async throws {
        try await CommandLineTests.run(Faxline.parseAsRoot(arguments + ["--data", folder.path]))
    }

    @Test func devicesAndGroupsTakeRetentionOverrides() async throws {
        try await run(["devices", "add", "200", "--name", "Legal", "--email", "l@example.com", "--group", "legal",
                       "--retention-days", "14", "--zero-retention"])
        try await run(["devices", "change", "200", "--normal-retention"])
        try await run(["groups", "retention", "legal", "--retention-days", "90"])
        let database = try folder.openDatabase()
        let overrides = try await database.retentionOverrides()
        #expect(overrides.devices["200"] == (try RetentionOverride(days: 14)))
        #expect(overrides.groups["legal"] == (try RetentionOverride(days: 90)))
        try await run(["devices", "change", "200", "--retention-days", "0"])
        #expect(try await database.deviceRetention(extension: "200") == nil)
        await #expect(throws: (any Error).self) { try await run(["devices", "change", "200", "--retention-days", "3"]) }
        await #expect(throws: (any Error).self) { try await run(["groups", "retention", "legal"]) }
        try await run(["groups", "list"])
    }

    @Test func cleanupDeletesOnlyWhatIsOlderAndWritesTheAuditLog() async throws {
        let database = try folder.openDatabase()
        let now = Date()
        let old = try Self.withoutFiles(Sample.fax(createdAt: now.addingTimeInterval(-11 * 86_400)))
        let recent = try Self.withoutFiles(Sample.fax(createdAt: now.addingTimeInterval(-9 * 86_400)))
        try await database.insertFax(old)
        try await database.insertFax(recent)
        try await run(["cleanup", "--older-than", "10d", "--dry-run"])
        #expect(try await database.fax(id: old.id) != nil)
        try await run(["cleanup", "--older-than", "10d", "--verbose"])
        #expect(try await database.fax(id: old.id) == nil)
        #expect(try await database.fax(id: recent.id) != nil)
        try await run(["cleanup", "delete-fax", recent.id])
        #expect(try await database.fax(id: recent.id) == nil)
        let audit = try await database.auditEntries(limit: 100)
        #expect(audit.map(\.kind) == [.manualDeletion, .cleanup, .cleanup])
        #expect(audit.last?.summary.hasPrefix("dry run") == true)
        try await run(["cleanup", "audit"])
        #expect(throws: (any Error).self) { try Faxline.parseAsRoot(["cleanup", "--older-than", "soon"]) }
        #expect(throws: (any Error).self) { try Faxline.parseAsRoot(["cleanup", "delete-fax", "../etc"]) }
    }

    static func withoutFiles(_ fax: FaxRecord) -> FaxRecord {
        var fax = fax
        fax.files = FaxSpoolFiles()
        return fax
    }
}
