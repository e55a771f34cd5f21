import FaxCore

/// Where and how to hand mail to an SMTP server.
public struct SMTPConfiguration: Sendable, Equatable {
    public enum TLSMode: String, Sendable, Equatable, CaseIterable, Codable {
        /// Plain SMTP; never STARTTLS.
        case none
        /// STARTTLS when the server offers it, plain otherwise (libcurl's CURLUSESSL_TRY) — but
        /// never a login in clear: with a username it is ``startTLSRequired``.
        case startTLSIfOffered
        /// STARTTLS or fail.
        case startTLSRequired
        /// TLS from the first byte (smtps, usually port 465).
        case implicitTLS
    }

    public var host: String
    public var port: Int
    public var tlsMode: TLSMode
    public var username: String?
    /// Shown as `••••` wherever the configuration is printed or logged.
    public var password: Secret?
    /// Lets ``TLSMode/none`` send the username and password in clear. Only for a relay on this
    /// machine or a network nobody else can see; without it a login needs TLS.
    public var allowPlaintextAuthentication: Bool
    /// Envelope sender (MAIL FROM) used when a send does not name one.
    public var fromAddress: String
    /// Name given in EHLO; libcurl says "localhost" unless told.
    public var heloName: String?
    public var connectTimeout: Duration
    /// Limit for one whole delivery: connect, dialogue and upload.
    public var totalTimeout: Duration
    /// Check the server certificate and name; turn off only for a known self-signed relay.
    public var verifyPeer: Bool

    public init(
        host: String = "localhost",
        port: Int = 25,
        tlsMode: TLSMode = .startTLSIfOffered,
        username: String? = nil,
        password: Secret? = nil,
        allowPlaintextAuthentication: Bool = false,
        fromAddress: String,
        heloName: String? = nil,
        connectTimeout: Duration = .seconds(30),
        totalTimeout: Duration = .seconds(300),
        verifyPeer: Bool = true
    ) {
        self.host = host
        self.port = port
        self.tlsMode = tlsMode
        self.username = username
        self.password = password
        self.allowPlaintextAuthentication = allowPlaintextAuthentication
        self.fromAddress = fromAddress
        self.heloName = heloName
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.verifyPeer = verifyPeer
    }

    /// Checks the values that end up in a URL or on the wire.
    public func validate() throws(MailError) {
        guard (1...65535).contains(port) else { throw .invalidConfiguration("port \(port) is not 1…65535") }
        try Self.validateHostName(host, what: "host")
        if let heloName { try Self.validateHostName(heloName, what: "HELO name") }
        try MailAddress.validate(address: fromAddress)
        try validateLogin()
        for (value, what) in [(username, "user name"), (password?.revealed, "password")] {
            if let value, value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw .invalidConfiguration("\(what) contains a control character")
            }
        }
        guard connectTimeout > .zero, totalTimeout > .zero else {
            throw .invalidConfiguration("timeouts must be positive")
        }
    }

    /// A login must not travel in clear: with a username, `none` needs an explicit
    /// `allowPlaintextAuthentication` (the other modes encrypt before AUTH; see ``transportSecurity``).
    public func validateLogin() throws(MailError) {
        guard username != nil, tlsMode == .none, !allowPlaintextAuthentication else { return }
        throw .invalidConfiguration(
            "a username is set with tls = none, which would send the password in clear: use tls = starttls or tls, "
                + "or set allow_plaintext_auth = yes for a relay nobody can listen in on")
    }

    /// What is asked of the connection before anything is sent: with a username,
    /// `startTLSIfOffered` becomes `startTLSRequired`, so that neither a server without STARTTLS
    /// nor anyone in between who strips it from the greeting gets the password in clear.
    public var transportSecurity: TLSMode {
        tlsMode == .startTLSIfOffered && username != nil ? .startTLSRequired : tlsMode
    }

    /// `smtp://host:port/helo` or `smtps://…`; an IPv6 literal is bracketed.
    var url: String {
        let scheme = tlsMode == .implicitTLS ? "smtps" : "smtp"
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(hostPart):\(port)/\(heloName ?? "")"
    }

    private static func validateHostName(_ name: String, what: String) throws(MailError) {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.:[]".utf8)
        guard !name.isEmpty, name.utf8.count <= 253, name.utf8.allSatisfy(allowed.contains) else {
            throw .invalidConfiguration("\(what) \(String(reflecting: name)) is not a host name or IP address")
        }
    }
}
