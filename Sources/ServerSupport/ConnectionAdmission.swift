import Logging
import NIOCore
import Synchronization

/// What a listener's child channel initializer yields: a connection set up for its task, or
/// the mark of one that was refused (already on its way to being closed, no task for it).
package enum Admission<Connection: Sendable>: Sendable {
    case admitted(Connection)
    case refused
}

/// Why a connection was refused at the door.
package enum ConnectionRefusal: Sendable, Equatable, CustomStringConvertible {
    /// The peer is not in the listener's allow-list.
    case peerNotAllowed
    /// The listener already has its maximum of connections open.
    case tooManyConnections(maximum: Int)

    package var description: String {
        switch self {
        case .peerNotAllowed: "the peer is not in the allow-list"
        case .tooManyConnections(let maximum): "\(maximum) connections are already open, the most this listener takes"
        }
    }
}

/// The door of a listener: who may connect (its ``PeerAllowList``) and how many at once. It
/// decides in the child channel initializer, on the connection's event loop, before the
/// connection has a task or a buffer: a refused connection is logged once with its peer, gets
/// the listener's `goodbye` (SMTP's 421; nothing for AGI and AudioSocket), and is closed. An
/// admitted one is counted until it closes.
package final class ConnectionAdmission: Sendable {
    /// Names the listener in log lines ("FastAGI", "AudioSocket", …).
    package let listener: String
    package let allowList: PeerAllowList
    package let maximumConnections: Int
    private let goodbye: @Sendable (ConnectionRefusal) -> ByteBuffer?
    private let logger: Logger
    private let open = Mutex(0)

    package init(
        listener: String, allowList: PeerAllowList, maximumConnections: Int, logger: Logger,
        goodbye: @escaping @Sendable (ConnectionRefusal) -> ByteBuffer? = { _ in nil }
    ) {
        self.listener = listener
        self.allowList = allowList
        self.maximumConnections = maximumConnections
        self.goodbye = goodbye
        self.logger = logger
    }

    /// Connections admitted and not closed yet.
    package var openConnections: Int { open.withLock { $0 } }

    /// A child channel initializer: `setUp` prepares an admitted connection's pipeline (on its
    /// event loop, synchronously); a refused one is closed instead.
    package func childChannelInitializer<Connection: Sendable>(
        _ setUp: @escaping @Sendable (any Channel) throws -> Connection
    ) -> @Sendable (any Channel) -> EventLoopFuture<Admission<Connection>> {
        { channel in
            channel.eventLoop.makeCompletedFuture {
                if let refusal = self.admit(channel) {
                    try self.refuse(channel, refusal)
                    return .refused
                }
                do {
                    return .admitted(try setUp(channel))
                } catch {
                    channel.close(promise: nil)
                    throw error
                }
            }
        }
    }

    /// Counts `channel` in (until it closes) or says why not.
    package func admit(_ channel: any Channel) -> ConnectionRefusal? {
        // A Unix socket's peer is on this machine and often nameless; its folder decides who gets in.
        let isUnixSocket = if case .unixDomainSocket = channel.localAddress { true } else { false }
        guard isUnixSocket || allowList.allows(channel.remoteAddress) else { return .peerNotAllowed }
        let admitted = open.withLock { count in
            guard count < maximumConnections else { return false }
            count += 1
            return true
        }
        guard admitted else { return .tooManyConnections(maximum: maximumConnections) }
        channel.closeFuture.whenComplete { _ in self.open.withLock { $0 -= 1 } }
        return nil
    }

    private func refuse(_ channel: any Channel, _ refusal: ConnectionRefusal) throws {
        logger.warning("\(listener) connection refused: \(refusal)", metadata: [
            "peer": "\(channel.remoteAddress.map { "\($0)" } ?? "unknown")",
        ])
        try channel.pipeline.syncOperations.addHandler(RefusedConnectionHandler(goodbye: goodbye(refusal)))
    }
}

/// The whole pipeline of a refused connection: it reads nothing, says `goodbye` if there is one,
/// and closes as soon as the connection is active.
final class RefusedConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let goodbye: ByteBuffer?
    private var closing = false

    init(goodbye: ByteBuffer?) {
        self.goodbye = goodbye
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { close(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        close(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func close(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        guard let goodbye else {
            context.close(promise: nil)
            return
        }
        let channel = context.channel
        context.writeAndFlush(NIOAny(goodbye)).whenComplete { _ in channel.close(promise: nil) }
    }
}
