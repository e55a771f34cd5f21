import NIOCore

/// Ends a connection whose peer has sent no message for `timeout`: fires `error` down the
/// pipeline (so the async inbound stream ends with it) and closes the channel.
///
/// Placed after the decoder, it counts whole messages, not bytes, so a peer cannot keep a
/// connection alive by trickling a frame one byte at a time.
final class InboundIdleTimeoutHandler<Message>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Message
    typealias InboundOut = Message

    private let timeout: TimeAmount
    private let error: any Error
    private var timer: Scheduled<Void>?
    /// When the peer's last message came. A message only moves this; the one timer, when it
    /// fires early, waits the rest (an audio call sends 50 messages a second: rescheduling a
    /// timer for each would cost more than the message).
    private var lastMessage = NIODeadline.now()

    init(timeout: TimeAmount, error: any Error) {
        self.timeout = timeout
        self.error = error
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startTimer(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastMessage = .now()
        context.fireChannelRead(data)
    }

    private func startTimer(context: ChannelHandlerContext) {
        guard timer == nil else { return }
        lastMessage = .now()
        schedule(at: lastMessage + timeout, context: context)
    }

    private func schedule(at deadline: NIODeadline, context: ChannelHandlerContext) {
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            handler.value.expire(context: loopBoundContext.value)
        }
    }

    private func expire(context: ChannelHandlerContext) {
        guard timer != nil else { return }
        let due = lastMessage + timeout
        if due > .now() {
            schedule(at: due, context: context)
            return
        }
        timer = nil
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}
