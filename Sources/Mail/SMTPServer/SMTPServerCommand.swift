/// A command from an SMTP client, parsed from one line (without its line ending).
///
/// Parsing is pure and total: any byte string yields a command or a ``SMTPCommandSyntaxError``
/// that names what is wrong; nothing is trusted beyond printable ASCII.
public enum SMTPServerCommand: Sendable, Hashable {
    case hello(domain: String, extended: Bool)
    case mail(from: SMTPReversePath, parameters: SMTPMailParameters)
    case recipient(to: SMTPMailbox)
    case data
    case reset
    case noop
    case quit
    case verify(String)
    case help
    case startTLS
    /// `AUTH mechanism [initial-response]`; `=` as the initial response means an empty one.
    case authenticate(mechanism: SMTPAuthenticationMechanism, initialResponse: String?)
    /// A verb this server does not implement (EXPN, TURN, BDAT, …) or does not know.
    case unknown(verb: String)

    public init(parsing line: some Collection<UInt8>) throws(SMTPCommandSyntaxError) {
        guard !line.isEmpty else { throw .empty }
        guard line.allSatisfy({ (0x20...0x7E).contains($0) || $0 == 0x09 }) else { throw .notPrintableASCII }
        let text = String(decoding: line, as: UTF8.self).replacingTabs()
        let verbEnd = text.firstIndex(of: " ") ?? text.endIndex
        let verb = text[..<verbEnd].uppercased()
        let argument = text[verbEnd...].trimmingSpaces()
        switch verb {
        case "EHLO", "HELO":
            guard !argument.isEmpty else { throw .missingArgument(verb: verb) }
            // Some clients add text after the name; only the name counts.
            let domain = String(argument.prefix { $0 != " " })
            guard domain.utf8.count <= SMTPMailbox.maximumDomainLength, Self.isHelloName(domain) else { throw .badHelloName }
            self = .hello(domain: domain, extended: verb == "EHLO")
        case "MAIL":
            let (path, rest) = try Self.path(after: "FROM:", in: argument, role: .sender)
            let parameters = try SMTPMailParameters(parsing: rest)
            if path.isEmpty {
                self = .mail(from: .null, parameters: parameters)
            } else {
                self = .mail(from: .mailbox(try Self.mailbox(path, role: .sender)), parameters: parameters)
            }
        case "RCPT":
            let (path, rest) = try Self.path(after: "TO:", in: argument, role: .recipient)
            if let parameter = rest.split(separator: " ").first {
                throw .unsupportedParameter(String(parameter.prefix { $0 != "=" }).uppercased())
            }
            guard !path.isEmpty else { throw .badPath(role: .recipient, reason: "the recipient address is empty") }
            self = .recipient(to: try Self.mailbox(path, role: .recipient))
        case "DATA", "RSET", "QUIT", "STARTTLS":
            // RFC 5321 and 3207 allow no argument to these; a stray one usually means a broken client.
            guard argument.isEmpty else { throw .unexpectedArgument(verb: verb) }
            switch verb {
            case "DATA": self = .data
            case "RSET": self = .reset
            case "QUIT": self = .quit
            default: self = .startTLS
            }
        case "NOOP":
            self = .noop
        case "HELP":
            self = .help
        case "VRFY":
            guard !argument.isEmpty else { throw .missingArgument(verb: verb) }
            self = .verify(String(argument))
        case "AUTH":
            let pieces = argument.split(separator: " ", omittingEmptySubsequences: true)
            guard let name = pieces.first else { throw .missingArgument(verb: verb) }
            guard pieces.count <= 2 else { throw .unexpectedArgument(verb: verb) }
            self = .authenticate(
                mechanism: SMTPAuthenticationMechanism(name: String(name)),
                initialResponse: pieces.count == 2 ? String(pieces[1]) : nil
            )
        default:
            self = .unknown(verb: String(verb.prefix(20)))
        }
    }

    /// A domain name or an address literal (`[192.0.2.1]`, `[IPv6:…]`); letters, digits and the
    /// punctuation those use. Clients send all sorts here, so only characters are checked.
    private static func isHelloName(_ name: String) -> Bool {
        name.utf8.allSatisfy { byte in
            SMTPMailbox.isAtomByte(byte) || ".:[]".utf8.contains(byte)
        }
    }

