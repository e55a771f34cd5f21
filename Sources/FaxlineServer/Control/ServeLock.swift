import FaxCore
import Foundation

/// One `faxline serve` per data folder: an exclusive `flock` on `<data>/run/serve.lock`, which
/// holds the server's pid. A second server finds the lock taken, names the process that holds
/// it, and stops before it touches anything (no recovery, no status file, no database). The
/// kernel drops the lock when the process dies, so a crashed server never blocks the next.
/// `faxline restore` takes it too, so no server starts on a database being replaced.
///
/// The control socket next to it is no lock: the server that holds this lock replaces any
/// socket file it finds (one left by a server that died).
public final class ServeLock: Sendable {
    private let lock: FileLock
    public let dataDirectory: String

    private init(lock: FileLock, dataDirectory: String) {
        self.lock = lock
        self.dataDirectory = dataDirectory
    }

    public static func path(dataDirectory: String) -> String {
        ControlSocket.folder(dataDirectory: dataDirectory) + "/serve.lock"
    }

    /// Takes the data folder for this process (`what` says for what, in the error another
    /// one gets), or throws `ServeLockError.held` naming the process that has it.
    public static func acquire(dataDirectory: String, what: String = "faxline serve") throws(ServeLockError) -> ServeLock {
        let folder = ControlSocket.folder(dataDirectory: dataDirectory)
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .unavailable(dataDirectory: dataDirectory, reason: "cannot create \(folder): \(ErrorWords.describe(error))")
        }
        let path = Self.path(dataDirectory: dataDirectory)
        let taken: FileLock?
        do {
            taken = try FileLock.acquire(path: path, writable: true)
        } catch {
            throw .unavailable(dataDirectory: dataDirectory, reason: error.description)
        }
        guard let taken else { throw .held(dataDirectory: dataDirectory, holder: FileLock.recorded(at: path)) }
        taken.record("\(getpid()) \(what)\n")
        return ServeLock(lock: taken, dataDirectory: dataDirectory)
    }
}

public enum ServeLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `holder` is what the holder recorded: its pid and what it does.
    case held(dataDirectory: String, holder: String?)
    case unavailable(dataDirectory: String, reason: String)

    public var description: String {
        switch self {
        case .held(let folder, let holder):
            let who = holder.map { Self.describe(holder: $0) } ?? "another process"
            return "\(who) is using the data folder \(folder); only one server runs per data folder "
                + "(stop it first, e.g. systemctl stop faxline)"
        case .unavailable(let folder, let reason):
            return "cannot take the data folder \(folder): \(reason)"
        }
    }

    /// "4242 faxline serve" → "faxline serve (pid 4242)".
    static func describe(holder: String) -> String {
        let parts = holder.split(separator: " ", maxSplits: 1)
        guard let pid = parts.first.flatMap({ Int32($0) }) else { return "another process" }
        let what = parts.count > 1 ? String(parts[1]) : "another process"
        return "\(what) (pid \(pid))"
    }
}
