/// Why an AMI action or the connection failed.
public enum AMIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No logged-in connection; the state says why.
    case notConnected(AMIConnectionState)
    /// `Login` answered `Response: Error` (wrong user name or secret, or not permitted from this host).
    case authenticationFailed(String)
    /// The action got `Response: Error`.
    case actionFailed(action: String, message: String)
    case timeout(action: String, after: Duration)
    /// The connection closed while the action waited.
    case connectionLost(String)
    /// A Ping got no Pong in time.
    case keepaliveMissed(after: Duration)
    /// The peer sent something that is not AMI.
    case protocolViolation(AMIWireError)
    /// The action cannot be sent as given.
    case invalidAction(String)

    public var description: String {
        switch self {
        case .notConnected(let state):
            return "Asterisk manager not available: \(state)"
        case .authenticationFailed(let message):
            return "Asterisk manager login refused (\(message)); check username and secret in manager.conf"
        case .actionFailed(let action, let message):
            return "Asterisk refused \(action): \(message)"
        case .timeout(let action, let after):
            return "no answer from Asterisk to \(action) within \(after)"
        case .connectionLost(let why):
            return "connection to Asterisk manager lost: \(why)"
        case .keepaliveMissed(let after):
            return "Asterisk manager did not answer a Ping within \(after)"
        case .protocolViolation(let error):
            return "Asterisk manager protocol error: \(error)"
        case .invalidAction(let why):
            return "invalid AMI action: \(why)"
        }
    }
}
