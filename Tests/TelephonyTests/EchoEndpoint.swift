import NIOCore
import Synchronization

@testable import Telephony

/// A call endpoint for tests: answers every audio frame with one frame of the same length (the
/// bytes reversed, so the test sees it was processed), and reports what else it saw and how the
/// connection ended, once it is closed.
final class EchoEndpoint: AudioSocketCallEndpoint {
    private let state = Mutex<(seen: [String], nodelay: Bool?)>(([], nil))
    private let (ended, endedContinuation) = AsyncStream.makeStream(of: [String].self)

    func connect(_ channel: any Channel) throws {
        let nodelay = try channel.syncOptions?.getOption(ChannelOptions.tcpOption(.tcp_nodelay))
        state.withLock { $0.nodelay = nodelay.map { $0 != 0 } }
        try channel.pipeline.syncOperations.addHandler(EchoHandler(endpoint: self))
    }

    /// Whether the connection had TCP_NODELAY when it was handed over.
    var hadNoDelay: Bool? { state.withLock { $0.nodelay } }

    /// What the endpoint saw besides audio, once the connection has closed.
    func seen() async -> [String] {
        var iterator = ended.makeAsyncIterator()
        return await iterator.next() ?? []
    }

    fileprivate func saw(_ what: String) {
        state.withLock { $0.seen.append(what) }
    }

    fileprivate func closed() {
        endedContinuation.yield(state.withLock { $0.seen })
        endedContinuation.finish()
    }
}

private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = AudioSocketFrame
    typealias OutboundOut = ByteBuffer

    let endpoint: EchoEndpoint
    private var done = false

    init(endpoint: EchoEndpoint) {
        self.endpoint = endpoint
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .audio(let samples, let rate):
            let reply = ByteBuffer(bytes: samples.readableBytesView.reversed())
            context.writeAndFlush(wrapOutboundOut(AudioSocketFrame.audio(reply, sampleRate: rate).encoded()), promise: nil)
        case .hangup:
            endpoint.saw("hangup")
            context.close(promise: nil)
        case let frame:
            endpoint.saw("\(frame)")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        endpoint.saw("error: \(error)")
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    private func finish() {
        guard !done else { return }
        done = true
        endpoint.closed()
    }
}
