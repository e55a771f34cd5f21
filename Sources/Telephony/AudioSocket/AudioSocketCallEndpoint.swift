import NIOCore

/// Who owns a call's audio once Asterisk connects: announced under the call's UUID in the
/// ``AudioSocketSessionRegistry`` before Asterisk is asked to connect.
public protocol AudioSocketCallEndpoint: AnyObject, Sendable {
    /// Asterisk connected with the announced UUID. Runs on the connection's event loop, before
    /// the frames after the UUID frame are read: add the handler that takes them (it receives
    /// ``AudioSocketFrame``s and writes `ByteBuffer`s). Throwing closes the connection.
    func connect(_ channel: any Channel) throws
}
