import NIOCore

/// Asterisk's answer to one AGI command.
public enum AGIResponse: Sendable, Hashable, CustomStringConvertible {
    /// `200 result=<int> [(data)] [endpos=<int>]`.
    case success(AGIResult)
    /// `510 Invalid or unknown command`.
    case invalidOrUnknownCommand
    /// `511 Command Not Permitted on a dead channel…`: the call has hung up.
    case notPermittedOnDeadChannel
    /// `520-…` usage text ending in `520 End of proper usage.` (or a single `520 …` line):
    /// Asterisk knows the command but not these arguments. `usage` holds the lines in between.
    case invalidSyntax(usage: [String])

    /// The numeric status: 200, 510, 511 or 520.
    public var code: Int {
        switch self {
        case .success: return 200
        case .invalidOrUnknownCommand: return 510
        case .notPermittedOnDeadChannel: return 511
        case .invalidSyntax: return 520
        }
    }

    /// The `result=` value of a 200 response.
    public var result: Int? {
        if case .success(let result) = self { return result.result }
        return nil
    }

    /// The `(data)` of a 200 response.
    public var data: String? {
        if case .success(let result) = self { return result.data }
        return nil
    }

    /// The response lines as Asterisk writes them, each ended by "\n".
    public var encodedText: String {
        switch self {
        case .success(let result):
            var line = "200 result=\(result.result)"
            if let data = result.data { line += " (\(data))" }
            if let endpos = result.endpos { line += " endpos=\(endpos)" }
            return line + "\n"
        case .invalidOrUnknownCommand:
            return "510 Invalid or unknown command\n"
        case .notPermittedOnDeadChannel:
            return "511 Command Not Permitted on a dead channel or intercept routine\n"
        case .invalidSyntax(let usage):
            if usage.isEmpty {
                return "520 Invalid command syntax.  Proper usage not available.\n"
            }
            return "520-Invalid command syntax.  Proper usage follows:\n"
                + usage.map { $0 + "\n" }.joined()
                + "520 End of proper usage.\n"
        }
    }

    /// ``encodedText`` in a buffer, for writing to a socket.
    public func encoded() -> ByteBuffer {
        ByteBuffer(string: encodedText)
    }

    public var description: String {
        encodedText.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
    }

    /// Parses a complete response text (one or more lines, as from ``encodedText``).
    public static func parse(_ text: String, limits: AGIReplyParser.Limits = .init()) throws -> AGIResponse {
        var parser = AGIReplyParser(limits: limits)
        // Split on bytes: as Characters, "\r\n" is one unit and would not split on "\n".
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
        if lines.last == "" { lines.removeLast() }
        for (position, line) in lines.enumerated() {
            if case .response(let response) = try parser.feed(line: line) {
                guard position == lines.count - 1 else {
                    throw AGIProtocolError.malformedResponse(text)
                }
                return response
            }
        }
        throw AGIProtocolError.malformedResponse(text)
    }
}

/// The body of a `200` response.
public struct AGIResult: Sendable, Hashable {
    /// `result=`: the command's return value (EXEC: the application's; -1 often means hung up).
    public var result: Int
    /// The text in parentheses, e.g. the value for GET VARIABLE or `timeout`.
    public var data: String?
    /// `endpos=` of the streaming commands.
    public var endpos: Int?

    public init(result: Int, data: String? = nil, endpos: Int? = nil) {
        self.result = result
        self.data = data
        self.endpos = endpos
    }
}

/// One message from Asterisk on an AGI connection after the environment.
public enum AGIReply: Sendable, Hashable {
    /// The response to the command in flight.
    case response(AGIResponse)
    /// `HANGUP`: the channel hung up (sent when AGISIGHUP is on), at any time, not a response.
    case hangup

    /// The lines as Asterisk writes them.
    public var encodedText: String {
        switch self {
        case .response(let response): return response.encodedText
        case .hangup: return "HANGUP\n"
        }
    }

    public func encoded() -> ByteBuffer {
        ByteBuffer(string: encodedText)
    }
}