    /// Splits `FROM:<path> rest` into the text between the angle brackets and what follows.
    private static func path(
        after keyword: String, in argument: Substring, role: SMTPAddressRole
    ) throws(SMTPCommandSyntaxError) -> (path: Substring, rest: Substring) {
        guard argument.uppercased().hasPrefix(keyword) else { throw .missingArgument(verb: role == .sender ? "MAIL" : "RCPT") }
        let afterKeyword = argument.dropFirst(keyword.count).drop { $0 == " " }
        guard afterKeyword.first == "<" else { throw .missingAngleBrackets(role: role) }
        var index = afterKeyword.index(after: afterKeyword.startIndex)
        var inQuotes = false
        while index < afterKeyword.endIndex {
            let character = afterKeyword[index]
            if inQuotes && character == "\\" {
                index = afterKeyword.index(after: index)
                guard index < afterKeyword.endIndex else { break }
            } else if character == "\"" {
                inQuotes.toggle()
            } else if !inQuotes && character == ">" {
                let path = afterKeyword[afterKeyword.index(after: afterKeyword.startIndex)..<index]
                guard path.utf8.count <= SMTPMailbox.maximumPathLength else {
                    throw .badPath(role: role, reason: "the address is longer than \(SMTPMailbox.maximumPathLength) bytes")
                }
                let rest = afterKeyword[afterKeyword.index(after: index)...]
                guard rest.isEmpty || rest.first == " " else { throw .missingAngleBrackets(role: role) }
                return (path, rest.trimmingSpaces())
            } else if !inQuotes && character == "<" {
                break
            }
            index = afterKeyword.index(after: index)
        }
        throw .missingAngleBrackets(role: role)
    }

    /// `[@route,@route:]local@domain`; a source route is accepted and ignored (RFC 5321 C).
    private static func mailbox(_ path: Substring, role: SMTPAddressRole) throws(SMTPCommandSyntaxError) -> SMTPMailbox {
        var path = path
        if path.first == "@" {
            guard let colon = path.firstIndex(of: ":") else { throw .badPath(role: role, reason: "a source route without ':'") }
            path = path[path.index(after: colon)...]
        }
        let localPart: String
        let afterLocal: Substring
        if path.first == "\"" {
            var unquoted = ""
            var index = path.index(after: path.startIndex)
            var closed = false
            while index < path.endIndex {
                let character = path[index]
                if character == "\\" {
                    index = path.index(after: index)
                    guard index < path.endIndex else { break }
                    unquoted.append(path[index])
                } else if character == "\"" {
                    closed = true
                    break
                } else {
                    unquoted.append(character)
                }
                index = path.index(after: index)
            }
            guard closed else { throw .badPath(role: role, reason: "an unterminated quoted local part") }
            localPart = unquoted
            afterLocal = path[path.index(after: index)...]
        } else {
            let at = path.lastIndex(of: "@") ?? path.endIndex
            localPart = String(path[..<at])
            afterLocal = path[at...]
            // Lenient about the local part (clients write `[FAX:…]` unquoted), but never spaces,
            // quotes, backslashes or brackets that could end the path.
            guard !localPart.isEmpty, !localPart.contains(where: { " \"\\<>@".contains($0) }) else {
                throw .badPath(role: role, reason: "the local part has characters that need quoting")
            }
        }
        guard localPart.utf8.count <= SMTPMailbox.maximumLocalPartLength else {
            throw .badPath(role: role, reason: "the local part is longer than \(SMTPMailbox.maximumLocalPartLength) bytes")
        }
        if afterLocal.isEmpty {
            let mailbox = SMTPMailbox(localPart: localPart, domain: "")
            guard role == .recipient, mailbox.isBarePostmaster else { throw .badPath(role: role, reason: "the address has no domain") }
            return mailbox
        }
        guard afterLocal.first == "@" else { throw .badPath(role: role, reason: "expected '@' after the local part") }
        let domain = afterLocal.dropFirst()
        guard Self.isDomain(domain) else { throw .badPath(role: role, reason: "the domain is not a host name or address literal") }
        return SMTPMailbox(localPart: localPart, domain: String(domain))
    }

    private static func isDomain(_ domain: Substring) -> Bool {
        guard !domain.isEmpty, domain.utf8.count <= SMTPMailbox.maximumDomainLength else { return false }
        if domain.first == "[" {
            return domain.last == "]" && domain.dropFirst().dropLast().utf8.allSatisfy { byte in
                (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "[") && byte != UInt8(ascii: "]") && byte != UInt8(ascii: "\\")
            }
        }
        return domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.utf8.allSatisfy { byte in
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (0x30...0x39).contains(byte) || byte == UInt8(ascii: "-")
                }
        }
    }
}

