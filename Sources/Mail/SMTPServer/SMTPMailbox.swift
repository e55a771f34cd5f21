/// An address from an SMTP path (`<local@domain>`), as the client wrote it, with a quoted local
/// part unquoted: `"[FAX:555 0100]"@pbx.example` has the local part `[FAX:555 0100]`.
public struct SMTPMailbox: Sendable, Hashable, CustomStringConvertible {
    public let localPart: String
    /// Empty only for the special recipient `<postmaster>` (RFC 5321 4.5.1).
    public let domain: String

    /// RFC 5321 4.5.3.1: 64 bytes of local part, 255 of domain, 256 for the whole path.
    public static let maximumLocalPartLength = 64
    public static let maximumDomainLength = 255
    public static let maximumPathLength = 256

    public init(localPart: String, domain: String) {
        self.localPart = localPart
        self.domain = domain
    }

    /// `local@domain`, the local part quoted again when it needs it. Printable ASCII only: the
    /// parser admits nothing else, so this is safe to log and to put in a reply.
    public var description: String {
        let local = Self.needsQuoting(localPart) ? Self.quoted(localPart) : localPart
        return domain.isEmpty ? local : "\(local)@\(domain)"
    }

    /// Whether this is `<postmaster>` without a domain, which every SMTP server must accept.
    public var isBarePostmaster: Bool {
        domain.isEmpty && localPart.lowercased() == "postmaster"
    }

    private static func needsQuoting(_ local: String) -> Bool {
        local.isEmpty || local.utf8.contains { !isAtomByte($0) && $0 != UInt8(ascii: ".") }
            || local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..")
    }

    private static func quoted(_ local: String) -> String {
        var result = "\""
        for character in local {
            if character == "\"" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result + "\""
    }

    /// RFC 5322 `atext`.
    static func isAtomByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
        }
    }
}

/// `MAIL FROM:<>` (bounces, notifications) or a sender mailbox.
public enum SMTPReversePath: Sendable, Hashable, CustomStringConvertible {
    case null
    case mailbox(SMTPMailbox)

    public var mailbox: SMTPMailbox? {
        if case .mailbox(let mailbox) = self { return mailbox }
        return nil
    }

    public var description: String {
        switch self {
        case .null: return "<>"
        case .mailbox(let mailbox): return mailbox.description
        }
    }
}
