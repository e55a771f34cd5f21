import FaxCore
import Foundation

/// Where fax files live under the spool root. Paths handed to the store are relative to the
/// root (DESIGN: the spool can move or be shared storage); files being written live in `tmp/`
/// and are renamed into place, so a crash never leaves a half-written file where a record
/// could point.
public struct Spool: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public var temporaryDirectory: String { root + "/tmp" }

    /// `in/2026/11/23/<id>` (without extension) for a fax received at `date`.
    public func incomingBase(faxID: String, at date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "in/%04d/%02d/%02d/%@", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, faxID)
    }

    public func absolute(_ relative: String) -> String { root + "/" + relative }

    public func temporaryFile(_ name: String) -> String { temporaryDirectory + "/" + name }

    /// Creates the folders the server writes to (0750: faxes are for the server's user and group).
    public func prepare() throws {
        for folder in [root, temporaryDirectory, root + "/in"] {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: FilePermissions.folderMode])
        }
    }

    /// Moves a finished temporary file to its place in the spool (mode 0640, whoever wrote it),
    /// creating folders as needed. The file's data and its new name are on the disk when this
    /// returns (the file synced before the rename, its folder after it): the record committed
    /// next must never point at a file a power cut left empty or unnamed — a received fax
    /// exists nowhere else once the caller has hung up.
    public func place(_ temporary: String, at relative: String) throws -> SpoolPath {
        let path = try SpoolPath(relative)
        let destination = absolute(relative)
        let folder = (destination as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: FilePermissions.folderMode])
        guard chmod(temporary, FilePermissions.fileMode) == 0, Self.sync(temporary, flags: O_RDONLY),
              rename(temporary, destination) == 0, Self.sync(folder, flags: O_RDONLY | O_DIRECTORY) else {
            throw SpoolError.cannotPlace(file: relative, reason: String(cString: strerror(errno)))
        }
        return path
    }

    /// `fsync` of a file or folder; `false` with `errno` set when it cannot be opened or synced.
    private static func sync(_ path: String, flags: Int32) -> Bool {
        let descriptor = open(path, flags | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        let synced = fsync(descriptor) == 0
        let error = errno
        close(descriptor)
        errno = error
        return synced
    }

    /// Free bytes on the file system the spool is (or will be) on: before the first start the
    /// spool folder may not exist yet, so the nearest existing folder above it answers.
    public func freeBytes() -> Int64? {
        var path = root
        while true {
            var stats = statvfs()
            if statvfs(path, &stats) == 0 { return Int64(stats.f_bavail) * Int64(stats.f_frsize) }
            guard errno == ENOENT, path != "/", !path.isEmpty else { return nil }
            path = (path as NSString).deletingLastPathComponent
            if path.isEmpty { path = "." }
        }
    }
}

public enum SpoolError: Error, CustomStringConvertible {
    case cannotPlace(file: String, reason: String)
    case missing(file: String)

    public var description: String {
        switch self {
        case .cannotPlace(let file, let reason): "cannot move \(file) into the spool: \(reason)"
        case .missing(let file): "\(file) is missing from the spool"
        }
    }
}

/// Refuses new work while the spool's disk is nearly full: a fax that cannot be written whole
/// must not be accepted.
public struct DiskGuard: Sendable {
    public let spool: Spool
    public let minimumFreeBytes: Int64

    public init(spool: Spool, minimumFreeBytes: Int64) {
        self.spool = spool
        self.minimumFreeBytes = minimumFreeBytes
    }

    /// `nil` when there is room; else why not.
    public func refusal() -> String? {
        guard let free = spool.freeBytes() else { return "cannot read the free space of \(spool.root)" }
        if free < minimumFreeBytes {
            return "only \(free / 1_048_576) MB free in \(spool.root) (minimum \(minimumFreeBytes / 1_048_576) MB)"
        }
        return nil
    }
}
