import FaxCore
import Foundation
import GRDB

/// The SQLite store of one Faxline data folder: devices, routing, faxes, the mail delivery
/// queue, jobs and retention. Everything outside this module reaches it through FaxCore's
/// repository protocols (``FaxStore``); `read`/`write` group several operations of one
/// repository method in one transaction.
public final class FaxDatabase: Sendable {
    /// File name inside the data folder.
    public static let fileName = "faxline.sqlite"

    let writer: any DatabaseWriter
    /// The database file; `nil` in memory.
    public let path: String?
    /// Dates what the store records on its own (a job's or fax's webhook events, the readiness
    /// probe); tests move it.
    let clock: @Sendable () -> Date

    /// Opens (creating it if needed) the database file and brings its schema up to date.
    /// The parent directory must exist.
    public convenience init(path: String, clock: @escaping @Sendable () -> Date = { Date() }) throws {
        // Created 0640 before SQLite opens it: SQLite would make it 0644, and its -wal and -shm
        // files take the database's mode. Faxes and users are not for every account on the host.
        let created = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        if created >= 0 { close(created) }
        let pool = try DatabasePool(path: path, configuration: Self.makeConfiguration())
        try self.init(writer: pool, path: path, clock: clock)
    }

    /// Opens an existing database file, as it is (no migration), for reading only (SQLite refuses every
    /// write): for tools that only look, and to show what the server does with a database it
    /// cannot write.
    public static func openReadOnly(path: String) throws -> FaxDatabase {
        var configuration = makeConfiguration()
        configuration.readonly = true
        // The mode is the file's; a reader cannot set it.
        configuration.journalMode = .default
        return FaxDatabase(queue: try DatabaseQueue(path: path, configuration: configuration), path: path)
    }

    private init(queue: DatabaseQueue, path: String) {
        writer = queue
        self.path = path
        clock = { Date() }
    }

    /// A private database in memory, for tests and previews.
    public static func inMemory() throws -> FaxDatabase {
        try FaxDatabase(writer: DatabaseQueue(configuration: makeConfiguration()), path: nil)
    }

    private init(writer: any DatabaseWriter, path: String?, clock: @escaping @Sendable () -> Date = { Date() }) throws {
        self.writer = writer
        self.path = path
        self.clock = clock
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

    /// Gives back what SQLite holds for speed — the connections' page caches, the idle reader
    /// connections — once their jobs are done, without waiting for them. For the server going
    /// quiet after calls: a fax's record, its events and its deliveries pass through the caches
    /// of every connection that touched them.
    public func releaseMemory() {
        // A DatabaseQueue (in memory, read-only tools) has one connection whose cache is the
        // database itself or not worth the wait.
        (writer as? DatabasePool)?.releaseMemoryEventually()
    }

    /// Names of the migrations applied to this database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try FaxSchema.migrator.appliedMigrations(db) }
    }

    // MARK: - Transactions

    func read<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try writer.read { db in try body(StoreTransaction(db: db, clock: clock)) }
    }

    func write<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try writer.write { db in try body(StoreTransaction(db: db, clock: clock)) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> T) async throws -> T {
        try await writer.read { db in try body(StoreTransaction(db: db, clock: clock)) }
    }

    /// Not cancelled with the task that asked for it: a change that was decided is recorded,
    /// also while the server is shutting down (an interrupted call's final record).
    func write<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> T) async throws -> T {
        let clock = clock
        return try await withCheckedThrowingContinuation { continuation in
            writer.asyncWrite({ db in try body(StoreTransaction(db: db, clock: clock)) }, completion: { _, result in continuation.resume(with: result) })
        }
    }

    /// Commits a write (`ReadinessProbe`): throws what keeps the database from taking changes.
    public func checkWritable() async throws {
        try await write { try ReadinessProbe.write($0.db, at: $0.clock()) }
    }

    /// Runs raw SQL; for tests that must prove the schema refuses bad rows.
    func executeRaw(_ sql: String, arguments: StatementArguments = []) throws {
        try writer.write { db in try db.execute(sql: sql, arguments: arguments) }
    }
}

/// The operations of the store inside one transaction (`FaxDatabase.read`/`write`).
struct StoreTransaction {
    let db: Database
    var clock: @Sendable () -> Date = { Date() }
}
