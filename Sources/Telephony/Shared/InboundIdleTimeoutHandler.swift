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

    init(timeout: TimeAmount, error: any Error) {
        self.timeout = timeout
        self.error = error
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
        context.fireChannelRead(data)
    }

    private func restartTimer(context: ChannelHandlerContext) {
        timer?.cancel()
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let error = self.error
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let context = loopBoundContext.value
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }
}
