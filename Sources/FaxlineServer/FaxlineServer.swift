import FaxCore
import Foundation
import Logging
import Mail
import NIOCore
import ServiceLifecycle
import UnixSignals
import Store
import Synchronization
import Telephony
import Web
import Webhooks

/// `faxline serve`: every part of the server as services in one `ServiceGroup`, stopped
/// gracefully on SIGTERM or SIGINT (calls on the line may finish within the grace period).
///
/// This is where the parts are wired: each service gets the repositories it needs (and no
/// more), the lines, the spool, and the clocks.
public final class FaxlineServer: Sendable {
    public let configuration: FaxlineConfiguration
    public let lines: LinePool
    public let spool: Spool
    public let agiServer: FastAGIServer
    public let audioSocketServer: AudioSocketServer
    public let mailDelivery: MailDeliveryService
    /// Posts webhooks and job callbacks from the queue the store fills.
    public let webhookDelivery: WebhookDeliveryService
    /// Wakes `webhookDelivery` when this process queued a delivery.
    private let webhookObservation: WebhookQueueObservation?
    /// Sends queued jobs; `nil` without an `[ami]` username (no outbound faxing).
    public let outbound: OutboundDispatcher?
    /// The REST API's HTTP server; `nil` with `[web] bind = off`.
    public let web: WebServer?
    /// The mail-to-fax SMTP listener; `nil` with `[mail-in] bind = off`.
    public let mailIn: SMTPInboundServer?
    /// The Asterisk manager client, when it is the placer (a service of its own).
    private let manager: AMIClient?
    private let statusReporter: StatusReporter
    private let recovery: StartupRecovery
    private let retention: RetentionService
    private let control: ControlService
    /// Inbound calls refused since the start, by reason.
    public let refusals: RefusedCalls
    /// Counters, histograms and gauges for `/metrics`.
    public let metrics: ServerMetrics
    /// This server's hold on the data folder, from `init` until `run` returns.
    private let folderLock: Mutex<ServeLock?>
    private let logger: Logger
    /// What the admin should fix, said at start and in `faxline status` (files others can read).
    public let warnings: [String]

