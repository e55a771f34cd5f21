import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The FastAGI server: Asterisk's `AGI(agi://host:port/<script>)` connects here, sends its
/// environment, and the script handler chosen by the router drives the call with AGI commands.
///
/// A connection's failure (bad input, timeout, handler error) is logged and ends only that
/// connection.
public final class FastAGIServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port (tests); read it from ``localAddress``.
        public var port: Int
        /// How long Asterisk may take to send the whole environment.
        public var environmentTimeout: Duration
        /// Response timeout for commands sent without one.
        public var defaultCommandTimeout: Duration
        /// Limits on the environment; its line length limit applies to every line read.
        public var environmentLimits: AGIEnvironmentParser.Limits
        public var replyLimits: AGIReplyParser.Limits
        /// After graceful shutdown starts, how long running calls may go on.
        public var shutdownGracePeriod: Duration

        public init(
            host: String = "127.0.0.1",
            port: Int = 4573,
            environmentTimeout: Duration = .seconds(5),
            defaultCommandTimeout: Duration = .seconds(10),
            environmentLimits: AGIEnvironmentParser.Limits = .init(),
            replyLimits: AGIReplyParser.Limits = .init(),
            shutdownGracePeriod: Duration = .seconds(30)
        ) {
            self.host = host
            self.port = port
            self.environmentTimeout = environmentTimeout
            self.defaultCommandTimeout = defaultCommandTimeout
            self.environmentLimits = environmentLimits
            self.replyLimits = replyLimits
            self.shutdownGracePeriod = shutdownGracePeriod
        }
    }

    public let configuration: Configuration
    private let router: AGIRouter
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let boundAddress: ListenerAddress

    public init(
        configuration: Configuration = Configuration(),
        router: AGIRouter,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        boundAddress = ListenerAddress(eventLoopGroup: eventLoopGroup)
    }

    /// The address the server listens on, once ``run()`` has bound it.
    public var localAddress: SocketAddress {
        get async throws { try await boundAddress.value }
    }

    public func run() async throws {
        let maximumLineLength = configuration.environmentLimits.maximumLineLength
        let serverChannel: NIOAsyncChannel<AcceptedConnection<String, ByteBuffer>, Never>
        do {
            serverChannel = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .bind(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(AGILineDecoder(maximumLineLength: maximumLineLength)))
                        return AcceptedConnection(try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel))
                    }
                }
        } catch {
            boundAddress.failed(error)
            throw error
        }
        let address = serverChannel.channel.localAddress!
        boundAddress.bound(address)
        logger.info("FastAGI server listening", metadata: ["address": "\(address)"])
        await ConnectionAcceptor.run(
            serverChannel: serverChannel,
            gracePeriod: configuration.shutdownGracePeriod,
            logger: logger
        ) { connection in
            await self.serve(connection)
        }
        logger.info("FastAGI server stopped")
    }

    private func serve(_ accepted: AcceptedConnection<String, ByteBuffer>) async {
        guard let connection = accepted.take() else { return }
        var logger = self.logger
        logger[metadataKey: "agi.peer"] = "\(connection.channel.remoteAddress.map { "\($0)" } ?? "unknown")"
        var sessionLogger = logger
        do {
            try await connection.executeThenClose { inbound, outbound in
                let session = try await AGISession(
                    inbound: inbound,
                    outbound: outbound,
                    channel: connection.channel,
                    environmentLimits: configuration.environmentLimits,
                    environmentTimeout: configuration.environmentTimeout,
                    replyLimits: configuration.replyLimits,
                    defaultCommandTimeout: configuration.defaultCommandTimeout,
                    logger: logger
                )
                sessionLogger = session.logger
                guard let request = session.environment.request, let handler = router.handler(for: request) else {
                    let script = session.environment.request?.scriptPath ?? session.environment["agi_request"] ?? ""
                    session.logger.warning("unknown AGI script", metadata: ["agi.request": "\(WireText.excerpt(script))"])
                    await Self.refuseUnknownScript(script, session: session)
                    return
                }
                session.logger.debug("AGI script started")
                try await handler.handle(session)
                session.logger.debug("AGI script finished")
            }
        } catch is CancellationError {
            sessionLogger.info("AGI connection cancelled")
        } catch let error as AGIProtocolError {
            sessionLogger.warning("malformed AGI input, closing", metadata: ["error": "\(error)"])
        } catch let error as AGISessionError {
            sessionLogger.warning("AGI connection ended", metadata: ["error": "\(error)"])
        } catch {
            sessionLogger.error("AGI script failed", metadata: ["error": "\(error)"])
        }
    }

    /// Tells the dialplan what went wrong, the way res_fax reports a failure.
    private static func refuseUnknownScript(_ script: String, session: AGISession) async {
        do {
            _ = try await session.send(.verbose("faxline: unknown AGI script \(script)", level: 1), timeout: .seconds(5))
            _ = try await session.send(.setVariable("FAXSTATUS", "FAILED"), timeout: .seconds(5))
            _ = try await session.send(.setVariable("FAXERROR", "UNKNOWN_SCRIPT"), timeout: .seconds(5))
        } catch {
            session.logger.debug("could not report the unknown script", metadata: ["error": "\(error)"])
        }
    }
}
