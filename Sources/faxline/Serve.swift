import ArgumentParser
import FaxCore
import FaxlineServer
import Logging
import ServerSupport

/// The daemon: FastAGI, AudioSocket, the mail queue and the status file, on the data folder's
/// configuration (`<data>/faxline.conf`, all defaults when it is absent).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the fax server.",
        discussion: """
            Listens for FastAGI (127.0.0.1:4573) and AudioSocket (127.0.0.1:9092) unless \
            <data>/faxline.conf says otherwise, and delivers received faxes by mail. Stops \
            gracefully on SIGTERM or SIGINT. One server runs per data folder (a lock on \
            <data>/run/serve.lock). Under systemd (JOURNAL_STREAM set) the log goes to the journal \
            without timestamps of its own, one line per entry.
            """)

    @OptionGroup var data: DataOptions
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        ProcessMemory.limitArenas()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let journal = JournalLogHandler.isJournalStream
        LoggingSystem.bootstrap { label in
            if journal { return JournalLogHandler(logLevel: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "faxline")
        let configuration = try CleanupCommand.loadConfiguration(data)
        let openFiles = ProcessLimits.raiseOpenFileLimit()
        let server: FaxlineServer
        do {
            let metrics = ServerMetrics()
            metrics.bootstrapMetricsSystem()
            server = try FaxlineServer(configuration: configuration, logger: logger, metrics: metrics)
        } catch let error as ServeLockError {
            throw CommandFailure(error.description)
        } catch {
            throw CommandFailure("cannot start: \(ErrorWords.describe(error))")
        }
        logger.notice("faxline serving", metadata: [
            "data": "\(configuration.dataDirectory)", "agi": "\(configuration.agi.description)",
            "audiosocket": "\(configuration.audioSocket.description)", "lines": "\(configuration.lines)",
            "open_files": "\(openFiles.map(String.init) ?? "unknown")",
        ])
        do {
            try await server.run()
        } catch {
            // A listener that cannot open names itself, its address and why ("the address is
            // already in use"); the run ends with it.
            throw CommandFailure(ErrorWords.describe(error))
        }
    }
}
