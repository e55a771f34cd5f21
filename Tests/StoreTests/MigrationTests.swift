import FaxCore
import StoreTestSupport
import Foundation
import GRDB
import Testing

@testable import Store

@Suite struct MigrationTests {
    /// Lives as long as the test: removing the folder earlier would pull the file from under the pool.
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    @Test func freshFileGetsTheSchemaAndReopenKeepsData() throws {
        do {
            let database = try folder.openDatabase()
            #expect(try database.appliedMigrations() == ["v1", "retention", "outbound-jobs", "users", "job-kill-time", "list-paging", "print-mail-notices",
                                                           "hooks-webhooks", "metrics-readiness-probe", "web-app", "report-job-reports", "book-contacts"])
            _ = try database.write { try $0.addDevice(Sample.device("200")) }
        }
        #expect(FileManager.default.fileExists(atPath: folder.databasePath))
        let reopened = try folder.openDatabase()
        #expect(try reopened.appliedMigrations() == ["v1", "retention", "outbound-jobs", "users", "job-kill-time", "list-paging", "print-mail-notices",
                                                           "hooks-webhooks", "metrics-readiness-probe", "web-app", "report-job-reports", "book-contacts"])
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
        #expect(try database.appliedMigrations() == ["v1", "retention", "outbound-jobs", "users", "job-kill-time", "list-paging", "print-mail-notices",
                                                           "hooks-webhooks", "metrics-readiness-probe", "web-app", "report-job-reports", "book-contacts"])
    }
}
