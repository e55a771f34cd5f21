import NIOCore
import NIOTLS
import ServerSupport

/// What the session driver reads from a connection: the client's bytes, and the two things that
/// must arrive in order with them — the end of a TLS handshake and the idle timer.
enum SMTPConnectionEvent: Sendable {
    case bytes(ByteBuffer)
    /// The STARTTLS handshake finished; bytes from here on came through TLS.
    case tlsEstablished
    /// Neither side sent anything for the idle timeout, as of `firedAt`. The event may wait in
    /// the stream while the driver is busy (a slow policy decision); a reply written after
    /// `firedAt` makes it stale.
    case idleTimeout(firedAt: NIODeadline)
}

/// Turns the channel's reads and TLS events into ``SMTPConnectionEvent``s; the idle timer
/// behind it (``addHandlers(to:idleTimeout:)``) adds `.idleTimeout`.
///
/// It sits behind the TLS handler (once STARTTLS added it), so the handshake event reaches the
/// driver after every plaintext byte read before it: the driver can tell them apart and drop
/// what was injected ahead of the handshake. The timer restarts on every read and write.
final class SMTPConnectionEventHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = SMTPConnectionEvent

    /// This handler and the idle timer behind it: an idle session gets one `.idleTimeout`
    /// event (the driver answers it with 421), not a closed connection.
    static func addHandlers(to pipeline: ChannelPipeline.SynchronousOperations, idleTimeout: TimeAmount) throws {
        try pipeline.addHandler(SMTPConnectionEventHandler())
        try pipeline.addHandler(IdleTimeoutHandler<SMTPConnectionEvent>(timeout: idleTimeout, restartsOnWrite: true) { context in
            context.fireChannelRead(NIOAny(SMTPConnectionEvent.idleTimeout(firedAt: .now())))
            context.fireChannelReadComplete()
        })
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(wrapInboundOut(.bytes(unwrapInboundIn(data))))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            context.fireChannelRead(wrapInboundOut(.tlsEstablished))
            context.fireChannelReadComplete()
        }
        context.fireUserInboundEventTriggered(event)
    }
}
