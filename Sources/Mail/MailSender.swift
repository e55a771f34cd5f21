/// Hands a message to a mail server.
public protocol MailSender: Sendable {
    /// Delivers `message` with envelope sender `from` to every address in `to` (the envelope,
    /// which may differ from the message's headers). Throws `MailError`; its `isTemporary`
    /// tells whether a later retry can succeed.
    func send(_ message: MailMessage, from: String, to: [String]) async throws(MailError)
}

extension MailSender {
    /// Delivers `message` to its To and Cc addresses with its From address as envelope sender.
    public func send(_ message: MailMessage) async throws(MailError) {
        try await send(message, from: message.from.address, to: (message.to + message.cc).map(\.address))
    }
}
