import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Telephony

/// A media server that only answers: one frame back for every frame Asterisk sends, nothing of
/// its own — Faxline before it had its own clock. Against a silent far end it sends nothing
/// either, which is what Asterisk's inactivity rule hangs up; tests use it to show the rule works.
public final class AnswerOnlyPeer: Sendable {
    private let channel: any Channel
    public let port: Int

    /// Listens on 127.0.0.1. With `clock` it answers on the lock-step clock's ticks (the frames
    /// that arrived since the last tick, one each), else at once.
    public static func start(clock: LockStepMediaClock?) async throws -> AnswerOnlyPeer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AudioSocketFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(AnswerOnlyHandler(clock: clock))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return AnswerOnlyPeer(channel: channel, port: channel.localAddress?.port ?? 0)
    }

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    public func stop() async {
        try? await channel.close()
    }
}

private final class AnswerOnlyHandler: ChannelInboundHandler {
    typealias InboundIn = AudioSocketFrame
    typealias OutboundOut = ByteBuffer

    let clock: LockStepMediaClock?
    private var subscription: MediaClockSubscription?
    private var received = 0
    private var unanswered = 0
    private var written = 0
    private var held: MediaTick?

    init(clock: LockStepMediaClock?) {
        self.clock = clock
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .uuid(let uuid):
            guard let clock else { return }
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            subscription = clock.subscribe(call: uuid, on: context.eventLoop) { tick in
                handler.value.tick(tick, context: boundContext.value)
            }
        case .audio(let payload, _):
            received += 1
            guard clock != nil else {
                answer(payload.readableBytes, context: context)
                return
            }
            unanswered += 1
            if let tick = held, received >= tick.peerFramesSent ?? 0 {
                held = nil
                self.tick(tick, context: context)
            }
        case .hangup, .error:
            context.close(promise: nil)
        case .dtmf:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        subscription?.cancel()
        held?.completed?(written)
        context.fireChannelInactive()
    }

    private func tick(_ tick: MediaTick, context: ChannelHandlerContext) {
        if let due = tick.peerFramesSent, due > received {
            held = tick
            return
        }
        // Answers what came, and nothing else: with a silent far end, nothing at all.
        for _ in 0..<unanswered { answer(320, context: context) }
        unanswered = 0
        tick.completed?(written)
    }

    private func answer(_ bytes: Int, context: ChannelHandlerContext) {
        let silence = ByteBuffer(repeating: 0, count: bytes)
        context.writeAndFlush(wrapOutboundOut(AudioSocketFrame.audio(silence).encoded()), promise: nil)
        written += 1
    }
}
