import Foundation

/// Where the manager connection stands; `faxline status` shows it so that an admin sees
/// why outbound jobs wait.
public enum AMIConnectionState: Sendable, Hashable, CustomStringConvertible {
    /// A TCP connection is being opened.
    case connecting
    /// Connected and the banner read; logging in.
    case connected(asteriskVersion: String)
    /// Logged in: actions can be sent.
    case loggedIn(asteriskVersion: String)
    /// No usable connection since `since`; the client retries with backoff.
    case down(reason: String, since: Date)
    /// Stopped on purpose (shutdown).
    case stopped

    public var isLoggedIn: Bool {
        if case .loggedIn = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .connecting:
            return "connecting"
        case .connected(let version):
            return "connected (Asterisk manager \(version)), logging in"
        case .loggedIn(let version):
            return "logged in (Asterisk manager \(version))"
        case .down(let reason, let since):
            return "down since \(since.formatted(.iso8601)): \(reason)"
        case .stopped:
            return "stopped"
        }
    }
}

/// A snapshot for status displays.
public struct AMIStatus: Sendable, Hashable {
    public var state: AMIConnectionState
    /// Failed connection attempts since the last successful login.
    public var failedAttempts: Int
    /// When the next connection attempt is due, while down.
    public var nextAttempt: Date?

    public init(state: AMIConnectionState, failedAttempts: Int, nextAttempt: Date?) {
        self.state = state
        self.failedAttempts = failedAttempts
        self.nextAttempt = nextAttempt
    }
}
