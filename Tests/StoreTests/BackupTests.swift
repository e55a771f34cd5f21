import FaxCore
import Foundation
import GRDB
import Store
import StoreTestSupport
import Testing

/// `faxline backup` and `restore` at the store: SQLite's online backup, a file that stands on
/// its own, checks before anything is replaced.
@Suite("Store: backup and restore")
struct BackupTests {
    @Test("a backup taken while another connection writes is one consistent moment, in one file")
    func backupWhileWriting() async throws {
        let folder = try TemporaryFolder()
        let database = try folder.openDatabase()
        let faxes = try (0..<200).map { try Sample.fax(createdAt: Sample.start.addingTimeInterval(Double($0))) }
        try await database.insertFaxes(Array(faxes.prefix(100)))
        // A second connection (the server) writes the other hundred, one transaction each,
        // while the backup runs.
        let writer = try folder.openDatabase()
        let writing = Task {
            for fax in faxes.suffix(100) { try await writer.insertFax(fax) }
        }
        let file = folder.path + "/backup.sqlite"
        try database.backup(to: file)
        try await writing.value
        #expect(!FileManager.default.fileExists(atPath: file + "-wal"))
        let applied = try FaxDatabase.inspectBackup(at: file)
        #expect(applied == (try database.appliedMigrations()))
        // Whatever moment it caught, it caught whole transactions: the faxes of the backup are
        // the first n, none missing in between.
        let copy = try DatabaseQueue(path: file)
        let count = try await copy.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM fax") ?? 0 }
        #expect((100...200).contains(count))
        let times = try await copy.read { try Date.fetchAll($0, sql: "SELECT createdAt FROM fax ORDER BY createdAt") }
        #expect(times == faxes.prefix(count).map(\.createdAt))
    }

    @Test("a restore replaces the database and keeps the data; what is not a backup is refused first")
    func restore() async throws {
        let source = try TemporaryFolder()
        let database = try source.openDatabase()
        let fax = try Sample.fax()
        try await database.insertFax(fax)
        _ = try await database.addDevice(Sample.device("200"))
        let file = source.path + "/backup.sqlite"
        try database.backup(to: file)

        let target = try TemporaryFolder()
        let replaced = try target.openDatabase()
        _ = try await replaced.addDevice(Sample.device("999"))
        try FaxDatabase.restore(from: file, to: target.databasePath)
        let restored = try target.openDatabase()
        #expect(try await restored.fax(id: fax.id) == fax)
        #expect(try await restored.devices().map(\.extensionNumber) == ["200"])

        let text = source.path + "/notes.txt"
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: BackupError.notADatabase(path: text, reason: "file is not a database")) {
            try FaxDatabase.inspectBackup(at: text)
        }
        #expect(throws: BackupError.self) { try FaxDatabase.restore(from: text, to: target.databasePath) }
        let empty = source.path + "/empty.sqlite"
        _ = try DatabaseQueue(path: empty)
        #expect(throws: BackupError.notADatabase(path: empty, reason: "it holds no Faxline data")) {
            try FaxDatabase.inspectBackup(at: empty)
        }
        #expect(try await target.openDatabase().devices().map(\.extensionNumber) == ["200"], "a refused restore changes nothing")
    }

    @Test("a backup of a newer Faxline is refused by name")
    func newerBackup() async throws {
        let folder = try TemporaryFolder()
        let database = try folder.openDatabase()
        let file = folder.path + "/backup.sqlite"
        try database.backup(to: file)
        let copy = try DatabaseQueue(path: file)
        try await copy.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('from-the-future')") }
        try copy.close()
        #expect(throws: BackupError.newerVersion(path: file, migrations: ["from-the-future"])) {
            try FaxDatabase.inspectBackup(at: file)
        }
    }
}
