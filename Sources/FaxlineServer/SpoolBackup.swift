import FaxCore
import Foundation

/// The spool's half of a backup: the files records point at (`in/`, `out/`; not `tmp/`, whose
/// files belong to calls in progress). Copied after the database, while no cleanup can run, so
/// that every file the database copy names is in the spool copy (files added meanwhile are
/// extra, and the orphan sweep removes them after a restore).
public enum SpoolBackup {
    /// What was copied.
    public struct Tally: Sendable, Equatable {
        public var files = 0
        public var bytes: Int64 = 0
    }

    /// Runs `body` while no cleanup can start (the cleanup lock is held); throws when one runs.
    public static func withCleanupHeldOff<T>(dataDirectory: String, _ body: () async throws -> T) async throws -> T {
        let path = dataDirectory + "/" + SpoolCleaner.lockFileName
        let taken: FileLock?
        do {
            taken = try FileLock.acquire(path: path)
        } catch .unavailable(let path, let reason) {
            throw CleanupError.lockUnavailable(path: path, reason: reason)
        }
        guard let lock = taken else { throw SpoolBackupError.cleanupRunning }
        defer { withExtendedLifetime(lock) {} }
        return try await body()
    }

    /// Copies `in/` and `out/` of the spool at `root` into `destination` (created; it must be
    /// empty or absent). Existing files in a restore's target are replaced.
    @discardableResult
    public static func copy(from root: String, to destination: String, replacing: Bool = false) throws -> Tally {
        var tally = Tally()
        for folder in SpoolCleaner.sweptFolders {
            try copyTree(root + "/" + folder, to: destination + "/" + folder, replacing: replacing, tally: &tally)
        }
        return tally
    }

    /// Fails unless `path` is absent or an empty folder.
    public static func requireEmptyFolder(_ path: String) throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw SpoolBackupError.notAFolder(path) }
            return
        }
        guard names.isEmpty else { throw SpoolBackupError.folderNotEmpty(path) }
    }

    private static func copyTree(_ source: String, to destination: String, replacing: Bool, tally: inout Tally) throws {
        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: source) else { return }
        do {
            try fileManager.createDirectory(atPath: destination, withIntermediateDirectories: true)
        } catch {
            throw SpoolBackupError.cannotCopy(destination, ErrorWords.describe(error))
        }
        for name in names.sorted() {
            let from = source + "/" + name
            let to = destination + "/" + name
            var info = stat()
            guard lstat(from, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                try copyTree(from, to: to, replacing: replacing, tally: &tally)
            case S_IFREG:
                if replacing, fileManager.fileExists(atPath: to) { try? fileManager.removeItem(atPath: to) }
                do {
                    try fileManager.copyItem(atPath: from, toPath: to)
                } catch {
                    throw SpoolBackupError.cannotCopy(from, ErrorWords.describe(error))
                }
                tally.files += 1
                tally.bytes += Int64(info.st_size)
            default:
                continue  // links and the like are not the spool's
            }
        }
    }
}

public enum SpoolBackupError: Error, Sendable, Equatable, CustomStringConvertible {
    case cleanupRunning
    case notAFolder(String)
    case folderNotEmpty(String)
    case cannotCopy(String, String)

    public var description: String {
        switch self {
        case .cleanupRunning: "a cleanup is running; try again when it has finished"
        case .notAFolder(let path): "\(path) is not a folder"
        case .folderNotEmpty(let path): "\(path) is not empty; give a new or empty folder"
        case .cannotCopy(let path, let reason): "cannot copy \(path): \(reason)"
        }
    }
}
