/// Why the client gave up a manager connection, in the words `faxline status` shows.
enum AMIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `Login` answered `Response: Error` (wrong user name or secret, or not permitted from this host).
    case authenticationFailed(String)
    /// An action got no response in time.
    case timeout(action: String, after: Duration)
    /// A Ping got no Pong in time.
    case keepaliveMissed(after: Duration)
    /// The peer sent something that is not AMI.
    case protocolViolation(AMIWireError)
    /// Asterisk refuses every action because it is stopping or restarting (it answers
    /// "Asterisk is shutting down" from `ast_begin_shutdown` on), or announced `Shutdown`.
    case shuttingDown(restart: Bool?)

    var description: String {
        switch self {
        case .authenticationFailed(let message):
            return "Asterisk manager login refused (\(message)); check username and secret in manager.conf"
        case .timeout(let action, let after):
            return "no answer from Asterisk to \(action) within \(after)"
        case .keepaliveMissed(let after):
            return "Asterisk manager did not answer a Ping within \(after)"
        case .protocolViolation(let error):
            return "Asterisk manager protocol error: \(error)"
        case .shuttingDown(let restart?):
            return restart ? "Asterisk is restarting" : "Asterisk is shutting down"
        case .shuttingDown(nil):
            return "Asterisk is shutting down"
        }
    }
}
