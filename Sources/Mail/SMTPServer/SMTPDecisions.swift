/// The answer to a question the session cannot answer itself (may this sender, this recipient,
/// these credentials?).
public enum SMTPPolicyDecision: Sendable, Hashable {
    case accept
    /// Refused with a 4xx (try later) or 5xx (never) reply that says why.
    case refuse(SMTPServerReply)

    /// The gateway's answer to any address that is not a fax number: it never relays.
    public static let relayDenied = refuse(SMTPServerReply(550, SMTPEnhancedStatusCode(5, 7, 1),
        "relaying denied: this server only accepts mail to fax numbers"))
    public static let invalidCredentials = refuse(SMTPServerReply(535, SMTPEnhancedStatusCode(5, 7, 8),
        "authentication credentials invalid"))
    /// For a policy that could not decide (database unavailable, …): the client tries again.
    public static let temporaryFailure = refuse(SMTPServerReply(451, SMTPEnhancedStatusCode(4, 3, 0),
        "temporary local problem; please try again later"))
}

/// The answer to a complete message.
public enum SMTPMessageDecision: Sendable, Hashable {
    /// Taken over: the spooled file now belongs to whoever accepted it.
    case accepted(queueID: String)
    case refused(SMTPServerReply)
}

/// What AUTH PLAIN or LOGIN carried. The password never appears in descriptions or logs.
public struct SMTPAuthenticationCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let username: String
    public let password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "user \(SMTPServerReply(250, nil, username).lines[0])" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["username": username]) }
}

/// The envelope of a transaction: who sends, to whom, and what the message turned out to be.
public struct SMTPEnvelope: Sendable, Hashable {
    public var sender: SMTPReversePath
    public var parameters: SMTPMailParameters
    /// Accepted recipients, in the order given, without duplicates.
    public var recipients: [SMTPMailbox]
    /// Bytes of message text received (after dot-unstuffing); 0 until DATA ends.
    public var messageSize: Int

    public init(sender: SMTPReversePath, parameters: SMTPMailParameters = .init(), recipients: [SMTPMailbox] = [], messageSize: Int = 0) {
        self.sender = sender
        self.parameters = parameters
        self.recipients = recipients
        self.messageSize = messageSize
    }
}
