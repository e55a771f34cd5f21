import Foundation

/// An exclusive `flock` on a file in the data folder, held as long as this value lives. The
/// kernel drops it when the process dies, so a killed holder never blocks the next one. Two
/// are used: `cleanup.lock` (one cleanup at a time, the server's or one from cron) and
/// `run/serve.lock` (one server per data folder, holding its pid).
final class FileLock: Sendable {
    let descriptor: Int32
    let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// The lock, or `nil` when another holds it. `writable` opens the file for writing (the
    /// serve lock records its pid); read-only is enough for flock, and lets a cron job and
    /// the server share a file one of them created under another user.
    static func acquire(path: String, writable: Bool = false) throws(FileLockError) -> FileLock? {
        let descriptor = open(path, (writable ? O_RDWR : O_RDONLY) | O_CREAT | O_CLOEXEC, writable ? 0o600 : FilePermissions.fileMode)
        guard descriptor >= 0 else { throw .unavailable(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { return nil }
            throw .unavailable(path: path, reason: String(cString: strerror(code)))
        }
        return FileLock(descriptor: descriptor, path: path)
    }

    /// Replaces the file's content (the holder's pid).
    func record(_ text: String) {
        guard ftruncate(descriptor, 0) == 0 else { return }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// What the holder recorded, read by one that did not get the lock.
    static func recorded(at path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data.prefix(64), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    deinit {
        close(descriptor)
    }
}

public enum FileLockError: Error, CustomStringConvertible, Equatable {
    case unavailable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unavailable(let path, let reason): "cannot lock \(path): \(reason)"
        }
    }
}

public enum CleanupError: Error, CustomStringConvertible, Equatable {
    case lockUnavailable(path: String, reason: String)
    case spoolUnreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .lockUnavailable(let path, let reason): "cannot lock \(path): \(reason)"
        case .spoolUnreadable(let path, let reason): "cannot read the spool folder \(path): \(reason)"
        }
    }
}
