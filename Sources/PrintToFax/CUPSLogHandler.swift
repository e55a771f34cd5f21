import FaxCore
import Foundation
import Logging

/// swift-log for a CUPS backend: one line per message on standard error, prefixed as the
/// scheduler reads them (`ERROR:` and `WARNING:` go to its error log and the job's state
/// message, `INFO:` is the state message, `DEBUG:` only its debug log), with the metadata
/// (`job.id`, `user`, …) after the message.
public struct CUPSLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let write: @Sendable (String) -> Void

    public init(write: @escaping @Sendable (String) -> Void = CUPSLogHandler.standardError) {
        self.write = write
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let prefix = switch event.level {
        case .critical, .error: "ERROR"
        case .warning: "WARNING"
        case .notice, .info: "INFO"
        case .debug, .trace: "DEBUG"
        }
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let details = all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ")
        // One line each: a message holding a line break could forge a prefix of its own.
        let text = UntrustedText.cleaned("\(event.message)" + (details.isEmpty ? "" : " (\(details))"))
        write("\(prefix): \(text)\n")
    }
}
