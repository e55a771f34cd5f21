import Foundation
import NIOCore

/// Takes the UUID frame that opens every AudioSocket connection off the stream and reports it
/// through `uuid`, so that the frames after it are all the owner sees.
///
/// The promise always completes: with the UUID, or with an error when the first frame is
/// something else, does not arrive in time, or the connection ends first (the connection is
/// then closed). Any error, during or after the handshake, closes the connection.
final class AudioSocketHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = AudioSocketFrame
    typealias InboundOut = AudioSocketFrame

    private var uuid: EventLoopPromise<UUID>?
    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(uuid: EventLoopPromise<UUID>, timeout: TimeAmount) {
        self.uuid = uuid
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startTimer(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(AudioSocketError.closedBeforeUUID)
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(AudioSocketError.closedBeforeUUID)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let promise = uuid else {
            context.fireChannelRead(data)
            return
        }
        uuid = nil
        timer?.cancel()
        timer = nil
        if case .uuid(let value) = frame {
            promise.succeed(value)
        } else {
            promise.fail(AudioSocketError.firstFrameNotUUID(kind: frame.kind))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if uuid != nil {
            fail(error)
        } else {
            context.fireErrorCaught(error)
        }
        context.close(promise: nil)
    }

    private func startTimer(context: ChannelHandlerContext) {
        guard uuid != nil, timer == nil else { return }
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timeout = self.timeout
        timer = context.eventLoop.scheduleTask(in: timeout) {
            loopBoundSelf.value.fail(AudioSocketError.handshakeTimedOut(after: Duration(timeout)))
            loopBoundContext.value.close(promise: nil)
        }
    }

    private func fail(_ error: any Error) {
        timer?.cancel()
        timer = nil
        if let promise = uuid {
            uuid = nil
            promise.fail(error)
        }
    }
}
