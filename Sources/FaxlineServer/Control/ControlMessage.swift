/// The control channel's wire messages: one line each way. `faxline jobs kill` and
/// `faxline send` talk to the running server this way (a Unix socket in the data folder).
///
/// Requests: `kill <job id> [<who>]` stops a job now (a call on the line is hung up); `wake`
/// makes the server look at the queue now. Replies: `ok [<detail>]` or `error <message>`.
/// Parsing is pure and limited: a line is at most ``maximumLineLength`` bytes, `who` a short
/// name of letters, digits and `.`, `_`, `-`, `@`.
public enum ControlRequest: Sendable, Equatable {
    case kill(jobID: Int64, by: String)
    case wake

    public static let maximumLineLength = 256
    static let maximumNameLength = 64

    public init(parsing line: String) throws(ControlProtocolError) {
        guard line.utf8.count <= Self.maximumLineLength else { throw .lineTooLong(limit: Self.maximumLineLength) }
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        switch words.first {
        case "kill":
            guard words.count == 2 || words.count == 3 else { throw .malformed("kill takes a job id and an optional name") }
            guard let id = Int64(words[1]), id > 0 else { throw .malformed("kill takes a job id (a positive number)") }
            let who = words.count == 3 ? String(words[2]) : "the control channel"
            if words.count == 3 {
                guard who.utf8.count <= Self.maximumNameLength, who.unicodeScalars.allSatisfy(Self.isNameCharacter) else {
                    throw .malformed("the name after the job id is not a user name")
                }
            }
            self = .kill(jobID: id, by: who)
        case "wake":
            guard words.count == 1 else { throw .malformed("wake takes nothing") }
            self = .wake
        default:
            throw .unknownCommand(String(words.first ?? "").prefix(20).description)
        }
    }

    /// The line to send (without its terminator).
    public var line: String {
        switch self {
        case .kill(let id, let who):
            who.unicodeScalars.allSatisfy(Self.isNameCharacter) && !who.isEmpty && who.utf8.count <= Self.maximumNameLength
                ? "kill \(id) \(who)" : "kill \(id)"
        case .wake: "wake"
        }
    }

    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-@".unicodeScalars.contains(scalar))
    }
}

public enum ControlReply: Sendable, Equatable {
    case ok(String)
    case error(String)

    public init(parsing line: String) throws(ControlProtocolError) {
        guard line.utf8.count <= ControlRequest.maximumLineLength * 4 else { throw .lineTooLong(limit: ControlRequest.maximumLineLength * 4) }
        if line == "ok" {
            self = .ok("")
        } else if line.hasPrefix("ok ") {
            self = .ok(String(line.dropFirst(3)))
        } else if line.hasPrefix("error ") {
            self = .error(String(line.dropFirst(6)))
        } else {
            throw .malformed("not a reply")
        }
    }

    /// One line: control characters in the text become spaces, so a message cannot forge a
    /// second reply.
    public var line: String {
        func oneLine(_ text: String) -> String {
            String(String.UnicodeScalarView(text.unicodeScalars.prefix(ControlRequest.maximumLineLength * 2).map {
                $0.properties.generalCategory == .control ? " " : $0
            }))
        }
        switch self {
        case .ok(let detail): return detail.isEmpty ? "ok" : "ok \(oneLine(detail))"
        case .error(let message): return "error \(oneLine(message))"
        }
    }
}

public enum ControlProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    case lineTooLong(limit: Int)
    case unknownCommand(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .lineTooLong(let limit): "control line longer than \(limit) bytes"
        case .unknownCommand(let word): "unknown control command \(WireQuote.quoted(word))"
        case .malformed(let why): why
        }
    }
}

/// Quotes untrusted text for an error message: printable ASCII kept, the rest escaped.
enum WireQuote {
    static func quoted(_ text: String) -> String {
        "\"" + text.unicodeScalars.map { (0x20...0x7E).contains($0.value) ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined() + "\""
    }
}
