import Foundation
import Logging
import NIOCore

/// Takes the UUID frame that opens every AudioSocket connection off the stream and hands the
/// connection to the endpoint registered for that UUID, on the event loop and before the next
/// frame is read — so the endpoint's handler sees every frame after the UUID. Then it leaves
/// the pipeline.
///
/// A first frame that is not the UUID, no UUID within the handshake time, a UUID nobody
/// expects, or any error before the handover closes the connection.
final class AudioSocketHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = AudioSocketFrame
    typealias InboundOut = AudioSocketFrame

    private let registry: AudioSocketSessionRegistry
    private let timeout: TimeAmount
    private var logger: Logger
    private var timer: Scheduled<Void>?
    private var done = false

    init(registry: AudioSocketSessionRegistry, timeout: TimeAmount, logger: Logger) {
        self.registry = registry
        self.timeout = timeout
        self.logger = logger
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
        if !done { refuse(AudioSocketError.closedBeforeUUID, context: context) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else {
            context.fireChannelRead(data)
            return
        }
        guard case .uuid(let uuid) = unwrapInboundIn(data) else {
            refuse(AudioSocketError.firstFrameNotUUID(kind: unwrapInboundIn(data).kind), context: context)
            return
        }
        done = true
        timer?.cancel()
        timer = nil
        logger[metadataKey: "audiosocket.uuid"] = "\(uuid.uuidString.lowercased())"
        guard let endpoint = registry.claim(uuid) else {
            logger.warning("AudioSocket connection for a UUID nobody expects, closing")
            context.close(promise: nil)
            return
        }
        do {
            try endpoint.connect(context.channel)
            logger.debug("AudioSocket connection handed to its call")
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            logger.warning("AudioSocket connection could not be handed to its call", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if done {
            context.fireErrorCaught(error)
        } else {
            refuse(error, context: context)
        }
    }

    private func refuse(_ error: any Error, context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        timer?.cancel()
        timer = nil
        logger.warning("AudioSocket connection refused", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    private func startTimer(context: ChannelHandlerContext) {
        guard !done, timer == nil else { return }
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timeout = self.timeout
        timer = context.eventLoop.scheduleTask(in: timeout) {
            loopBoundSelf.value.refuse(
                AudioSocketError.handshakeTimedOut(after: Duration(timeout)), context: loopBoundContext.value)
        }
    }
}
