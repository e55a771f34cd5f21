import Logging
import Synchronization

/// Every log line a test's loggers write, with its metadata: for tests that check what is
/// logged (a refusal named once, a secret never shown).
public final class LogRecorder: Sendable {
    public struct Entry: Sendable {
        public let level: Logger.Level
        public let message: String
        public let metadata: [String: String]
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    /// A logger that records here, at `level` and above.
    public func logger(label: String = "test", level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: label, factory: handler)
        logger.logLevel = level
        return logger
    }

    /// A log handler factory for `Logger(label:factory:)`.
    public func handler(label: String) -> any LogHandler {
        RecordingLogHandler(recorder: self)
    }

    public var all: [Entry] { entries.withLock { $0 } }

    /// Every line with its level and metadata, as one text.
    public var text: String {
        all.map { "\($0.level) \($0.message) \($0.metadata)" }.joined(separator: "\n")
    }

    public func contains(level: Logger.Level, _ fragment: String) -> Bool {
        all.contains { $0.level == level && $0.message.contains(fragment) }
    }

    fileprivate func record(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
    }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        event.metadata?.forEach { merged[$0.key] = $0.value }
        recorder.record(.init(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
