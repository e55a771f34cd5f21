import NIOCore
import NIOTLS

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

/// Turns the channel's reads, TLS events and an idle timer into ``SMTPConnectionEvent``s.
///
/// It sits behind the TLS handler (once STARTTLS added it), so the handshake event reaches the
/// driver after every plaintext byte read before it: the driver can tell them apart and drop
/// what was injected ahead of the handshake. The timer restarts on every read and write.
final class SMTPConnectionEventHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = SMTPConnectionEvent
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let idleTimeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(idleTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { restartTimer(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        restartTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        restartTimer(context: context)
        context.fireChannelRead(wrapInboundOut(.bytes(unwrapInboundIn(data))))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            context.fireChannelRead(wrapInboundOut(.tlsEstablished))
            context.fireChannelReadComplete()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        restartTimer(context: context)
        context.write(data, promise: promise)
    }

    private func restartTimer(context: ChannelHandlerContext) {
        timer?.cancel()
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: idleTimeout) {
            loopBoundSelf.value.timer = nil
            let context = loopBoundContext.value
            context.fireChannelRead(loopBoundSelf.value.wrapInboundOut(.idleTimeout(firedAt: .now())))
            context.fireChannelReadComplete()
        }
    }
}
