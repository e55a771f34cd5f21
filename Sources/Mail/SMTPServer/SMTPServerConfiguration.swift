/// Limits on everything an SMTP client can make the server hold or repeat.
public struct SMTPServerLimits: Sendable, Hashable {
    /// Longest command line, its CRLF included (RFC 5321 4.5.3.1.4: 512).
    public var maximumCommandLineLength: Int
    /// Longest line of message text, its CRLF included (RFC 5321 4.5.3.1.6: 1000).
    public var maximumTextLineLength: Int
    /// Longest AUTH response line (base64 credentials).
    public var maximumAuthenticationLineLength: Int
    public var maximumRecipients: Int
    /// Largest message, after dot-unstuffing; announced as `SIZE`.
    public var maximumMessageBytes: Int
    /// Failed replies (4xx, 5xx) before the connection is closed with 421.
    public var maximumErrors: Int
    /// Commands in one session before it is closed with 421.
    public var maximumCommands: Int
    /// Refused AUTH attempts before the connection is closed with 421.
    public var maximumAuthenticationFailures: Int

    public init(
        maximumCommandLineLength: Int = 512,
        maximumTextLineLength: Int = 1000,
        maximumAuthenticationLineLength: Int = 2048,
        maximumRecipients: Int = 100,
        maximumMessageBytes: Int = 25 * 1024 * 1024,
        maximumErrors: Int = 10,
        maximumCommands: Int = 1000,
        maximumAuthenticationFailures: Int = 3
    ) {
        self.maximumCommandLineLength = maximumCommandLineLength
        self.maximumTextLineLength = maximumTextLineLength
        self.maximumAuthenticationLineLength = maximumAuthenticationLineLength
        self.maximumRecipients = maximumRecipients
        self.maximumMessageBytes = maximumMessageBytes
        self.maximumErrors = maximumErrors
        self.maximumCommands = maximumCommands
        self.maximumAuthenticationFailures = maximumAuthenticationFailures
    }
}

/// What a session demands of the transport before it trusts the client.
public struct SMTPSessionSecurity: Sendable, Hashable {
    /// STARTTLS is offered (a certificate is configured).
    public var isTLSAvailable: Bool
    /// MAIL (and so any message) is refused until STARTTLS: for non-loopback binds.
    public var requiresTLSForMail: Bool
    /// AUTH may be used without TLS: only where nobody can listen in (loopback).
    public var allowsAuthenticationWithoutTLS: Bool

    public init(isTLSAvailable: Bool, requiresTLSForMail: Bool, allowsAuthenticationWithoutTLS: Bool) {
        self.isTLSAvailable = isTLSAvailable
        self.requiresTLSForMail = requiresTLSForMail
        self.allowsAuthenticationWithoutTLS = allowsAuthenticationWithoutTLS
    }

    /// A loopback listener: plaintext is fine, TLS offered when a certificate is configured.
    public static func loopback(isTLSAvailable: Bool) -> Self {
        Self(isTLSAvailable: isTLSAvailable, requiresTLSForMail: false, allowsAuthenticationWithoutTLS: true)
    }

    /// A listener others can reach: TLS before AUTH and before MAIL.
    public static let network = Self(isTLSAvailable: true, requiresTLSForMail: true, allowsAuthenticationWithoutTLS: false)
}
