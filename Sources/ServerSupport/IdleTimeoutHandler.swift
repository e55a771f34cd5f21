import NIOCore

/// Ends, or reports, a connection on which nothing has happened for `timeout`: the one idle
/// timer of every listener. Activity is a message read (placed after the decoder it counts
/// whole messages, not bytes, so a peer cannot keep a connection alive by trickling a frame one
/// byte at a time) and, when `restartsOnWrite`, a write of ours. What an idle connection means
/// is `onIdle`'s business, run on the event loop: fail the stream and close (AGI, AudioSocket),
/// or hand the session an event to answer (SMTP's 421).
package final class IdleTimeoutHandler<Message>: ChannelDuplexHandler, RemovableChannelHandler {
    package typealias InboundIn = Message
    package typealias InboundOut = Message
    package typealias OutboundIn = Any
    package typealias OutboundOut = Any

    private let timeout: TimeAmount
    private let restartsOnWrite: Bool
    private let onIdle: (ChannelHandlerContext) -> Void
    private var timer: Scheduled<Void>?

    package init(timeout: TimeAmount, restartsOnWrite: Bool = false, onIdle: @escaping (ChannelHandlerContext) -> Void) {
        self.timeout = timeout
        self.restartsOnWrite = restartsOnWrite
        self.onIdle = onIdle
    }

    /// Fires `error` down the pipeline (so the async inbound stream ends with it) and closes.
    package convenience init(timeout: TimeAmount, failingWith error: any Error) {
        self.init(timeout: timeout) { context in
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { restartTimer(context: context) }
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    package func channelActive(context: ChannelHandlerContext) {
        restartTimer(context: context)
        context.fireChannelActive()
    }

    package func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        restartTimer(context: context)
        context.fireChannelRead(data)
    }

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if restartsOnWrite { restartTimer(context: context) }
        context.write(data, promise: promise)
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func restartTimer(context: ChannelHandlerContext) {
        timer?.cancel()
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let handler = loopBoundSelf.value
            handler.timer = nil
            handler.onIdle(loopBoundContext.value)
        }
    }
}
