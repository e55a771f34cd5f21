/// A mailbox: an address and an optional display name, checked when built so that neither can
/// smuggle a line break into a header or an SMTP command.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The bare address, `local@domain`.
    public let address: String
    /// Human-readable name shown by mail clients; may hold any Unicode text except controls.
    public let displayName: String?

    /// Longest address SMTP allows in a path (RFC 5321 4.5.3.1.3).
    public static let maximumLength = 254
    public static let maximumDisplayNameLength = 200

    public init(_ address: String, displayName: String? = nil) throws(MailError) {
        try Self.validate(address: address)
        if let displayName {
            try HeaderText.validate(displayName, header: "display name")
            if displayName.utf8.count > Self.maximumDisplayNameLength {
                throw .invalidHeader(name: "display name", reason: "longer than \(Self.maximumDisplayNameLength) bytes")
            }
        }
        self.address = address
        self.displayName = displayName?.isEmpty == true ? nil : displayName
    }

    /// The domain after the last `@`.
    public var domain: Substring {
        address[address.index(after: address.lastIndex(of: "@")!)...]
    }

    /// `"Name" <local@domain>` with the name encoded for a header, or the bare address.
    public var headerValue: String {
        guard let displayName else { return address }
        return "\(HeaderText.phrase(displayName)) <\(address)>"
    }

    public var description: String { headerValue }

    /// Checks that `address` is a plain `local@domain` with nothing that could end a header
    /// line or an SMTP command, and no characters that need quoting.
    public static func validate(address: String) throws(MailError) {
        let bytes = Array(address.utf8)
        guard !bytes.isEmpty else { throw .invalidAddress(address, reason: "empty") }
        guard bytes.count <= maximumLength else {
            throw .invalidAddress(address, reason: "longer than \(maximumLength) bytes")
        }
        for byte in bytes {
            if byte == 0x0D || byte == 0x0A { throw .invalidAddress(address, reason: "contains a line break") }
            if byte < 0x21 || byte == 0x7F { throw .invalidAddress(address, reason: "contains a space or control character") }
            if byte >= 0x80 { throw .invalidAddress(address, reason: "internationalized addresses are not supported") }
            if Self.forbidden.contains(byte) {
                throw .invalidAddress(address, reason: "contains \(String(UnicodeScalar(byte)))")
            }
        }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1 else {
            throw .invalidAddress(address, reason: "expected local-part@domain")
        }
        guard bytes[..<at].firstIndex(of: UInt8(ascii: "@")) == nil else {
            throw .invalidAddress(address, reason: "more than one @")
        }
        let domain = bytes[(at + 1)...]
        guard domain.first != UInt8(ascii: "."), domain.last != UInt8(ascii: "."),
              !domain.contains(where: { !(Self.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")) })
        else {
            throw .invalidAddress(address, reason: "domain must be letters, digits, '-' and '.'")
        }
    }

    private static let forbidden: Set<UInt8> = Set("<>()[]\\,;:\"".utf8)

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
