import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServerSupport
import ServiceLifecycle

/// The mail-to-fax SMTP listener: a service that accepts mail for fax numbers and hands each
/// message, spooled to a file, to a ``MailGatewayPolicy``.
///
/// One task per connection; a connection's failure (bad input, timeout, policy error, broken
/// TLS) ends only that connection. Graceful shutdown stops accepting at once and gives running
/// sessions `shutdownGracePeriod` to finish. Above `maximumConnections` a client is told 421; a
/// peer outside `allowList`, 554.
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
        /// Who may connect; anyone unless configured (STARTTLS and AUTH guard the rest).
        public var allowList: PeerAllowList
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
            allowList: PeerAllowList = .anyone,
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
            self.allowList = allowList
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
    private let boundAddress: ListenerAddress
    private let admission: ConnectionAdmission

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
        self.boundAddress = ListenerAddress(eventLoopGroup: eventLoopGroup)
        let hostname = configuration.hostname
        admission = ConnectionAdmission(
            listener: "SMTP", allowList: configuration.allowList, maximumConnections: configuration.maximumConnections,
            logger: logger
        ) { refusal in
            var reply = ByteBuffer()
            switch refusal {
            case .tooManyConnections: reply.writeSMTPReply(SMTPServerStateMachine.tooManyConnectionsReply(hostname: hostname))
            case .peerNotAllowed: reply.writeSMTPReply(SMTPServerReply(554, .init(5, 7, 1), "\(hostname) no SMTP service for you here"))
            }
            return reply
        }
    }

    /// The address the server listens on, once ``run()`` has bound it.
    public var localAddress: SocketAddress {
        get async throws { try await boundAddress.value }
    }

    public func run() async throws {
        let setup: (sslContext: NIOSSLContext?, channel: NIOAsyncChannel<Admission<SMTPConnection>, Never>, security: SMTPSessionSecurity)
        do {
            setup = try await listen()
        } catch {
            boundAddress.failed(error)
            throw error
        }
        let address = setup.channel.channel.localAddress!
        boundAddress.bound(address)
        logger.info("SMTP mail-to-fax listener ready", metadata: [
            "address": "\(address)", "tls": "\(setup.sslContext != nil)", "tls.required": "\(setup.security.requiresTLSForMail)",
        ])
        await ConnectionAcceptor.run(
            serverChannel: setup.channel, gracePeriod: configuration.shutdownGracePeriod, logger: logger
        ) { connection in
            await self.serve(connection, security: setup.security, sslContext: setup.sslContext)
        }
        logger.info("SMTP listener stopped")
    }

    private func listen() async throws -> (NIOSSLContext?, NIOAsyncChannel<Admission<SMTPConnection>, Never>, SMTPSessionSecurity) {
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
        let requiresTLS = configuration.requiresTLS ?? !address.isLoopback
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
            .bind(
                to: address,
                childChannelInitializer: admission.childChannelInitializer { channel in
                    try SMTPConnectionEventHandler.addHandlers(to: channel.pipeline.syncOperations, idleTimeout: idleTimeout)
                    return SMTPConnection(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                })
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

    private func serve(_ accepted: SMTPConnection, security: SMTPSessionSecurity, sslContext: NIOSSLContext?) async {
        guard let connection = accepted.take() else { return }
        let sessionID = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        var logger = self.logger
        logger[metadataKey: "smtp.session"] = "\(sessionID)"
        logger[metadataKey: "smtp.peer"] = "\(connection.channel.remoteAddress.map { "\($0)" } ?? "unknown")"
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

    public var description: String {
        switch self {
        case .spoolUnusable(let reason): return "mail-in spool folder unusable: \(reason)"
        case .tlsUnusable(let reason): return "mail-in TLS: \(reason)"
        case .certificateRequired(let host):
            return "mail-in listens on \(host), which other machines can reach: configure a TLS certificate and key (STARTTLS is required there)"
        case .badAddress(let host, let reason): return "mail-in cannot listen on \(host): \(reason)"
        }
    }
}

/// An accepted SMTP connection until its task takes it.
typealias SMTPConnection = AcceptedConnection<SMTPConnectionEvent, ByteBuffer>
