/// A command a client sends to an SMTP server (the subset the test server speaks).
public enum SMTPCommand: Sendable, Equatable {
    case hello(domain: String, extended: Bool)
    case mailFrom(String)
    case recipient(String)
    case data
    case reset
    case noop
    case quit
    case startTLS
    /// `AUTH mechanism [initial-response]`.
    case authenticate(mechanism: String, initialResponse: String?)
    case verify(String)
    case unknown(verb: String)

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case notText
        case missingArgument(String)
        case badPath(String)

        public var description: String {
            switch self {
            case .empty: return "empty command line"
            case .notText: return "command line is not printable ASCII"
            case .missingArgument(let verb): return "\(verb) needs an argument"
            case .badPath(let text): return "bad path \(String(reflecting: text))"
            }
        }
    }

    /// Longest command line RFC 5321 allows (512 including CRLF).
    public static let maximumLength = 510
    public static let maximumPathLength = 256

    /// Parses one line without its CRLF.
    public static func parse(_ line: [UInt8]) throws(ParseError) -> SMTPCommand {
        guard !line.isEmpty else { throw .empty }
        guard line.count <= maximumLength, line.allSatisfy({ (0x20...0x7E).contains($0) || $0 == 0x09 }) else {
            throw .notText
        }
        let text = String(decoding: line, as: UTF8.self)
        let space = text.firstIndex(of: " ")
        let verb = String(text[..<(space ?? text.endIndex)]).uppercased()
        let argument = space.map { String(text[text.index(after: $0)...]).trimmingSpaces } ?? ""
        switch verb {
        case "EHLO", "HELO":
            guard !argument.isEmpty else { throw .missingArgument(verb) }
            return .hello(domain: argument, extended: verb == "EHLO")
        case "MAIL":
            return .mailFrom(try path(after: "FROM:", in: argument, allowEmpty: true))
        case "RCPT":
            return .recipient(try path(after: "TO:", in: argument, allowEmpty: false))
        case "DATA": return .data
        case "RSET": return .reset
        case "NOOP": return .noop
        case "QUIT": return .quit
        case "STARTTLS": return .startTLS
        case "AUTH":
            let pieces = argument.split(separator: " ", maxSplits: 1).map(String.init)
            guard let mechanism = pieces.first else { throw .missingArgument(verb) }
            return .authenticate(mechanism: mechanism.uppercased(), initialResponse: pieces.count > 1 ? pieces[1] : nil)
        case "VRFY": return .verify(argument)
        default: return .unknown(verb: String(verb.prefix(16)))
        }
    }

    /// The address inside `FROM:<a@b> PARAMS`; parameters (SIZE=…, BODY=…) are ignored.
    private static func path(after keyword: String, in argument: String, allowEmpty: Bool) throws(ParseError) -> String {
        guard argument.uppercased().hasPrefix(keyword) else { throw .missingArgument(keyword) }
        let rest = argument.dropFirst(keyword.count).drop(while: { $0 == " " })
        guard rest.first == "<", let close = rest.firstIndex(of: ">") else { throw .badPath(String(rest.prefix(64))) }
        let address = String(rest[rest.index(after: rest.startIndex)..<close])
        guard address.utf8.count <= maximumPathLength, !address.contains("<"), allowEmpty || !address.isEmpty else {
            throw .badPath(String(address.prefix(64)))
        }
        return address
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
