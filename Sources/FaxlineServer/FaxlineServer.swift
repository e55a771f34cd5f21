import FaxCore
import Foundation
import Logging
import Mail
import NIOCore
import ServiceLifecycle
import UnixSignals
import Store
import Telephony
import Web

/// `faxline serve`: every part of the server as services in one `ServiceGroup`, stopped
/// gracefully on SIGTERM or SIGINT (calls on the line may finish within the grace period).
public final class FaxlineServer: Sendable {
    public let services: FaxServices
    public let agiServer: FastAGIServer
    public let audioSocketServer: AudioSocketServer
    public let mailDelivery: MailDeliveryService
    /// Sends queued jobs; `nil` without an `[ami]` username (no outbound faxing).
    public let outbound: OutboundDispatcher?
    /// The REST API's HTTP server; `nil` with `[web] bind = off`.
    public let web: WebServer?
    private let statusReporter: StatusReporter

    /// Opens the database and the spool and builds every service; nothing listens yet.
    public init(configuration: FaxlineConfiguration, logger: Logger, mailSender: (any MailSender)? = nil) throws {
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let database = try FaxDatabase(path: configuration.databasePath)
        let registry = AudioSocketSessionRegistry()
        let audioSocketServer = AudioSocketServer(
            configuration: AudioSocketServer.Configuration(
                host: configuration.audioSocket.host, port: configuration.audioSocket.port,
                idleTimeout: configuration.mediaIdleTimeout),
            registry: registry, logger: logger)
        let configured = configuration.audioSocketAddress
        let listenHost = configuration.audioSocket.host
        services = FaxServices(
            configuration: configuration, database: database,
            lines: try LinePool(lines: configuration.lines, reserveInbound: configuration.reserveInbound),
            audioSessions: registry, logger: logger,
            mediaAddress: {
                if let configured { return configured }
                let port = try await audioSocketServer.localAddress.port ?? 0
                return FaxlineConfiguration.Listener(host: listenHost, port: port)
            })
        try services.spool.prepare()
        self.audioSocketServer = audioSocketServer
        let inbound = InboundFaxScript(services: services)
        agiServer = FastAGIServer(
            configuration: FastAGIServer.Configuration(host: configuration.agi.host, port: configuration.agi.port),
            router: AGIRouter(["inbound": inbound, "fax/inbound": inbound]),
            logger: logger)
        let sender = try mailSender ?? CurlSMTPSender(configuration: configuration.smtp, logger: logger)
        mailDelivery = try MailDeliveryService(services: services, sender: sender)
        outbound = configuration.ami.isConfigured
            ? OutboundDispatcher(
                services: services, ami: AMIClient(configuration: configuration.ami.clientConfiguration(), logger: logger),
                notifier: JobNotifier(sender: sender, from: configuration.smtp.fromAddress, logger: logger))
            : nil
        let agi = agiServer
        var reporter = StatusReporter(services: services) {
            let agiAddress = (try? await agi.localAddress).map(Self.describe) ?? configuration.agi.description
            let mediaAddress = (try? await audioSocketServer.localAddress).map(Self.describe) ?? configuration.audioSocket.description
            return (agiAddress, mediaAddress)
        }
        if let dispatcher = outbound { reporter.outbound = { dispatcher.statusLine } }
        statusReporter = reporter
        if configuration.web.host != nil {
            let status = reporter
            let adapter = WebServicesAdapter(services: services, dispatcherWakeUp: outbound?.wakeUp) { await status.snapshot() }
            web = try WebServer(configuration: configuration.web, services: WebServicesAdapter.makeServices(adapter), logger: logger)
        } else {
            web = nil
        }
    }

    /// Runs until a shutdown signal (or cancellation), after the startup recovery.
    public func run(signals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        try await StartupRecovery(services: services).run()
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: agiServer), .init(service: audioSocketServer),
                    .init(service: mailDelivery), .init(service: statusReporter),
                    .init(service: RetentionService(services: services)),
                ] + (outbound.map { [.init(service: $0.ami), .init(service: $0)] } ?? [])
                    + (web.map { [.init(service: $0)] } ?? []),
                gracefulShutdownSignals: signals,
                logger: services.logger))
        try await group.run()
    }

    private static func describe(_ address: SocketAddress) -> String {
        "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
    }
}
