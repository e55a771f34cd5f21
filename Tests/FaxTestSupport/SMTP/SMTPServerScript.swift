/// Failures a test asks the SMTP test server to stage.
public struct SMTPServerScript: Sendable, Equatable {
    public enum Stage: Sendable, Equatable {
        /// Close right after accepting, before the greeting.
        case beforeGreeting
        /// Close instead of answering MAIL FROM.
        case mailFrom
        /// Close instead of answering DATA.
        case data
        /// Close after the message text arrived, before the final reply.
        case endOfData
    }

    /// Recipients (compared case-insensitively) answered with `recipientRejection`.
    public var rejectedRecipients: Set<String>
    /// Reject every recipient.
    public var rejectsAllRecipients: Bool
    public var recipientRejection: SMTPReply
    /// Reply to DATA instead of 354 (e.g. 451).
    public var dataReply: SMTPReply?
    /// Reply after the message text instead of 250 (e.g. 552).
    public var endOfDataReply: SMTPReply?
    public var closeConnection: Stage?
    /// When set, the server offers AUTH PLAIN and requires these credentials before MAIL.
    public var requiredCredentials: SMTPCredentials?

    public init(
        rejectedRecipients: Set<String> = [],
        rejectsAllRecipients: Bool = false,
        recipientRejection: SMTPReply = SMTPReply(550, "5.1.1 mailbox unknown"),
        dataReply: SMTPReply? = nil,
        endOfDataReply: SMTPReply? = nil,
        closeConnection: Stage? = nil,
        requiredCredentials: SMTPCredentials? = nil
    ) {
        self.rejectedRecipients = Set(rejectedRecipients.map { $0.lowercased() })
        self.rejectsAllRecipients = rejectsAllRecipients
        self.recipientRejection = recipientRejection
        self.dataReply = dataReply
        self.endOfDataReply = endOfDataReply
        self.closeConnection = closeConnection
        self.requiredCredentials = requiredCredentials
    }

    /// Everything accepted.
    public static let acceptAll = SMTPServerScript()
}

/// A message as the server received it.
public struct ReceivedSMTPMessage: Sendable, Equatable {
    public var heloName: String?
    public var mailFrom: String
    public var recipients: [String]
    /// The message text after dot-unstuffing, CRLF line endings, ending with CRLF.
    public var data: [UInt8]

    public var text: String { String(decoding: data, as: UTF8.self) }
}

public struct SMTPCredentials: Sendable, Equatable {
    public var username: String
    public var password: String
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}
