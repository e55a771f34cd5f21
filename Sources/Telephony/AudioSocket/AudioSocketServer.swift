import Foundation
import Logging
import NIOCore
import NIOPosix
import ServerSupport
import ServiceLifecycle

/// Sent down a connection's pipeline when the server cuts it because it is stopping (the
/// grace period is over): the call's handler can tell that from Asterisk hanging up.
public struct AudioSocketServerStopping: Sendable {}

/// The AudioSocket media server: Asterisk's `AudioSocket(<uuid>,host:port)` (or
/// `Dial(AudioSocket/host:port/<uuid>/c(slin))`) connects here and streams the call's audio.
///
/// Only peers in the allow-list get in, at most `maximumConnections` at once, and only UUIDs
/// announced in the registry get through — once, and from the peer the registration names: the
/// connection is handed, on its event loop, to the endpoint registered for its UUID frame;
/// anything else is closed at once. Every
/// accepted socket has TCP_NODELAY, so that each frame leaves as soon as it is written.
public final class AudioSocketServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port (tests); read it from ``localAddress``.
        public var port: Int
        /// How long a new connection may take to send its UUID frame.
        public var handshakeTimeout: Duration
        /// A connection with no frame from Asterisk for this long is ended. Only a backstop: a
        /// far end may legitimately be silent (Asterisk then sends nothing), and T.30's own
        /// timers end such calls (T1 is 35 s), so keep it well above that.
        public var idleTimeout: Duration
        /// The longest frame payload accepted.
        public var maximumPayloadLength: Int
        /// After graceful shutdown starts, how long running calls may go on.
        public var shutdownGracePeriod: Duration
        /// Who may connect (Asterisk): loopback unless configured.
        public var allowList: PeerAllowList
        /// Connections open at once; more are closed at once.
        public var maximumConnections: Int

        public init(
            host: String = "127.0.0.1",
            port: Int = 9092,
            allowList: PeerAllowList = .loopback,
            maximumConnections: Int = 64,
            handshakeTimeout: Duration = .seconds(3),
            idleTimeout: Duration = .seconds(60),
            maximumPayloadLength: Int = 4096,
            shutdownGracePeriod: Duration = .seconds(30)
        ) {
            self.host = host
            self.port = port
            self.handshakeTimeout = handshakeTimeout
            self.idleTimeout = idleTimeout
            self.maximumPayloadLength = maximumPayloadLength
            self.shutdownGracePeriod = shutdownGracePeriod
            self.allowList = allowList
            self.maximumConnections = maximumConnections
        }
    }

    public let configuration: Configuration
    private let registry: AudioSocketSessionRegistry
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let boundAddress: ListenerAddress
    private let admission: ConnectionAdmission

    public init(
        configuration: Configuration = Configuration(),
        registry: AudioSocketSessionRegistry,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MediaEventLoops.shared
    ) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        boundAddress = ListenerAddress(eventLoopGroup: eventLoopGroup)
        admission = ConnectionAdmission(
            listener: "AudioSocket", allowList: configuration.allowList,
            maximumConnections: configuration.maximumConnections, logger: logger)
    }

    /// Connections open now (admitted, not closed yet).
    public var openConnections: Int { admission.openConnections }

    /// The address the server listens on, once ``run()`` has bound it.
    public var localAddress: SocketAddress {
        get async throws { try await boundAddress.value }
    }

    /// An accepted connection; its handlers live in its pipeline.
    struct Accepted: Sendable {
        let channel: any Channel
    }

    public func run() async throws {
        let configuration = self.configuration
        let registry = self.registry
        let logger = self.logger
        let serverChannel: NIOAsyncChannel<Admission<Accepted>, Never>
        do {
            serverChannel = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .bind(
                    host: configuration.host, port: configuration.port,
                    childChannelInitializer: admission.childChannelInitializer { channel in
                        var connectionLogger = logger
                        connectionLogger[metadataKey: "audiosocket.peer"] = "\(channel.remoteAddress.map { "\($0)" } ?? "unknown")"
                        let handlers = channel.pipeline.syncOperations
                        try handlers.addHandler(
                            ByteToMessageHandler(
                                AudioSocketFrameDecoder(maximumPayloadLength: configuration.maximumPayloadLength)))
                        try handlers.addHandler(
                            IdleTimeoutHandler<AudioSocketFrame>(
                                timeout: TimeAmount(configuration.idleTimeout),
                                failingWith: AudioSocketError.idleTimeout(after: configuration.idleTimeout)))
                        try handlers.addHandler(
                            AudioSocketHandshakeHandler(
                                registry: registry, timeout: TimeAmount(configuration.handshakeTimeout), logger: connectionLogger))
                        return Accepted(channel: channel)
                    })
        } catch {
            let failure = ListenError(listener: "AudioSocket", host: configuration.host, port: configuration.port, error: error)
            boundAddress.failed(failure)
            throw failure
        }
        let address = serverChannel.channel.localAddress!
        boundAddress.bound(address)
        logger.info("AudioSocket server listening", metadata: [
            "address": "\(address)", "allow": "\(configuration.allowList)", "max_connections": "\(configuration.maximumConnections)",
        ])
        await ConnectionAcceptor.run(
            serverChannel: serverChannel,
            gracePeriod: configuration.shutdownGracePeriod,
            logger: logger
        ) { accepted in
            // The call's handlers do the work on the event loop; this task only keeps the
            // connection counted for graceful shutdown, and closes it if cancelled.
            let channel = accepted.channel
            await withTaskCancellationHandler {
                try? await channel.closeFuture.get()
            } onCancel: {
                // The call's handler learns why before the connection goes.
                channel.pipeline.fireUserInboundEventTriggered(AudioSocketServerStopping())
                channel.close(promise: nil)
            }
        }
        logger.info("AudioSocket server stopped")
    }
}
