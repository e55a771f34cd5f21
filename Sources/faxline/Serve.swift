import ArgumentParser
import FaxlineServer
import Logging

/// The daemon: FastAGI, AudioSocket, the mail queue and the status file, on the data folder's
/// configuration (`<data>/faxline.conf`, all defaults when it is absent).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the fax server.",
        discussion: """
            Listens for FastAGI (127.0.0.1:4573) and AudioSocket (127.0.0.1:9092) unless \
            <data>/faxline.conf says otherwise, and delivers received faxes by mail. Stops \
            gracefully on SIGTERM or SIGINT.
            """)

    @OptionGroup var data: DataOptions
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        ProcessMemory.limitArenas()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "faxline")
        let configuration: FaxlineConfiguration
        do {
            configuration = try FaxlineConfiguration.load(dataDirectory: data.directory)
        } catch {
            throw CommandFailure("\(error)")
        }
        let server: FaxlineServer
        do {
            server = try FaxlineServer(configuration: configuration, logger: logger)
        } catch {
            throw CommandFailure("cannot start: \(error)")
        }
        logger.notice("faxline serving", metadata: [
            "data": "\(configuration.dataDirectory)", "agi": "\(configuration.agi.description)",
            "audiosocket": "\(configuration.audioSocket.description)", "lines": "\(configuration.lines)",
        ])
        try await server.run()
    }
}
