import Foundation

/// An exclusive `flock` on a file in the data folder, held for a cleanup run, so that the
/// server's scheduled cleanup and one started from cron never run at once. The kernel drops
/// the lock when the process dies, so a killed cleanup never blocks the next.
final class CleanupLock {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The lock, or `nil` when another cleanup holds it.
    static func acquire(path: String) throws(CleanupError) -> CleanupLock? {
        // Read-only is enough for flock, and lets a cron job and the server share the file even
        // when one of them created it under another user.
        let descriptor = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, FilePermissions.fileMode)
        guard descriptor >= 0 else { throw .lockUnavailable(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { return nil }
            throw .lockUnavailable(path: path, reason: String(cString: strerror(code)))
        }
        return CleanupLock(descriptor: descriptor)
    }

    deinit {
        close(descriptor)
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
