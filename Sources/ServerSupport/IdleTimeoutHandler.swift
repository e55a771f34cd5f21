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
    /// When the last activity came. Activity only moves this; the one timer, when it fires
    /// early, waits the rest (an audio call reads 50 messages a second: rescheduling a timer
    /// for each would cost more than the message).
    private var lastActivity = NIODeadline.now()

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
        if context.channel.isActive { startTimer(context: context) }
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    package func channelActive(context: ChannelHandlerContext) {
        startTimer(context: context)
        context.fireChannelActive()
    }

    package func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        noteActivity(context: context)
        context.fireChannelRead(data)
    }

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if restartsOnWrite { noteActivity(context: context) }
        context.write(data, promise: promise)
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    /// After the timer fired without closing (SMTP answers 421 and may read on), activity
    /// starts it again.
    private func noteActivity(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        if timer == nil, context.channel.isActive { schedule(at: lastActivity + timeout, context: context) }
    }

    private func startTimer(context: ChannelHandlerContext) {
        guard timer == nil else { return }
        lastActivity = context.eventLoop.now
        schedule(at: lastActivity + timeout, context: context)
    }

    private func schedule(at deadline: NIODeadline, context: ChannelHandlerContext) {
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            loopBoundSelf.value.expire(context: loopBoundContext.value)
        }
    }

    private func expire(context: ChannelHandlerContext) {
        guard timer != nil else { return }
        let due = lastActivity + timeout
        if due > context.eventLoop.now {
            schedule(at: due, context: context)
            return
        }
        timer = nil
        onIdle(context)
    }
}
