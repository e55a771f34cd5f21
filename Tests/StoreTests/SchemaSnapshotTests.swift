import Foundation
import GRDB
import Synchronization
import Testing

@testable import Store

/// A shipped migration is never edited: databases in the field have run it already, and an
/// edit would leave them different from new ones. The SQL each migration runs is checked in
/// (Fixtures/migrations.sql); a new migration appends its section there.
@Suite struct SchemaSnapshotTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/migrations.sql")

    @Test func everyShippedMigrationRunsTheSQLItShippedWith() throws {
        let current = try Self.migrationSQL()
        // Appending a new migration's section: FAXLINE_RECORD_MIGRATIONS=1 writes the file; review
        // the diff — only a new section at the end may appear.
        if ProcessInfo.processInfo.environment["FAXLINE_RECORD_MIGRATIONS"] == "1" {
            try current.write(to: Self.fixture, atomically: true, encoding: .utf8)
        }
        let shipped = try String(contentsOf: Self.fixture, encoding: .utf8)
        #expect(current == shipped, """
            The migrations' SQL differs from \(Self.fixture.path). Never change a shipped migration; \
            add a new one and append its section (this is the SQL now):
            \(current)
            """)
    }

    /// The statements each migration executes, in order, one section per migration.
    static func migrationSQL() throws -> String {
        let statements = StatementLog()
        var configuration = FaxDatabase.makeConfiguration()
        configuration.prepareDatabase { db in
            db.trace { event in
                guard case .statement(let statement) = event else { return }
                statements.lines.withLock { $0.append(statement.sql) }
            }
        }
        let queue = try DatabaseQueue(configuration: configuration)
        var sections: [String] = []
        for migration in FaxSchema.migrator.migrations {
            statements.lines.withLock { $0.removeAll() }
            try FaxSchema.migrator.migrate(queue, upTo: migration)
            let own = statements.lines.withLock { $0 }.filter(Self.belongsToTheMigration)
            sections.append("-- migration: \(migration)\n" + own.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) + ";" }.joined(separator: "\n"))
        }
        return sections.joined(separator: "\n\n") + "\n"
    }

    /// GRDB's own bookkeeping (transactions, its migrations table, checks) is not the migration.
    static func belongsToTheMigration(_ sql: String) -> Bool {
        let text = sql.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        let bookkeeping = ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA", "SELECT"]
        return !bookkeeping.contains { text.hasPrefix($0) } && !text.contains("GRDB_MIGRATIONS")
    }
}

/// The statements a connection ran, as its trace reported them.
private final class StatementLog: Sendable {
    let lines = Mutex<[String]>([])
}
