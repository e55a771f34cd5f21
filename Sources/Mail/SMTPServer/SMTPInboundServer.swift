import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The mail-to-fax SMTP listener: a service that accepts mail for fax numbers and hands each
/// message, spooled to a file, to a ``MailGatewayPolicy``.
///
/// One task per connection; a connection's failure (bad input, timeout, policy error, broken
/// TLS) ends only that connection. Graceful shutdown stops accepting at once and gives running
/// sessions `shutdownGracePeriod` to finish. Above `maximumConnections` a client is told 421.
public final class SMTPInboundServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port (tests); read it from ``localAddress``.
        public var port: Int
        /// The name the server greets with.
        public var hostname: String
        /// Where messages are spooled while they arrive; created with mode 0700.
        public var spoolDirectory: String
        /// Certificate and key for STARTTLS; without them STARTTLS is not offered.
        public var tls: TLSFiles?
        /// Whether STARTTLS is required before AUTH and MAIL. `nil`: required exactly when the
        /// listener is reachable from other machines (not bound to loopback).
        public var requiresTLS: Bool?
        public var limits: SMTPServerLimits
        public var maximumConnections: Int
        /// A session in which neither side sends anything for this long is closed with 421.
        public var idleTimeout: Duration
        public var shutdownGracePeriod: Duration

        public init(
            host: String = "127.0.0.1",
            port: Int = 2525,
            hostname: String = "localhost",
            spoolDirectory: String,
            tls: TLSFiles? = nil,
            requiresTLS: Bool? = nil,
            limits: SMTPServerLimits = .init(),
            maximumConnections: Int = 20,
            idleTimeout: Duration = .seconds(300),
            shutdownGracePeriod: Duration = .seconds(30)
        ) {
            self.host = host
            self.port = port
            self.hostname = hostname
            self.spoolDirectory = spoolDirectory
            self.tls = tls
            self.requiresTLS = requiresTLS
            self.limits = limits
            self.maximumConnections = maximumConnections
            self.idleTimeout = idleTimeout
            self.shutdownGracePeriod = shutdownGracePeriod
        }
    }

    /// PEM files: the certificate chain (server certificate first) and its private key.
    public struct TLSFiles: Sendable, Hashable {
        public var certificateChainPath: String
        public var privateKeyPath: String

        public init(certificateChainPath: String, privateKeyPath: String) {
            self.certificateChainPath = certificateChainPath
            self.privateKeyPath = privateKeyPath
        }
    }

    public let configuration: Configuration
    private let policy: any MailGatewayPolicy
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let boundAddress: EventLoopPromise<SocketAddress>
    private let activeConnections = Mutex(0)

    public init(
        configuration: Configuration,
        policy: any MailGatewayPolicy,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.policy = policy
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.boundAddress = eventLoopGroup.any().makePromise(of: SocketAddress.self)
    }

    deinit {
        // Never leave the promise unfulfilled (NIO reports that as a leak).
        boundAddress.fail(SMTPInboundServerError.notRunning)
    }

    /// The address the server listens on, once ``run()`` has bound it.
    public var localAddress: SocketAddress {
        get async throws { try await boundAddress.futureResult.get() }
    }

    public func run() async throws {
        let setup: (sslContext: NIOSSLContext?, channel: NIOAsyncChannel<AcceptedSMTPConnection, Never>, security: SMTPSessionSecurity)
        do {
            setup = try await listen()
        } catch {
            boundAddress.fail(error)
            throw error
        }
        let address = setup.channel.channel.localAddress!
        boundAddress.succeed(address)
        logger.info("SMTP mail-to-fax listener ready", metadata: [
            "address": "\(address)", "tls": "\(setup.sslContext != nil)", "tls.required": "\(setup.security.requiresTLSForMail)",
        ])
        await acceptConnections(on: setup.channel) { connection in
            await self.serve(connection, security: setup.security, sslContext: setup.sslContext)
        }
        logger.info("SMTP listener stopped")
    }

    private func listen() async throws -> (NIOSSLContext?, NIOAsyncChannel<AcceptedSMTPConnection, Never>, SMTPSessionSecurity) {
        do {
            try SpoolFile.prepareDirectory(configuration.spoolDirectory)
        } catch {
            throw SMTPInboundServerError.spoolUnusable("\(error)")
        }
        let sslContext = try configuration.tls.map(Self.makeSSLContext)
        // Decided before binding: a listener others can reach never opens without TLS.
        let address: SocketAddress
        do {
            address = try SocketAddress.makeAddressResolvingHost(configuration.host, port: configuration.port)
        } catch {
            throw SMTPInboundServerError.badAddress(host: configuration.host, reason: "\(error)")
        }
        let requiresTLS = configuration.requiresTLS ?? !SocketAddress.isLoopback(address)
        if requiresTLS && sslContext == nil {
            throw SMTPInboundServerError.certificateRequired(host: configuration.host)
        }
        let security = SMTPSessionSecurity(
            isTLSAvailable: sslContext != nil,
            requiresTLSForMail: requiresTLS,
            allowsAuthenticationWithoutTLS: !requiresTLS
        )
        let idleTimeout = TimeAmount(configuration.idleTimeout)
        let channel = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SMTPConnectionEventHandler(idleTimeout: idleTimeout))
                    return AcceptedSMTPConnection(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                }
            }
        return (sslContext, channel, security)
    }

    private static func makeSSLContext(_ files: TLSFiles) throws -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.certificateChainPath)
            guard !chain.isEmpty else {
                throw SMTPInboundServerError.tlsUnusable("no certificate in \(files.certificateChainPath)")
            }
            let key = try NIOSSLPrivateKey(file: files.privateKeyPath, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            tls.minimumTLSVersion = .tlsv12
            return try NIOSSLContext(configuration: tls)
        } catch let error as SMTPInboundServerError {
            throw error
        } catch {
            throw SMTPInboundServerError.tlsUnusable(
                "cannot use certificate \(files.certificateChainPath) with key \(files.privateKeyPath): \(error)")
        }
    }

    /// One task per connection in a discarding group; on graceful shutdown the listener closes
    /// at once and running sessions get the grace period, then are cancelled.
    private func acceptConnections(
        on serverChannel: NIOAsyncChannel<AcceptedSMTPConnection, Never>,
        handle: @escaping @Sendable (AcceptedSMTPConnection) async -> Void
    ) async {
        let gracePeriod = configuration.shutdownGracePeriod
        let logger = self.logger
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withDiscardingTaskGroup { connections in
                    do {
                        try await serverChannel.executeThenClose { inbound in
                            for try await connection in inbound {
                                connections.addTask { await handle(connection) }
                            }
                        }
                    } catch is CancellationError {
                        return
                    } catch {
                        logger.error("SMTP listener failed", metadata: ["error": "\(error)"])
                    }
                }
            }
            group.addTask {
                do {
                    try await gracefulShutdown()
                } catch {
                    return
                }
                logger.info("SMTP listener shutting down: no new connections, running sessions have \(gracePeriod) to finish")
                serverChannel.channel.close(promise: nil)
                try? await Task.sleep(for: gracePeriod)
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func serve(_ accepted: AcceptedSMTPConnection, security: SMTPSessionSecurity, sslContext: NIOSSLContext?) async {
        guard let connection = accepted.take() else { return }
        let sessionID = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        var logger = self.logger
        logger[metadataKey: "smtp.session"] = "\(sessionID)"
        logger[metadataKey: "smtp.peer"] = "\(connection.channel.remoteAddress.map { "\($0)" } ?? "unknown")"
        let maximum = configuration.maximumConnections
        let admitted = activeConnections.withLock { count in
            guard count < maximum else { return false }
            count += 1
            return true
        }
        guard admitted else {
            logger.warning("SMTP connection refused: \(maximum) sessions already running")
            try? await connection.executeThenClose { _, _ in
                var reply = ByteBuffer()
                reply.writeSMTPReply(SMTPServerStateMachine.tooManyConnectionsReply(hostname: configuration.hostname))
                try await connection.channel.writeAndFlush(reply)
            }
            return
        }
        defer { activeConnections.withLock { $0 -= 1 } }
        let machineConfiguration = SMTPServerStateMachine.Configuration(
            hostname: configuration.hostname, limits: configuration.limits, security: security)
        do {
            try await connection.executeThenClose { inbound, _ in
                let driver = SMTPSessionDriver(
                    configuration: machineConfiguration,
                    channel: connection.channel,
                    policy: policy,
                    spoolDirectory: configuration.spoolDirectory,
                    sslContext: sslContext,
                    sessionID: sessionID,
                    logger: logger
                )
                try await driver.run(inbound: inbound)
            }
        } catch is CancellationError {
            logger.info("SMTP session cancelled by shutdown")
        } catch let error as NIOSSLError {
            logger.warning("SMTP session ended: TLS failed", metadata: ["error": "\(error)"])
        } catch {
            logger.info("SMTP session ended", metadata: ["error": "\(error)"])
        }
    }
}