/// Whose address a path is: the enhanced status codes differ (5.1.7 sender, 5.1.3 recipient).
public enum SMTPAddressRole: Sendable, Hashable {
    case sender
    case recipient
}

/// The mechanisms `AUTH` may name; only PLAIN and LOGIN are offered.
public enum SMTPAuthenticationMechanism: Sendable, Hashable {
    case plain
    case login
    case other(String)

    init(name: String) {
        switch name.uppercased() {
        case "PLAIN": self = .plain
        case "LOGIN": self = .login
        default: self = .other(String(name.uppercased().prefix(20)))
        }
    }
}

/// What `MAIL FROM` declared: the size (RFC 1870) and the body type (RFC 6152).
public struct SMTPMailParameters: Sendable, Hashable {
    public enum BodyType: Sendable, Hashable {
        case sevenBit
        case eightBitMIME
    }

    /// The size the client announced, if it did; `Int.max` stands for a number too long to read.
    public var declaredSize: Int?
    public var body: BodyType?

    public init(declaredSize: Int? = nil, body: BodyType? = nil) {
        self.declaredSize = declaredSize
        self.body = body
    }

    init(parsing text: Substring) throws(SMTPCommandSyntaxError) {
        var seen: Set<String> = []
        for parameter in text.split(separator: " ") {
            let keyword = parameter.prefix { $0 != "=" }.uppercased()
            let value = parameter.drop { $0 != "=" }.dropFirst()
            guard seen.insert(keyword).inserted else { throw .badParameter(keyword, reason: "given twice") }
            switch keyword {
            case "SIZE":
                guard !value.isEmpty, value.allSatisfy(\.isASCIIDigit) else { throw .badParameter(keyword, reason: "must be a number of bytes") }
                declaredSize = value.count > 18 ? Int.max : Int(value)
            case "BODY":
                switch value.uppercased() {
                case "7BIT": body = .sevenBit
                case "8BITMIME": body = .eightBitMIME
                default: throw .badParameter(keyword, reason: "must be 7BIT or 8BITMIME")
                }
            case "AUTH":
                // RFC 4954 5: the identity a relay vouches for; this server only trusts its own AUTH.
                continue
            default:
                throw .unsupportedParameter(String(keyword.prefix(20)))
            }
        }
    }
}

/// Why a command line could not be parsed.
public enum SMTPCommandSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case notPrintableASCII
    case missingArgument(verb: String)
    case unexpectedArgument(verb: String)
    case badHelloName
    case missingAngleBrackets(role: SMTPAddressRole)
    case badPath(role: SMTPAddressRole, reason: String)
    case unsupportedParameter(String)
    case badParameter(String, reason: String)

    public var description: String {
        switch self {
        case .empty: return "empty command line"
        case .notPrintableASCII: return "commands must be printable ASCII"
        case .missingArgument(let verb) where verb == "MAIL": return "syntax is MAIL FROM:<address>"
        case .missingArgument(let verb) where verb == "RCPT": return "syntax is RCPT TO:<address>"
        case .missingArgument(let verb): return "\(verb) needs an argument"
        case .unexpectedArgument(let verb): return "\(verb) takes no argument"
        case .badHelloName: return "EHLO/HELO needs a host name or address literal"
        case .missingAngleBrackets(let role):
            return "the \(role == .sender ? "sender" : "recipient") address must be in angle brackets: <name@example.com>"
        case .badPath(let role, let reason):
            return "bad \(role == .sender ? "sender" : "recipient") address: \(reason)"
        case .unsupportedParameter(let name): return "parameter \(name) is not supported"
        case .badParameter(let name, let reason): return "parameter \(name) \(reason)"
        }
    }
}

extension StringProtocol {
    func trimmingSpaces() -> SubSequence {
        let start = firstIndex { $0 != " " } ?? endIndex
        let end = lastIndex { $0 != " " }.map { index(after: $0) } ?? start
        return self[start..<Swift.max(start, end)]
    }

    /// Without spaces and tabs at either end.
    func trimmingBlanks() -> SubSequence {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map { index(after: $0) } ?? start
        return self[start..<Swift.max(start, end)]
    }

    fileprivate func replacingTabs() -> String {
        String(map { $0 == "\t" ? " " : $0 })
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
