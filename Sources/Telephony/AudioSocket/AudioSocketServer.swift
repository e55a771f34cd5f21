import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The AudioSocket media server: Asterisk's `AudioSocket(<uuid>,host:port)` (or
/// `Dial(AudioSocket/host:port/<uuid>/c(slin))`) connects here and streams the call's audio.
///
/// Only UUIDs announced in the registry get through; anything else is closed at once. Every
/// accepted socket has TCP_NODELAY, so that each frame leaves as soon as it is written.
public final class AudioSocketServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port (tests); read it from ``localAddress``.
        public var port: Int
        /// How long a new connection may take to send its UUID frame.
        public var handshakeTimeout: Duration
        /// A connection with no frame for this long is ended (Asterisk sends one every 20 ms).
        public var idleTimeout: Duration
        /// The longest frame payload accepted.
        public var maximumPayloadLength: Int
        /// After graceful shutdown starts, how long running calls may go on.
        public var shutdownGracePeriod: Duration

        public init(
            host: String = "127.0.0.1",
            port: Int = 9092,
            handshakeTimeout: Duration = .seconds(3),
            idleTimeout: Duration = .seconds(10),
            maximumPayloadLength: Int = 4096,
            shutdownGracePeriod: Duration = .seconds(30)
        ) {
            self.host = host
            self.port = port
            self.handshakeTimeout = handshakeTimeout
            self.idleTimeout = idleTimeout
            self.maximumPayloadLength = maximumPayloadLength
            self.shutdownGracePeriod = shutdownGracePeriod
        }
    }

    public let configuration: Configuration
    private let registry: AudioSocketSessionRegistry
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let boundAddress = OneShotValue<SocketAddress>()

    public init(
        configuration: Configuration = Configuration(),
        registry: AudioSocketSessionRegistry,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
    }

    /// The address the server listens on, once ``run()`` has bound it.
    public var localAddress: SocketAddress {
        get async throws { try await boundAddress.value() }
    }

    /// A connection before its UUID frame has been read.
    struct PendingConnection: Sendable {
        let accepted: AcceptedConnection<AudioSocketFrame, ByteBuffer>
        let uuid: EventLoopFuture<UUID>
    }

    public func run() async throws {
        let configuration = self.configuration
        let serverChannel: NIOAsyncChannel<PendingConnection, Never>
        do {
            serverChannel = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .bind(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let uuid = channel.eventLoop.makePromise(of: UUID.self)
                        let handlers = channel.pipeline.syncOperations
                        try handlers.addHandler(
                            ByteToMessageHandler(
                                AudioSocketFrameDecoder(maximumPayloadLength: configuration.maximumPayloadLength)))
                        try handlers.addHandler(
                            AudioSocketHandshakeHandler(uuid: uuid, timeout: TimeAmount(configuration.handshakeTimeout)))
                        try handlers.addHandler(
                            InboundIdleTimeoutHandler<AudioSocketFrame>(
                                timeout: TimeAmount(configuration.idleTimeout),
                                error: AudioSocketError.idleTimeout(after: configuration.idleTimeout)))
                        let asyncChannel = try NIOAsyncChannel<AudioSocketFrame, ByteBuffer>(
                            wrappingChannelSynchronously: channel)
                        return PendingConnection(accepted: AcceptedConnection(asyncChannel), uuid: uuid.futureResult)
                    }
                }
        } catch {
            boundAddress.resolve(.failure(error))
            throw error
        }
        let address = serverChannel.channel.localAddress!
        boundAddress.resolve(.success(address))
        logger.info("AudioSocket server listening", metadata: ["address": "\(address)"])
        await ConnectionAcceptor.run(
            serverChannel: serverChannel,
            gracePeriod: configuration.shutdownGracePeriod,
            logger: logger
        ) { connection in
            await self.serve(connection)
        }
        logger.info("AudioSocket server stopped")
    }

    private func serve(_ pending: PendingConnection) async {
        guard let connection = pending.accepted.take() else { return }
        let channel = connection.channel
        var logger = self.logger
        logger[metadataKey: "audiosocket.peer"] = "\(channel.remoteAddress.map { "\($0)" } ?? "unknown")"
        do {
            try await connection.executeThenClose { inbound, outbound in
                let uuid: UUID
                do {
                    uuid = try await withTaskCancellationHandler {
                        try await pending.uuid.get()
                    } onCancel: {
                        channel.close(promise: nil)
                    }
                } catch {
                    logger.warning("AudioSocket connection refused", metadata: ["error": "\(error)"])
                    return
                }
                logger[metadataKey: "audiosocket.uuid"] = "\(uuid.uuidString.lowercased())"
                let delivered = registry.deliver(
                    AudioSocketConnection(uuid: uuid, inbound: inbound, outbound: outbound, channel: channel))
                guard delivered else {
                    logger.warning("AudioSocket connection for a UUID nobody expects, closing")
                    return
                }
                logger.debug("AudioSocket connection handed to its call")
                // The owner reads and writes now; keep the channel open until it is closed.
                try await withTaskCancellationHandler {
                    try await channel.closeFuture.get()
                } onCancel: {
                    channel.close(promise: nil)
                }
                logger.debug("AudioSocket connection closed")
            }
        } catch {
            logger.warning("AudioSocket connection failed", metadata: ["error": "\(error)"])
        }
    }
}
