import Mail
import NIOCore

/// Drives an ``SMTPServerStateMachine`` the way the listener does, without sockets: feeds input
/// chunks, answers its questions from closures, and records everything as a transcript.
struct SMTPSessionHarness {
    var authenticate: (SMTPAuthenticationCredentials) -> SMTPPolicyDecision = { credentials in
        credentials.username == "alice" && credentials.password == "secret" ? .accept : .invalidCredentials
    }
    var checkSender: (SMTPReversePath) -> SMTPPolicyDecision = { _ in .accept }
    var checkRecipient: (SMTPMailbox) -> SMTPPolicyDecision = { recipient in
        FaxAddressParser(domains: ["fax.example.com"]).parse(recipient) == .notFax ? .relayDenied : .accept
    }
    var acceptMessage: (SMTPEnvelope, [UInt8]) -> SMTPMessageDecision = { _, _ in .accepted(queueID: "Q1") }
    /// Called with the machine when STARTTLS is accepted; completes the handshake by default.
    var completesTLSHandshake = true
    /// Fail the spool write of the message data after this many bytes.
    var storageFailsAfter: Int?

    struct Message: Equatable {
        var envelope: SMTPEnvelope
        var text: String
    }

    struct Transcript: Equatable {
        /// Replies as the client reads them, and markers for what the driver did
        /// (`[starttls]`, `[discard]`, `[close]`).
        var lines: [String] = []
        var messages: [Message] = []
        var checkedRecipients: [String] = []
        var closed = false

        /// Just the reply codes, in order.
        var codes: [Int] {
            lines.compactMap { Int($0.prefix(3)) }
        }
    }

    static let configuration = SMTPServerStateMachine.Configuration(
        hostname: "fax.test", security: .loopback(isTLSAvailable: false))

    func run(_ chunks: [[UInt8]], configuration: SMTPServerStateMachine.Configuration = configuration) -> Transcript {
        var machine = SMTPServerStateMachine(configuration: configuration)
        var transcript = Transcript()
        var message: [UInt8]?
        var buffer = ByteBuffer()

        func perform(_ first: SMTPServerAction) {
            var next: SMTPServerAction? = first
            while let action = next {
                next = nil
                switch action {
                case .needMoreBytes:
                    return
                case .send(let reply):
                    transcript.lines.append(reply.description)
                case .sendAndClose(let reply):
                    transcript.lines.append(reply.description)
                    transcript.lines.append("[close]")
                    transcript.closed = true
                case .startTLS(let reply):
                    transcript.lines.append(reply.description)
                    transcript.lines.append("[starttls]")
                    if completesTLSHandshake { machine.tlsEstablished() }
                case .authenticate(let credentials):
                    next = machine.authenticationDecided(authenticate(credentials))
                case .checkSender(let sender, _):
                    next = machine.senderDecided(checkSender(sender))
                case .checkRecipient(let recipient):
                    transcript.checkedRecipients.append(recipient.description)
                    next = machine.recipientDecided(checkRecipient(recipient))
                case .openMessage:
                    message = []
                    next = machine.messageOpened()
                case .writeMessageData(let bytes):
                    message? += Array(bytes.readableBytesView)
                    if let limit = storageFailsAfter, (message?.count ?? 0) > limit {
                        message = nil
                        transcript.lines.append("[storage failed]")
                        machine.messageStorageFailed()
                    }
                case .discardMessage:
                    message = nil
                    transcript.lines.append("[discard]")
                case .finishMessage(let envelope):
                    let text = message ?? []
                    message = nil
                    let decision = acceptMessage(envelope, text)
                    if case .accepted = decision {
                        transcript.messages.append(Message(envelope: envelope, text: String(decoding: text, as: UTF8.self)))
                    }
                    next = machine.messageDecided(decision)
                }
            }
        }

        perform(machine.connectionEstablished())
        for chunk in chunks where !transcript.closed {
            buffer.writeBytes(chunk)
            while !transcript.closed {
                let action = machine.read(&buffer)
                if action == .needMoreBytes { break }
                perform(action)
            }
        }
        return transcript
    }

    func run(_ text: String, configuration: SMTPServerStateMachine.Configuration = configuration) -> Transcript {
        run([Array(text.utf8)], configuration: configuration)
    }

    /// The input whole, byte by byte, and split in two at every position.
    static func chunkings(of bytes: [UInt8]) -> [[[UInt8]]] {
        var result: [[[UInt8]]] = [[bytes], bytes.map { [$0] }]
        for split in 1..<max(bytes.count, 1) {
            result.append([Array(bytes[..<split]), Array(bytes[split...])])
        }
        return result
    }
}
