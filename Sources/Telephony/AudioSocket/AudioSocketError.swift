import Foundation

/// An AudioSocket connection that did not come about or did not last.
public enum AudioSocketError: Error, Hashable, CustomStringConvertible {
    /// The peer sent no complete first frame within the handshake time.
    case handshakeTimedOut(after: Duration)
    /// The first frame was not the UUID frame (its kind byte).
    case firstFrameNotUUID(kind: UInt8)
    /// The connection closed before its UUID frame.
    case closedBeforeUUID
    /// No frame arrived for this long (the backstop above T.30's own timers); the connection
    /// has been closed.
    case idleTimeout(after: Duration)
    /// Nobody expects a connection for this UUID.
    case notExpected(UUID)
    /// `register` was called twice for the same UUID.
    case alreadyExpected(UUID)
    /// Asterisk did not connect for this UUID in time.
    case connectionTimedOut(UUID, after: Duration)

    public var description: String {
        switch self {
        case .handshakeTimedOut(let after):
            return "no AudioSocket UUID frame within \(after)"
        case .firstFrameNotUUID(let kind):
            return "first AudioSocket frame has kind 0x\(String(kind, radix: 16)), not the UUID frame"
        case .closedBeforeUUID:
            return "AudioSocket connection closed before its UUID frame"
        case .idleTimeout(let after):
            return "no AudioSocket frame for \(after)"
        case .notExpected(let uuid):
            return "no call expects an AudioSocket connection for \(uuid)"
        case .alreadyExpected(let uuid):
            return "an AudioSocket connection for \(uuid) is already expected"
        case .connectionTimedOut(let uuid, let after):
            return "Asterisk did not open the AudioSocket connection for \(uuid) within \(after)"
        }
    }
}
