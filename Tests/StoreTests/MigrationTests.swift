import FaxCore
import StoreTestSupport
import Foundation
import GRDB
import Testing

@testable import Store

@Suite struct MigrationTests {
    /// Every migration, in the order a new database runs them.
    static let allMigrations = [
        "v1", "retention", "outbound-jobs", "users", "job-kill-time", "list-paging", "print-mail-notices", "hooks-webhooks",
        "metrics-readiness-probe", "web-app", "report-job-reports", "mailtag-job-tag", "book-contacts",
    ]

    /// Lives as long as the test: removing the folder earlier would pull the file from under the pool.
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    @Test func freshFileGetsTheSchemaAndReopenKeepsData() throws {
        do {
            let database = try folder.openDatabase()
            #expect(try database.appliedMigrations() == Self.allMigrations)
            _ = try database.write { try $0.addDevice(Sample.device("200")) }
        }
        #expect(FileManager.default.fileExists(atPath: folder.databasePath))
        let reopened = try folder.openDatabase()
        #expect(try reopened.appliedMigrations() == Self.allMigrations)
        #expect(try reopened.read { try $0.devices() }.map(\.extensionNumber) == ["200"])
    }

    @Test func connectionSettings() throws {
        let database = try folder.openDatabase()
        let pool = try DatabasePool(path: folder.databasePath, configuration: FaxDatabase.makeConfiguration())
        let settings = try pool.read { db in
            (
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                foreignKeys: try Int.fetchOne(db, sql: "PRAGMA foreign_keys"),
                busyTimeout: try Int.fetchOne(db, sql: "PRAGMA busy_timeout"),
                foreignKeyViolations: try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count
            )
        }
        #expect(settings.journalMode == "wal")
        #expect(settings.foreignKeys == 1)
        #expect(settings.busyTimeout == 10_000)
        #expect(settings.foreignKeyViolations == 0)
        _ = database
    }

    @Test func inMemoryDatabaseWorksForQuickUse() throws {
        let database = try FaxDatabase.inMemory()
        #expect(database.path == nil)
        #expect(try database.appliedMigrations() == Self.allMigrations)
    }

    @Test("mailtag-job-tag: jobs queued before it have no tag; the column refuses what JobTag refuses")
    func jobTagMigration() throws {
        let queue = try DatabaseQueue(configuration: FaxDatabase.makeConfiguration())
        try FaxSchema.migrator.migrate(queue, upTo: "report-job-reports")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO job (broadcastId, number, documentPath, pageCount, nextPage, priority, maxTries, maxDials,
                                 submittedAt, notBefore, killAt, sender, state)
                VALUES ('b', '5550100', 'out/b.tif', 1, 1, 127, 3, 12,
                        '2026-12-01 10:00:00.000', '2026-12-01 10:00:00.000', '2026-12-01 13:00:00.000', '{"stationID":""}', 'queued')
                """)
        }
        try FaxSchema.migrator.migrate(queue)
        try queue.write { db in
            let row = try #require(try JobRow.fetchOne(db))
            #expect(row.tag == nil)
            #expect(try row.model().tag == nil)
            try db.execute(sql: "UPDATE job SET tag = 'Offer 4711'")
            #expect(try JobRow.fetchOne(db)?.model().tag?.text == "Offer 4711")
            for bad in ["''", "'\(String(repeating: "t", count: 51))'", "'a' || char(7) || 'b'", "'a' || char(127)"] {
                #expect(throws: DatabaseError.self, "\(bad)") { try db.execute(sql: "UPDATE job SET tag = \(bad)") }
            }
            #expect(try db.indexes(on: "job").contains { $0.name == "job_on_tag" })
        }
    }
}
