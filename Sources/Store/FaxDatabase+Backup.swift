import FaxCore
import Foundation
import GRDB

/// Backups of the database with SQLite's online backup: a consistent copy of one moment, taken
/// while the server keeps writing (the copy is read in one read transaction of the WAL), into
/// a single file that needs no -wal or -shm next to it.
extension FaxDatabase {
    /// Writes a copy of the database to `path` (which must not exist yet). It blocks its thread
    /// for the copy (a CLI command's).
    public func backup(to path: String) throws {
        let destination = try DatabaseQueue(path: path)
        try writer.backup(to: destination)
        try destination.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
        try destination.close()
    }

    /// What a backup file holds, checked before anything is replaced: a Faxline database whose
    /// migrations this program knows (a backup of a newer Faxline cannot be restored by an
    /// older one). Returns its migrations.
    public static func inspectBackup(at path: String) throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        let source: DatabaseQueue
        do {
            source = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw BackupError.notADatabase(path: path, reason: Self.words(error))
        }
        defer { try? source.close() }
        let applied: [String]
        do {
            applied = try source.read { db -> [String] in
                guard try db.tableExists("grdb_migrations"), try db.tableExists("fax") else { return [] }
                return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            }
        } catch {
            throw BackupError.notADatabase(path: path, reason: Self.words(error))
        }
        guard !applied.isEmpty else { throw BackupError.notADatabase(path: path, reason: "it holds no Faxline data") }
        let known = Set(FaxSchema.migrator.migrations)
        let unknown = applied.filter { !known.contains($0) }
        guard unknown.isEmpty else { throw BackupError.newerVersion(path: path, migrations: unknown) }
        return applied
    }

    /// Replaces the database at `databasePath` with the backup at `backupPath` (no store may
    /// have it open: the caller holds the serve lock), then brings its schema up to date.
    public static func restore(from backupPath: String, to databasePath: String) throws {
        _ = try inspectBackup(at: backupPath)
        let fileManager = FileManager.default
        let staging = databasePath + ".restoring"
        for leftover in [staging, staging + "-wal", staging + "-shm", staging + "-journal"] { try? fileManager.removeItem(atPath: leftover) }
        var configuration = Configuration()
        configuration.readonly = true
        let source = try DatabaseQueue(path: backupPath, configuration: configuration)
        let destination = try DatabaseQueue(path: staging)
        try source.backup(to: destination)
        try destination.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
        try destination.close()
        try source.close()
        // The old database goes only once the new one is complete; its WAL must not be applied
        // to the restored file.
        for old in [databasePath + "-wal", databasePath + "-shm"] { try? fileManager.removeItem(atPath: old) }
        if rename(staging, databasePath) != 0 {
            throw BackupError.cannotReplace(path: databasePath, reason: String(cString: strerror(errno)))
        }
        _ = try FaxDatabase(path: databasePath)  // migrations of this version run now
    }
}

extension FaxDatabase {
    /// SQLite's own words ("file is not a database"), without the statement GRDB appends.
    static func words(_ error: any Error) -> String {
        (error as? DatabaseError)?.message ?? ErrorWords.describe(error)
    }
}

public enum BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADatabase(path: String, reason: String)
    case newerVersion(path: String, migrations: [String])
    case cannotReplace(path: String, reason: String)

    public var description: String {
        switch self {
        case .notADatabase(let path, let reason): "\(path) is not a Faxline backup: \(reason)"
        case .newerVersion(let path, let migrations):
            "\(path) was made by a newer Faxline (it has the migrations \(migrations.joined(separator: ", ")), which this one does not know); "
                + "install that version to restore it"
        case .cannotReplace(let path, let reason): "cannot put the restored database in place at \(path): \(reason)"
        }
    }
}