/// Why the listener cannot start.
public enum SMTPInboundServerError: Error, Sendable, CustomStringConvertible {
    case spoolUnusable(String)
    case tlsUnusable(String)
    /// A listener others can reach needs STARTTLS, which needs a certificate.
    case certificateRequired(host: String)
    case badAddress(host: String, reason: String)
    case notRunning

    public var description: String {
        switch self {
        case .spoolUnusable(let reason): return "mail-in spool folder unusable: \(reason)"
        case .tlsUnusable(let reason): return "mail-in TLS: \(reason)"
        case .certificateRequired(let host):
            return "mail-in listens on \(host), which other machines can reach: configure a TLS certificate and key (STARTTLS is required there)"
        case .badAddress(let host, let reason): return "mail-in cannot listen on \(host): \(reason)"
        case .notRunning: return "the SMTP listener is not running"
        }
    }
}

/// An accepted connection until its task takes it. NIO drops a connection accepted while the
/// listener closes, and an `NIOAsyncChannel` dropped unfinished traps; this owner finishes and
/// closes such a connection instead.
final class AcceptedSMTPConnection: Sendable {
    private let channel: Mutex<NIOAsyncChannel<SMTPConnectionEvent, ByteBuffer>?>

    init(_ channel: NIOAsyncChannel<SMTPConnectionEvent, ByteBuffer>) {
        self.channel = Mutex(channel)
    }

    func take() -> NIOAsyncChannel<SMTPConnectionEvent, ByteBuffer>? {
        channel.withLock { stored in
            defer { stored = nil }
            return stored
        }
    }

    deinit {
        if let unclaimed = take() {
            Task { try? await unclaimed.executeThenClose { _, _ in } }
        }
    }
}
