import FaxCore
import Foundation

/// What `faxline status` shows: the server writes it every second to `<data>/status.json`
/// (HylaFAX keeps per-modem status files the same way), so the CLI needs no connection.
public struct ServerStatus: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        public var name: String
        public var state: String
        public var direction: String?
        public var faxID: String?
        public var remoteNumber: String?
        public var since: Date
    }

    public var version: String
    public var processID: Int32
    public var startedAt: Date
    public var updatedAt: Date
    public var agi: String
    public var audioSocket: String
    public var lines: [Line]
    public var inboundCalls: Int
    public var outboundCalls: Int
    public var succeeded: Int
    public var failed: Int
    /// Inbound calls refused because every line was busy.
    public var refusedNoFreeLine: Int
    /// Inbound calls refused since the start, by reason (FAXERROR: NO_FREE_LINE, NO_DEVICE, …).
    public var refused: [String: Int]? = nil
    public var freeDiskBytes: Int64?
    /// Why new calls are refused right now, if they are.
    public var refusingCalls: String?
    /// Where outbound faxing stands: off, waiting for the Asterisk manager (and why), or ready.
    public var outbound: String? = nil
    /// What the admin should fix (e.g. a faxline.conf others can read).
    public var warnings: [String]? = nil

    /// A status older than this means the server is not running.
    public static let staleAfter: TimeInterval = 5

    public static func read(from path: String) throws -> ServerStatus {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ServerStatus.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Written whole (0640, like every file of the server) then renamed: a reader never sees
        // half a file.
        let temporary = path + ".new"
        guard FileManager.default.createFile(
            atPath: temporary, contents: try encoder.encode(self), attributes: [.posixPermissions: FilePermissions.fileMode])
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary]) }
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }

    /// Lines as `faxstat -s` would show them.
    public func report(now: Date = Date()) -> String {
        var text = "faxline \(version), pid \(processID), up since \(Self.clock(startedAt)); AGI \(agi), AudioSocket \(audioSocket)\n"
        for line in lines {
            var row = line.name.padding(toLength: 8, withPad: " ", startingAt: 0) + line.state.padding(toLength: 11, withPad: " ", startingAt: 0)
            if line.state != "idle" {
                if let number = line.remoteNumber, !number.isEmpty {
                    // A caller's number: cleaned again here, so no escape reaches the terminal.
                    row += (line.direction == "outbound" ? "to " : "from ") + UntrustedText.cleaned(number) + " "
                }
                if let fax = line.faxID { row += "fax \(fax.prefix(8)) " }
                row += "for \(Int(now.timeIntervalSince(line.since))) s"
            }
            text += row + "\n"
        }
        text += "calls: \(inboundCalls) in, \(outboundCalls) out; \(succeeded) ok, \(failed) failed; \(refusalText)\n"
        if let free = freeDiskBytes { text += "spool: \(free / 1_048_576) MB free\n" }
        if let refusing = refusingCalls { text += "REFUSING NEW CALLS: \(refusing)\n" }
        if let outbound { text += "outbound: \(outbound)\n" }
        for warning in warnings ?? [] { text += "WARNING: \(warning)\n" }
        return text
    }

    /// "4 refused: 2 no free line, 1 no device, 1 rejected by a rule", or "none refused".
    var refusalText: String {
        let counts = refused ?? [RefusalReason.noFreeLine.rawValue: refusedNoFreeLine]
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return "none refused" }
        let parts = RefusalReason.allCases.compactMap { reason in
            counts[reason.rawValue].flatMap { $0 > 0 ? "\($0) \(reason.plainWords)" : nil }
        }
        return "\(total) refused: " + parts.joined(separator: ", ")
    }

    private static func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }
}
