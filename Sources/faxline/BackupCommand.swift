import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation
import Store

/// `faxline backup FILE`: a consistent copy of the database while the server runs (SQLite's
/// online backup), and with `--with-spool DIR` the spool's files too.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database, and the spool's files, while the server runs.",
        discussion: """
            The database copy is one consistent moment, taken while the server keeps working. \
            With --with-spool the fax files follow (no cleanup runs meanwhile), so that every file \
            the copy names is there. Restore with faxline restore.
            Examples:
              faxline backup /srv/backup/faxline-$(date +%F).sqlite
              faxline backup /srv/backup/faxline.sqlite --with-spool /srv/backup/spool
            """)

    @Argument(help: ArgumentHelp("The file to write the database to.", valueName: "file")) var file: String
    @Option(name: .customLong("with-spool"), help: ArgumentHelp("Also copy the spool's files into this new or empty folder.", valueName: "dir"))
    var spool: String?
    @Flag(help: "Replace the file if it exists.") var force = false
    @OptionGroup var data: DataOptions

    func run() async throws {
        let database = try data.openDatabase()
        let configuration = try CleanupCommand.loadConfiguration(data)
        if FileManager.default.fileExists(atPath: file) && !force {
            throw CommandFailure("\(file) exists; give --force to replace it")
        }
        let spoolCopy: SpoolBackup.Tally?
        do {
            if let spool { try SpoolBackup.requireEmptyFolder(spool) }
            spoolCopy = try await SpoolBackup.withCleanupHeldOff(dataDirectory: data.directory) {
                let partial = file + ".partial"
                try? FileManager.default.removeItem(atPath: partial)
                do {
                    try database.backup(to: partial)
                } catch {
                    try? FileManager.default.removeItem(atPath: partial)
                    throw CommandFailure("cannot write \(file): \(ErrorWords.describe(error))")
                }
                if rename(partial, file) != 0 {
                    throw CommandFailure("cannot write \(file): \(String(cString: strerror(errno)))")
                }
                return try spool.map { try SpoolBackup.copy(from: configuration.spoolDirectory, to: $0) }
            }
        } catch let error as SpoolBackupError {
            throw CommandFailure(error.description)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
        var summary = "database to \(file) (\(Self.megabytes(size)))"
        if let spool, let spoolCopy {
            summary += "; spool to \(spool) (\(Plural.count(spoolCopy.files, "file")), \(Self.megabytes(spoolCopy.bytes)))"
        }
        try await database.appendAudit(AuditEntry(at: Date(), kind: .backup, actor: CleanupCommand.actor, summary: summary))
        print("Backed up the \(summary).")
        if spool == nil {
            print("The spool (\(configuration.spoolDirectory)) is not in it: give --with-spool DIR, or copy it with rsync after this.")
        }
    }

    static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}

/// `faxline restore FILE`: puts a backup's database in place while no server runs.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup made by faxline backup in place (the server must be stopped).",
        discussion: """
            Checks that the file is a Faxline backup this version can read, replaces the data \
            folder's database with it and brings its schema up to date. With --spool-from the \
            backup's fax files are copied into the spool. Run faxline cleanup afterwards: it \
            drops records whose files are missing and files no record knows.
            """)

    @Argument(help: ArgumentHelp("The backup file.", valueName: "file")) var file: String
    @Option(name: .customLong("spool-from"), help: ArgumentHelp("Copy the fax files of a backup's spool folder back.", valueName: "dir"))
    var spool: String?
    @Flag(help: "Replace the database that is there now.") var force = false
    @OptionGroup var data: DataOptions

    func run() async throws {
        guard FileManager.default.isReadableFile(atPath: file) else { throw CommandFailure("cannot read \(file)") }
        do {
            _ = try FaxDatabase.inspectBackup(at: file)
        } catch let error as BackupError {
            throw CommandFailure(error.description)
        }
        if FileManager.default.fileExists(atPath: data.databasePath) && !force {
            throw CommandFailure("\(data.directory) holds a database already; --force replaces it (back it up first: faxline backup FILE)")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: data.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw CommandFailure("cannot create the data folder \(data.directory): \(ErrorWords.describe(error))")
        }
        // No server may start (or run) on the database while it is replaced.
        let lock: ServeLock
        do {
            lock = try ServeLock.acquire(dataDirectory: data.directory, what: "faxline restore")
        } catch {
            throw CommandFailure(error.description)
        }
        defer { withExtendedLifetime(lock) {} }
        do {
            try FaxDatabase.restore(from: file, to: data.databasePath)
        } catch let error as BackupError {
            throw CommandFailure(error.description)
        }
        var summary = "database from \(file)"
        if let spool {
            let spoolRoot = try CleanupCommand.loadConfiguration(data).spoolDirectory
            do {
                let tally = try SpoolBackup.copy(from: spool, to: spoolRoot, replacing: true)
                summary += "; \(Plural.count(tally.files, "spool file")) from \(spool)"
            } catch let error as SpoolBackupError {
                throw CommandFailure(error.description)
            }
        }
        try await data.openDatabase().appendAudit(AuditEntry(at: Date(), kind: .restore, actor: CleanupCommand.actor, summary: summary))
        print("Restored the \(summary). Start the server, then run faxline cleanup to tidy up what the backup did not have.")
    }
}
