import FaxCore
import Foundation
import NIOCore
import NIOPosix

/// Network errors in words a person can act on: NIO's own print as
/// `connect(descriptor:addr:size:): Connection refused (errno: 111)` or, for a failed connect, as
/// a dump of `SingleConnectionFailure(…)` values. Here they become "connection refused", "the
/// address is already in use", "timed out after 5 s". Anything else goes to `ErrorWords`.
public enum SocketErrorWords {
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as IOError:
            return reason(errno: error.errnoCode)
        case let error as NIOConnectionError:
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot look up \(error.host): \(describe(dns))" }
            let reasons = error.connectionErrors.map { describe($0.error) }
            return reasons.isEmpty ? "no address of \(error.host) could be reached" : Array(Set(reasons)).sorted().joined(separator: "; ")
        case let error as ChannelError:
            return describe(channel: error)
        default:
            return ErrorWords.describe(error)
        }
    }

    /// `strerror` in lower case, as the tail of a sentence: "connection refused".
    static func reason(errno code: CInt) -> String {
        if code == EADDRINUSE { return "the address is already in use (another program listens there)" }
        if code == EADDRNOTAVAIL { return "this machine has no such address" }
        if code == EACCES { return "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)" }
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    static func describe(channel error: ChannelError) -> String {
        switch error {
        case .connectTimeout(let amount): "no answer within \(amount.nanoseconds / 1_000_000_000) s"
        case .ioOnClosedChannel, .alreadyClosed, .outputClosed: "the connection is closed"
        case .eof, .inputClosed: "the other side closed the connection"
        default: "network error (\(error))"
        }
    }
}

/// A listener that could not open: which one, where, and why in plain words.
public struct ListenError: Error, Sendable, CustomStringConvertible {
    /// "FastAGI", "AudioSocket", …
    public var listener: String
    public var host: String
    public var port: Int
    public var reason: String

    public init(listener: String, host: String, port: Int, error: any Error) {
        self.listener = listener
        self.host = host
        self.port = port
        reason = SocketErrorWords.describe(error)
    }

    public var description: String { "cannot listen for \(listener) on \(host):\(port): \(reason)" }
}
