/// What became of one `AMIClient.hangUp(channelID:)`.
public enum AMIHangUpResult: Sendable, Hashable, CustomStringConvertible {
    /// Asterisk hung up the call's channel (`Channel Hungup`).
    case hungUp
    /// There was no channel to hang up: the call had ended, or never got a channel.
    case alreadyEnded
    /// The manager was not reachable, or the connection was lost before Asterisk answered:
    /// the call, if there is one, goes on.
    case managerDown
    /// Asterisk refused the `Hangup` action; the text says why (`Permission denied` when the
    /// manager account lacks `write = call`).
    case refused(String)

    public var description: String {
        switch self {
        case .hungUp: return "hung up"
        case .alreadyEnded: return "no such call (it had ended)"
        case .managerDown: return "not hung up: Asterisk manager unreachable"
        case .refused(let message): return "Asterisk refused the hang-up: \(message)"
        }
    }
}