    /// Takes the data folder (`ServeLock`: another server on it is named in the error, and
    /// nothing of the folder is touched), opens the store (the SQLite file in the data folder,
    /// unless one is given) and the spool and builds every service; nothing listens yet.
    /// `mediaClock` ticks the calls' frames (tests: a lock-step clock); `clock` times every wait
    /// (connect timeouts, polls, retries). `placer` places outbound calls instead of an AMI
    /// client on `[ami]` (tests). `metrics` records into a registry of its own unless given
    /// (`faxline serve` gives the one it bootstrapped `MetricsSystem` with).
    public init(
        configuration: FaxlineConfiguration, logger: Logger, mailSender: (any MailSender)? = nil,
        store: (any FaxStore)? = nil, mediaClock: (any MediaClock)? = nil, clock: any Clock<Duration> = ContinuousClock(),
        placer injectedPlacer: (any OutboundCallPlacer)? = nil, metrics: ServerMetrics = ServerMetrics()
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        refusals = RefusedCalls(metrics: metrics)
        folderLock = Mutex(try ServeLock.acquire(dataDirectory: configuration.dataDirectory))
        try FileManager.default.createDirectory(
            atPath: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        warnings = FilePermissions.exposureWarnings(configuration: configuration)
        let database = try store ?? FaxDatabase(path: configuration.databasePath)
        let registry = AudioSocketSessionRegistry()
        let audioSocketServer = AudioSocketServer(
            configuration: AudioSocketServer.Configuration(
                host: configuration.audioSocket.host, port: configuration.audioSocket.port,
                allowList: configuration.audioSocketAllowList, maximumConnections: configuration.audioSocketMaximumConnections,
                idleTimeout: configuration.mediaIdleTimeout),
            registry: registry, logger: logger)
        self.audioSocketServer = audioSocketServer
        let configured = configuration.audioSocketAddress
        let listenHost = configuration.audioSocket.host
        let mediaAddress: @Sendable () async throws -> FaxlineConfiguration.Listener = {
            if let configured { return configured }
            let port = try await audioSocketServer.localAddress.port ?? 0
            return FaxlineConfiguration.Listener(host: listenHost, port: port)
        }
        lines = try LinePool(lines: configuration.lines, reserveInbound: configuration.reserveInbound)
        spool = Spool(root: configuration.spoolDirectory)
        try spool.prepare()
        let diskGuard = DiskGuard(spool: spool, minimumFreeBytes: configuration.minimumFreeBytes)
        var calls = FaxCallEnvironment(
            lines: lines, registry: registry, mediaClock: mediaClock ?? EventLoopMediaClock(), clock: clock,
            connectTimeout: configuration.mediaConnectTimeout, metrics: metrics, logger: logger)
        calls.memoryRelease = QuietMemoryRelease(lines: lines) { (database as? FaxDatabase)?.releaseMemory() }

        let sender = try mailSender ?? CurlSMTPSender(configuration: configuration.smtp, logger: logger)
        let cleaner = SpoolCleaner(configuration: configuration, store: database, logger: logger)
        let mailDelivery = try MailDeliveryService(
            deliveries: database, faxes: database, devices: database, spool: spool,
            settings: MailDeliveryService.Settings(
                fromAddress: configuration.smtp.fromAddress, retry: configuration.deliveryRetry,
                pollInterval: configuration.deliveryPollInterval),
            sender: sender, clock: clock, logger: logger, notices: database, jobs: database
        ) { fax in
            // Zero retention: the images go as soon as every mail of the fax is delivered.
            do {
                try await cleaner.deleteImagesIfDelivered(fax, actor: "serve", now: Date())
            } catch {
                logger.error("zero retention: cannot delete the images of a delivered fax", metadata: [
                    "fax.id": "\(fax.id)", "error": "\(ErrorWords.describe(error))",
                ])
            }
        }
        self.mailDelivery = mailDelivery
        let webhookDelivery = WebhookDeliveryService(
            store: database,
            poster: CurlWebhookPoster(destinations: configuration.webhooks.destinations, totalTimeout: configuration.webhooks.timeout),
            settings: configuration.webhooks, clock: clock, logger: logger)
        self.webhookDelivery = webhookDelivery
        webhookObservation = (database as? FaxDatabase)?.observeWebhookQueue { webhookDelivery.wake() }
        let finisher = ReceivedFaxFinisher(faxes: database, deliveries: database, spool: spool) { mailDelivery.wake() }
        recovery = StartupRecovery(faxes: database, devices: database, finisher: finisher, logger: logger)

        let inbound = InboundFaxScript(
            routing: database, faxes: database, finisher: finisher, diskGuard: diskGuard, calls: calls,
            settings: InboundFaxScript.Settings(
                ecm: configuration.ecm, stationID: configuration.stationID, mediaConnection: configuration.mediaConnection),
            refusals: refusals, mediaAddress: mediaAddress)
        agiServer = FastAGIServer(
            configuration: FastAGIServer.Configuration(
                host: configuration.agi.host, port: configuration.agi.port, allowList: configuration.agiAllowList,
                maximumConnections: configuration.agiMaximumConnections, secret: configuration.agiSecret),
            router: AGIRouter(["inbound": inbound, "fax/inbound": inbound]),
            logger: logger)

        let placer: (any OutboundCallPlacer)?
        if injectedPlacer != nil || configuration.ami.isConfigured {
            let manager = injectedPlacer == nil ? AMIClient(configuration: configuration.ami.clientConfiguration(), logger: logger) : nil
            let outboundPlacer: any OutboundCallPlacer = injectedPlacer ?? manager!
            placer = outboundPlacer
            let notifier = JobNotifier(notices: database, logger: logger) { mailDelivery.wake() }
            self.manager = manager
            outbound = OutboundDispatcher(
                jobs: database, history: database, placer: outboundPlacer, calls: calls,
                settings: OutboundDispatcher.Settings(
                    outbound: configuration.outbound, stationID: configuration.stationID, ecm: configuration.ecm, spool: spool),
                notifier: notifier, logger: logger, mediaAddress: mediaAddress)
        } else {
            placer = nil
            manager = nil
            outbound = nil
        }
        control = ControlService(
            dataDirectory: configuration.dataDirectory,
            control: JobControl(dispatcher: outbound, commands: JobCommands(jobs: database)) {
                mailDelivery.wake()
                webhookDelivery.wake()
            },
            logger: logger)
        retention = RetentionService(
            cleaner: cleaner,
            schedule: configuration.cleanupSchedule, logger: logger, clock: clock)

        let agi = agiServer
        var reporter = StatusReporter(
            path: configuration.statusPath, lines: lines, diskGuard: diskGuard, refusals: refusals, clock: clock, logger: logger
        ) {
            let agiAddress = (try? await agi.localAddress).map(Self.describe) ?? configuration.agi.description
            let mediaAddress = (try? await audioSocketServer.localAddress).map(Self.describe) ?? configuration.audioSocket.description
            return (agiAddress, mediaAddress)
        }
        if let dispatcher = outbound { reporter.outbound = { dispatcher.statusLine } }
        reporter.warnings = warnings
        statusReporter = reporter
        if configuration.web.host != nil {
            let status = reporter
            let adapter = WebServicesAdapter(
                store: database, spool: spool, configuration: configuration, logger: logger,
                mailWakeUp: { mailDelivery.wake() }, jobs: control.control, metrics: metrics
            ) { status.snapshot(addresses: (configuration.agi.description, configuration.audioSocket.description)) }
            let operations = ServerOperations(
                store: database, lines: lines, diskGuard: diskGuard, placer: placer, metrics: metrics, logger: logger)
            web = try WebServer(
                configuration: configuration.web, services: adapter.apiServices, operations: operations, logger: logger)
        } else {
            web = nil
        }
        if let host = configuration.mailIn.host {
            let outbound = self.outbound
            let gateway = MailToFaxGateway(
                settings: configuration.mailIn, store: database, spool: spool, minimumFreeBytes: configuration.minimumFreeBytes,
                resolver: SystemDNSResolver(), logger: logger, replies: (sender, configuration.smtp.fromAddress),
                wake: { outbound?.wake() })
            mailIn = SMTPInboundServer(
                configuration: configuration.mailIn.listenerConfiguration(
                    host: host, spoolDirectory: MailToFaxGateway.incomingDirectory(of: spool)),
                policy: gateway, logger: logger)
        } else {
            mailIn = nil
        }
    }

    /// Runs until a shutdown signal (or cancellation), after the startup recovery; then gives
    /// the data folder back.
    public func run(signals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        defer { folderLock.withLock { $0 = nil } }
        guard folderLock.withLock({ $0 != nil }) else { throw FaxlineServerError.alreadyRan }
        // Secrets in it print as ••••.
        logger.debug("configuration", metadata: ["configuration": "\(configuration)"])
        for warning in warnings { logger.warning("\(warning)") }
        try await control.bind()
        do {
            try await recovery.run()
        } catch {
            await control.close()
            throw error
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: agiServer), .init(service: audioSocketServer),
            .init(service: mailDelivery), .init(service: webhookDelivery), .init(service: statusReporter), .init(service: retention),
            .init(service: control),
        ]
        if let manager { services.append(.init(service: manager)) }
        if let web { services.append(.init(service: web)) }
        if let mailIn { services.append(.init(service: mailIn)) }
        if let outbound { services.append(.init(service: outbound)) }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: signals, logger: logger))
        try await group.run()
    }

    private static func describe(_ address: SocketAddress) -> String {
        "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
    }
}

public enum FaxlineServerError: Error, CustomStringConvertible {
    case alreadyRan

    public var description: String {
        switch self {
        case .alreadyRan: "this server has run and given its data folder back; make a new one"
        }
    }
}
