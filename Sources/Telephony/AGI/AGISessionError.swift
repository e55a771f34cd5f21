/// An AGI conversation that could not go on.
public enum AGISessionError: Error, Hashable, CustomStringConvertible {
    /// Asterisk did not send the whole environment in time.
    case environmentTimedOut(after: Duration)
    /// No response to a command within its timeout; the connection has been closed.
    case commandTimedOut(command: String, after: Duration)
    /// The connection closed before the response arrived.
    case connectionClosed(command: String?)
    /// An earlier failure left the conversation out of step; no more commands can be sent.
    case sessionBroken

    public var description: String {
        switch self {
        case .environmentTimedOut(let after):
            return "AGI environment not received within \(after)"
        case .commandTimedOut(let command, let after):
            return "no AGI response to \(WireText.excerpt(command)) within \(after)"
        case .connectionClosed(let command?):
            return "AGI connection closed while waiting for the response to \(WireText.excerpt(command))"
        case .connectionClosed(nil):
            return "AGI connection closed before the environment was complete"
        case .sessionBroken:
            return "AGI session is out of step after an earlier failure"
        }
    }
}
