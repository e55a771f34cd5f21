import NIOCore

/// The decisions the SMTP listener leaves to the mail-to-fax gateway: who may log in, send, to
/// which recipients, and whether a received message becomes fax jobs.
///
/// Methods may take their time (database, job queue); the session waits and reads nothing more
/// meanwhile. A thrown error is logged and answered with a temporary failure (451 4.3.0), so
/// the client tries again later and nothing is lost.
public protocol MailGatewayPolicy: Sendable {
    func authenticate(_ credentials: SMTPAuthenticationCredentials, session: MailGatewaySession) async throws -> SMTPPolicyDecision

    func checkSender(_ sender: SMTPReversePath, parameters: SMTPMailParameters, session: MailGatewaySession) async throws -> SMTPPolicyDecision

    /// `envelope` holds the recipients accepted so far. Anything that is not a fax recipient
    /// must be refused (``SMTPPolicyDecision/relayDenied``): the gateway never relays.
    func checkRecipient(_ recipient: SMTPMailbox, envelope: SMTPEnvelope, session: MailGatewaySession) async throws -> SMTPPolicyDecision

    /// The whole message has been received into `message.path`. On
    /// ``SMTPMessageDecision/accepted(queueID:)`` the file belongs to the policy (move it into
    /// the queue before returning); on a refusal or a thrown error the listener removes it.
    func acceptMessage(_ message: SpooledMailMessage, session: MailGatewaySession) async throws -> SMTPMessageDecision
}

/// What the policy knows about the client when it decides.
public struct MailGatewaySession: Sendable {
    /// A short id for logs (`smtp.session`).
    public let id: String
    public let peer: SocketAddress?
    public let helloName: String?
    public let isTLSActive: Bool
    /// The user AUTH succeeded for, if any.
    public let authenticatedUser: String?

    public init(id: String, peer: SocketAddress?, helloName: String?, isTLSActive: Bool, authenticatedUser: String?) {
        self.id = id
        self.peer = peer
        self.helloName = helloName
        self.isTLSActive = isTLSActive
        self.authenticatedUser = authenticatedUser
    }

    /// Whether the client connected from this machine.
    public var isLoopbackPeer: Bool { peer.map(SocketAddress.isLoopback) ?? false }
}

/// A received message, spooled to a file of its own (mode 0600, in the configured 0700 folder,
/// named by the server — never by the sender).
public struct SpooledMailMessage: Sendable {
    public let envelope: SMTPEnvelope
    /// The message text as received after dot-unstuffing: headers, blank line, body, CRLF lines.
    public let path: String
    public var size: Int { envelope.messageSize }

    public init(envelope: SMTPEnvelope, path: String) {
        self.envelope = envelope
        self.path = path
    }
}

extension SocketAddress {
    /// 127.0.0.0/8, ::1 and IPv4-mapped loopback addresses.
    static func isLoopback(_ address: SocketAddress) -> Bool {
        switch address {
        case .v4:
            return address.ipAddress?.hasPrefix("127.") ?? false
        case .v6:
            guard let text = address.ipAddress?.lowercased() else { return false }
            return text == "::1" || text.hasPrefix("::ffff:127.")
        case .unixDomainSocket:
            return true
        }
    }
}
