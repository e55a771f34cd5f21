import FaxCore
import Foundation
import GRDB

/// The SQLite database of one Faxline data folder: devices, routing, faxes and the mail
/// delivery queue. It implements FaxCore's repository protocols; `read`/`write` group several
/// operations in one transaction.
public final class FaxDatabase: Sendable {
    /// File name inside the data folder.
    public static let fileName = "faxline.sqlite"

    let writer: any DatabaseWriter
    /// The database file; `nil` in memory.
    public let path: String?

    /// Opens (creating it if needed) the database file and brings its schema up to date.
    /// The parent directory must exist.
    public convenience init(path: String) throws {
        let pool = try DatabasePool(path: path, configuration: Self.makeConfiguration())
        try self.init(writer: pool, path: path)
    }

    /// A private database in memory, for tests and previews.
    public static func inMemory() throws -> FaxDatabase {
        try FaxDatabase(writer: DatabaseQueue(configuration: makeConfiguration()), path: nil)
    }

    private init(writer: any DatabaseWriter, path: String?) throws {
        self.writer = writer
        self.path = path
        try FaxSchema.migrator.migrate(writer)
    }

    static func makeConfiguration() -> Configuration {
        var configuration = Configuration()
        configuration.label = "faxline"
        configuration.foreignKeysEnabled = true
        // The CLI, the daemon and (later) other nodes' tools share the file: wait for a
        // writer rather than failing at once.
        configuration.busyMode = .timeout(10)
        configuration.journalMode = .wal
        return configuration
    }

    /// Names of the migrations applied to this database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try FaxSchema.migrator.appliedMigrations(db) }
    }

    // MARK: - Transactions

    public func read<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try writer.read { db in try body(StoreTransaction(db: db)) }
    }

    public func write<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try writer.write { db in try body(StoreTransaction(db: db)) }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> T) async throws -> T {
        try await writer.read { db in try body(StoreTransaction(db: db)) }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> T) async throws -> T {
        try await writer.write { db in try body(StoreTransaction(db: db)) }
    }

    /// Runs raw SQL; for tests that must prove the schema refuses bad rows.
    func executeRaw(_ sql: String, arguments: StatementArguments = []) throws {
        try writer.write { db in try db.execute(sql: sql, arguments: arguments) }
    }
}

/// The operations of the store inside one transaction (`FaxDatabase.read`/`write`).
public struct StoreTransaction {
    let db: Database
}
