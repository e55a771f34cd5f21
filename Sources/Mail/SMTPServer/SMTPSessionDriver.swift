import Logging
import NIOCore
import NIOSSL

/// Runs one SMTP connection: feeds the client's bytes to an ``SMTPServerStateMachine`` and
/// carries out its actions — replies, policy questions, the spool file, STARTTLS.
///
/// The message is written to its spool file as it arrives and never held whole; the file is
/// removed whenever the transaction does not end with the policy's acceptance (refusal, RSET
/// by disconnect, timeout, error).
final class SMTPSessionDriver {
    private var machine: SMTPServerStateMachine
    private let channel: any Channel
    private let policy: any MailGatewayPolicy
    private let spoolDirectory: String
    private let sslContext: NIOSSLContext?
    private let sessionID: String
    private let logger: Logger
    private var input = ByteBuffer()
    private var output = ByteBuffer()
    private var spool: SpoolFile?
    private var awaitingTLSHandshake = false
    private var isClosing = false
    /// When the last reply went out: an idle timeout that fired before it is stale.
    private var lastWrite = NIODeadline.now()

    init(
        configuration: SMTPServerStateMachine.Configuration,
        channel: any Channel,
        policy: any MailGatewayPolicy,
        spoolDirectory: String,
        sslContext: NIOSSLContext?,
        sessionID: String,
        logger: Logger
    ) {
        self.machine = SMTPServerStateMachine(configuration: configuration)
        self.channel = channel
        self.policy = policy
        self.spoolDirectory = spoolDirectory
        self.sslContext = sslContext
        self.sessionID = sessionID
        self.logger = logger
    }

    deinit {
        spool?.remove()
    }

    func run(inbound: NIOAsyncChannelInboundStream<SMTPConnectionEvent>) async throws {
        do {
            try await perform(machine.connectionEstablished())
            try await flush()
            for try await event in inbound {
                switch event {
                case .bytes(var bytes):
                    if awaitingTLSHandshake {
                        // Sent before the handshake: could be injected by someone on the path.
                        logger.warning("plaintext sent after STARTTLS before the TLS handshake; dropped",
                                       metadata: ["bytes": "\(bytes.readableBytes)"])
                        continue
                    }
                    input.writeBuffer(&bytes)
                    try await process()
                case .tlsEstablished:
                    awaitingTLSHandshake = false
                    machine.tlsEstablished()
                    logger.debug("TLS established")
                case .idleTimeout(let firedAt):
                    guard firedAt > lastWrite else { continue }
                    logger.info("SMTP client idle for too long; closing")
                    try await perform(machine.idleTimeout())
                }
                if isClosing { break }
                input.discardReadBytes()
            }
        } catch is CancellationError {
            // The server is shutting down and the grace period is over: say so if we still can.
            if !isClosing, case .sendAndClose(let reply) = machine.shutdown() {
                var goodbye = ByteBuffer()
                goodbye.writeSMTPReply(reply)
                channel.writeAndFlush(goodbye, promise: nil)
            }
            throw CancellationError()
        }
        if let spool {
            logger.info("SMTP client went away in the middle of a message; nothing kept")
            spool.remove()
            self.spool = nil
        }
    }

    /// Runs the machine over the buffered input until it needs more.
    private func process() async throws {
        while !isClosing {
            let action = machine.read(&input)
            if action == .needMoreBytes { break }
            try await perform(action)
        }
        try await flush()
    }

