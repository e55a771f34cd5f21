import Foundation
import Logging

/// Log lines for the systemd journal (`faxline serve` under systemd, where `JOURNAL_STREAM` is
/// set): the journal stamps each line itself, so no timestamp of our own; one line per entry
/// (a line break in a message would make two entries); the level as a `<N>` syslog prefix,
/// which the journal turns into the entry's priority; metadata as `key=value`, quoted when
/// the value has spaces. `journalctl -u faxline` then reads like:
///
///     fax received status=received pages=3 caller=5550100 fax.id=3f2c1a9b-…
struct JournalLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    /// Where a finished line goes (standard error; tests collect them).
    let write: @Sendable (String) -> Void

    init(logLevel: Logger.Level, write: @escaping @Sendable (String) -> Void = JournalLogHandler.standardError) {
        self.logLevel = logLevel
        self.write = write
    }

    /// Whether standard error goes to the journal.
    static var isJournalStream: Bool {
        !(ProcessInfo.processInfo.environment["JOURNAL_STREAM"] ?? "").isEmpty
    }

    static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        write(Self.line(level: event.level, message: event.message.description, metadata: merged))
    }

    /// `<6>message key=value …\n`, all on one line.
    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var text = "<\(priority(level))>" + oneLine(message)
        for key in metadata.keys.sorted() {
            text += " " + oneLine(key).replacingOccurrences(of: " ", with: "_") + "=" + value(metadata[key].map { "\($0)" } ?? "")
        }
        return text + "\n"
    }

    /// syslog(3) priorities: the journal shows errors in red, warnings in bold.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    private static func value(_ text: String) -> String {
        let flat = oneLine(text)
        guard flat.isEmpty || flat.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return flat }
        return "\"" + flat.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Line breaks and other control characters become spaces.
    private static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }
}
