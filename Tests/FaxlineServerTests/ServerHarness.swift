import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Logging
import Mail
import Store
import Telephony
import Testing

/// A real `FaxlineServer` on loopback ports picked by the system, with a temporary data folder,
/// a loopback SMTP server, and an Asterisk emulator pointed at it.
final class ServerHarness: Sendable {
    let configuration: FaxlineConfiguration
    let server: FaxlineServer
    let database: FaxDatabase
    let smtp: TestSMTPServer
    let emulator: AsteriskEmulator
    /// The server's media clock, driven by the emulator's lock-step calls.
    let mediaClock: LockStepMediaClock
    private let running: Task<Void, any Error>

    /// `realTimeMedia`: the production media clock (a frame every 20 ms of wall time) instead of
    /// the lock-step one; `clock` times the server's waits (connect timeouts, polls).
    static func start(
        devices: [FaxDevice] = [ServerHarness.salesDevice], realTimeMedia: Bool = false,
        clock: any Clock<Duration> = ContinuousClock(), placer: (any OutboundCallPlacer)? = nil,
        logRecorder: LogRecorder? = nil,
        configure: (inout FaxlineConfiguration) -> Void = { _ in }
    ) async throws -> ServerHarness {
        let folder = try TestDocuments.makeTemporaryDirectory("server")
        let smtp = TestSMTPServer()
        let smtpPort = try await smtp.start()
        var configuration = FaxlineConfiguration(dataDirectory: folder.path)
        configuration.agi = .init(host: "127.0.0.1", port: 0)
        configuration.audioSocket = .init(host: "127.0.0.1", port: 0)
        configuration.web.port = 0
        configuration.mailIn.port = 0
        configuration.mediaConnectTimeout = .seconds(3)
        configuration.minimumFreeBytes = 1024 * 1024
        configuration.stationID = "+1 555 0199"
        configuration.smtp = SMTPConfiguration(host: "127.0.0.1", port: smtpPort, tlsMode: .none, fromAddress: "faxline@example.com",
                                               connectTimeout: .seconds(2), totalTimeout: .seconds(20))
        configuration.deliveryPollInterval = .milliseconds(200)
        configure(&configuration)
        var logger = logRecorder.map { Logger(label: "faxline.test", factory: $0.handler) } ?? Logger(label: "faxline.test")
        logger.logLevel = logRecorder != nil ? .debug
            : ProcessInfo.processInfo.environment["FAXLINE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let database = try FaxDatabase(path: configuration.databasePath)
        let mediaClock = LockStepMediaClock()
        let server = try FaxlineServer(
            configuration: configuration, logger: logger, store: database,
            mediaClock: realTimeMedia ? EventLoopMediaClock() : mediaClock, clock: clock, placer: placer)
        for device in devices {
            _ = try await database.addDevice(device)
        }
        let running = Task { try await server.run(signals: []) }
        let agiPort = try await server.agiServer.localAddress.port ?? 0
        _ = try await server.audioSocketServer.localAddress
        return ServerHarness(configuration: configuration, server: server, database: database, smtp: smtp,
                             emulator: AsteriskEmulator(agiPort: agiPort, clock: mediaClock), mediaClock: mediaClock,
                             running: running)
    }

    private init(configuration: FaxlineConfiguration, server: FaxlineServer, database: FaxDatabase, smtp: TestSMTPServer,
                 emulator: AsteriskEmulator, mediaClock: LockStepMediaClock, running: Task<Void, any Error>) {
        self.configuration = configuration
        self.server = server
        self.database = database
        self.smtp = smtp
        self.emulator = emulator
        self.mediaClock = mediaClock
        self.running = running
    }

    static let salesDevice = try! FaxDevice(
        extensionNumber: "201", name: "Sales", emailAddresses: ["sales@example.com"], deliveryFormat: .pdf)

    var spoolRoot: String { server.spool.root }
    var lines: LinePool { server.lines }

    func stop() async {
        running.cancel()
        _ = await running.result
        await smtp.stop()
    }

    /// The one fax record of a finished call.
    func onlyFax() async throws -> FaxRecord {
        let faxes = try await database.recentFaxes(FaxQuery(limit: 10))
        #expect(faxes.count == 1)
        return try #require(faxes.first)
    }

    /// An inbound call from a fax machine sending `document` (default: the 3-page letter).
    static func call(sending document: URL? = nil, hangUpAfterPages: Int? = nil,
                     behaviour: EmulatedFaxMachine.Behaviour = .fax) throws -> EmulatedInboundCall {
        let path = try document ?? TestDocuments.letter()
        return EmulatedInboundCall(machine: EmulatedFaxMachine(
            role: .send(document: path.path), hangUpAfterPages: hangUpAfterPages, behaviour: behaviour))
    }
}