    private func perform(_ first: SMTPServerAction) async throws {
        var next: SMTPServerAction? = first
        while let action = next {
            next = nil
            switch action {
            case .needMoreBytes:
                return
            case .send(let reply):
                logReply(reply)
                output.writeSMTPReply(reply)
            case .sendAndClose(let reply):
                logReply(reply)
                output.writeSMTPReply(reply)
                isClosing = true
                try await flush()
                if let spool {
                    spool.remove()
                    self.spool = nil
                }
            case .startTLS(let reply):
                try await startTLS(reply)
            case .authenticate(let credentials):
                try await flush()
                let decision = await decide("the credentials of \(credentials)") {
                    try await self.policy.authenticate(credentials, session: self.session)
                }
                if case .refuse = decision { logger.info("SMTP authentication refused", metadata: ["smtp.user": "\(credentials.username)"]) }
                next = machine.authenticationDecided(decision)
            case .checkSender(let sender, let parameters):
                try await flush()
                let decision = await decide("sender \(sender)") {
                    try await self.policy.checkSender(sender, parameters: parameters, session: self.session)
                }
                next = machine.senderDecided(decision)
            case .checkRecipient(let recipient):
                try await flush()
                let envelope = machine.envelope ?? SMTPEnvelope(sender: .null)
                let decision = await decide("recipient \(recipient)") {
                    try await self.policy.checkRecipient(recipient, envelope: envelope, session: self.session)
                }
                next = machine.recipientDecided(decision)
            case .openMessage:
                do {
                    spool = try SpoolFile.create(in: spoolDirectory, prefix: "smtp", suffix: ".eml")
                    next = machine.messageOpened()
                } catch {
                    logger.error("cannot open a spool file for an incoming message", metadata: ["error": "\(error)"])
                    next = machine.messageOpenFailed()
                }
            case .writeMessageData(let bytes):
                do {
                    try spool?.write(bytes)
                } catch {
                    logger.error("cannot spool an incoming message; it will be refused for now", metadata: ["error": "\(error)"])
                    spool?.remove()
                    spool = nil
                    machine.messageStorageFailed()
                }
            case .discardMessage:
                logger.info("incoming message over a limit; discarding what arrived")
                spool?.remove()
                spool = nil
            case .finishMessage(let envelope):
                try await flush()
                next = machine.messageDecided(await finishMessage(envelope))
            }
        }
    }

    private func finishMessage(_ envelope: SMTPEnvelope) async -> SMTPMessageDecision {
        guard let file = spool else {
            return .refused(SMTPServerReply(452, .init(4, 3, 1), "insufficient system storage; please try again later"))
        }
        spool = nil
        do {
            try file.finish()
        } catch {
            logger.error("cannot store an incoming message", metadata: ["error": "\(error)"])
            file.remove()
            return .refused(SMTPServerReply(452, .init(4, 3, 1), "insufficient system storage; please try again later"))
        }
        let message = SpooledMailMessage(envelope: envelope, path: file.path)
        let decision: SMTPMessageDecision
        do {
            decision = try await policy.acceptMessage(message, session: session)
        } catch {
            logger.error("the mail gateway could not take a message", metadata: ["error": "\(error)"])
            decision = .refused(SMTPServerReply(451, .init(4, 3, 0), "temporary local problem; please try again later"))
        }
        switch decision {
        case .accepted(let queueID):
            file.keep()
            logger.info("message accepted", metadata: [
                "smtp.queue_id": "\(queueID)", "size": "\(envelope.messageSize)", "recipients": "\(envelope.recipients.count)",
            ])
        case .refused(let reply):
            file.remove()
            logger.info("message refused", metadata: ["reply": "\(reply)"])
        }
        return decision
    }

    private func startTLS(_ reply: SMTPServerReply) async throws {
        guard let sslContext else {
            // The machine offers STARTTLS only with a certificate; refuse rather than trap.
            output.writeSMTPReply(SMTPServerReply(454, .init(4, 7, 0), "TLS not available"))
            isClosing = true
            try await flush()
            return
        }
        output.writeSMTPReply(reply)
        let pending = output
        output.clear()
        input.clear()
        awaitingTLSHandshake = true
        let channel = self.channel
        // The plaintext reply and the TLS handler go in in one event-loop turn: no byte can be
        // read between them, so the client's handshake reaches the TLS handler.
        try await channel.eventLoop.submit {
            channel.writeAndFlush(pending, promise: nil)
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext), position: .first)
        }.get()
        lastWrite = .now()
    }

    private var session: MailGatewaySession {
        MailGatewaySession(
            id: sessionID,
            peer: channel.remoteAddress,
            helloName: machine.helloName,
            isTLSActive: machine.isTLSActive,
            authenticatedUser: machine.authenticatedUser
        )
    }

    private func decide(_ subject: String, _ body: () async throws -> SMTPPolicyDecision) async -> SMTPPolicyDecision {
        do {
            return try await body()
        } catch {
            logger.error("the mail gateway could not decide on \(subject)", metadata: ["error": "\(error)"])
            return .temporaryFailure
        }
    }

    private func flush() async throws {
        guard output.readableBytes > 0 else { return }
        let pending = output
        output.clear()
        try await channel.writeAndFlush(pending)
        lastWrite = .now()
    }

    private func logReply(_ reply: SMTPServerReply) {
        if reply.isFailure {
            logger.debug("SMTP refusal", metadata: ["reply": "\(reply)"])
        }
    }
}
