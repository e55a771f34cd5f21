import FaxCore

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

    /// Checks `address` with the one rule every part of Faxline uses (FaxCore's `EmailAddress`):
    /// a plain ASCII `local@domain` with nothing that could end a header line or an SMTP command.
    public static func validate(address: String) throws(MailError) {
        do {
            try EmailAddress.validate(address)
        } catch {
            throw .invalidAddress(address, reason: error.reason)
        }
    }
}
