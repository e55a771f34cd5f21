import NIOCore

/// One inbound SMTP session as a state machine (RFC 5321 with PIPELINING, SIZE, 8BITMIME,
/// ENHANCEDSTATUSCODES, STARTTLS and AUTH PLAIN/LOGIN): bytes in, ``SMTPServerAction``s out, no
/// I/O and no clock.
///
/// The driver feeds the client's bytes to ``read(_:)`` and carries out each action until it gets
/// ``SMTPServerAction/needMoreBytes``. Questions for the outside world (credentials, sender,
/// recipient, the finished message) come out as actions; the session reads nothing more until
/// the driver answers with the matching method, which returns the next action. Timers are the
/// driver's too: it calls ``idleTimeout()`` or ``shutdown()``.
public struct SMTPServerStateMachine: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// The name in the greeting and replies.
        public var hostname: String
        public var limits: SMTPServerLimits
        public var security: SMTPSessionSecurity

        public init(hostname: String, limits: SMTPServerLimits = .init(), security: SMTPSessionSecurity) {
            self.hostname = hostname
            self.limits = limits
            self.security = security
        }
    }

    private enum State: Sendable {
        case notStarted
        case ready
        /// The rest of an overlong line is skipped; then `reply` is sent.
        case skippingLine(then: SMTPServerReply)
        case authenticating(AuthenticationStep)
        case deciding(PendingDecision)
        case awaitingTLSHandshake
        case receivingData(SMTPDataReader, problem: MessageProblem?)
        /// The final `.` was read; the message's outcome is the next action.
        case dataEnded(size: Int, problem: MessageProblem?)
        case closed
    }

    private enum AuthenticationStep: Sendable {
        case plainResponse
        case loginUsername
        case loginPassword(username: String)
    }

    private enum PendingDecision: Sendable {
        case authentication(username: String)
        case sender(SMTPReversePath, SMTPMailParameters)
        case recipient(SMTPMailbox)
        case messageOpening
        case messageAcceptance
    }

    private enum MessageProblem: Sendable {
        case tooLarge
        case lineTooLong
        case storageFailed
    }

    public let configuration: Configuration
    private var state = State.notStarted
    public private(set) var helloName: String?
    public private(set) var isTLSActive = false
    public private(set) var authenticatedUser: String?
    /// The open transaction, from an accepted MAIL to the end of DATA or RSET.
    public private(set) var envelope: SMTPEnvelope?
    private var errorCount = 0
    private var commandCount = 0
    private var authenticationFailures = 0

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    private var limits: SMTPServerLimits { configuration.limits }
    private var hostname: String { configuration.hostname }

    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// Whether the session is inside DATA (the driver has a spool file open).
    public var isReceivingMessage: Bool {
        switch state {
        case .receivingData, .dataEnded: return true
        default: return false
        }
    }

    /// The reply for a connection refused because the server has too many.
    public static func tooManyConnectionsReply(hostname: String) -> SMTPServerReply {
        SMTPServerReply(421, .init(4, 3, 2), "\(hostname) too many connections; please try again later")
    }

    /// Runs `input` through a session that accepts every credential, sender, recipient and
    /// message, and returns every action: bytes in, actions out, for fuzz targets.
    public static func actions(for input: [UInt8], configuration: Configuration) -> [SMTPServerAction] {
        actions(forReads: [input[...]], configuration: configuration)
    }

    /// The same with the input arriving in `reads`, one socket read each.
    public static func actions(forReads reads: [ArraySlice<UInt8>], configuration: Configuration) -> [SMTPServerAction] {
        var machine = SMTPServerStateMachine(configuration: configuration)
        var actions = [machine.connectionEstablished()]
        var buffer = ByteBuffer()
        for read in reads {
            buffer.writeBytes(read)
            while !machine.isClosed {
                var action = machine.read(&buffer)
                if action == .needMoreBytes { break }
                while true {
                    actions.append(action)
                    let next: SMTPServerAction
                    switch action {
                    case .authenticate: next = machine.authenticationDecided(.accept)
                    case .checkSender: next = machine.senderDecided(.accept)
                    case .checkRecipient: next = machine.recipientDecided(.accept)
                    case .openMessage: next = machine.messageOpened()
                    case .finishMessage: next = machine.messageDecided(.accepted(queueID: "fuzz"))
                    case .startTLS:
                        machine.tlsEstablished()
                        next = .needMoreBytes
                    default: next = .needMoreBytes
                    }
                    if next == .needMoreBytes { break }
                    action = next
                }
            }
        }
        return actions
    }

    // MARK: - Events from the driver

    /// The connection is open: greet.
    public mutating func connectionEstablished() -> SMTPServerAction {
        guard case .notStarted = state else { return .needMoreBytes }
        state = .ready
        return .send(SMTPServerReply(220, nil, "\(hostname) ESMTP Faxline mail-to-fax gateway ready"))
    }

    /// The TLS handshake after STARTTLS completed: the session starts over (RFC 3207 4.2).
    public mutating func tlsEstablished() {
        guard case .awaitingTLSHandshake = state else { return }
        isTLSActive = true
        helloName = nil
        authenticatedUser = nil
        envelope = nil
        state = .ready
    }

    /// The client sent nothing for too long.
    public mutating func idleTimeout() -> SMTPServerAction {
        close(with: SMTPServerReply(421, .init(4, 4, 2), "\(hostname) idle for too long, closing connection"))
    }

    /// The server is going down.
    public mutating func shutdown() -> SMTPServerAction {
        close(with: SMTPServerReply(421, .init(4, 3, 2), "\(hostname) shutting down; please try again later"))
    }

    /// Consumes the client's bytes until an action is due. Returns ``SMTPServerAction/needMoreBytes``
    /// when `buffer` holds no complete input, or while a decision is pending.
    public mutating func read(_ buffer: inout ByteBuffer) -> SMTPServerAction {
        while true {
            switch state {
            case .notStarted, .deciding, .awaitingTLSHandshake:
                return .needMoreBytes
            case .closed:
                buffer.moveReaderIndex(to: buffer.writerIndex)
                return .needMoreBytes
            case .skippingLine(let reply):
                guard buffer.skipSMTPLineRemainder() else { return .needMoreBytes }
                state = .ready
                return respond(reply)
            case .ready:
                switch buffer.readSMTPLine(maximumLength: limits.maximumCommandLineLength) {
                case nil:
                    return .needMoreBytes
                case .tooLong:
                    state = .skippingLine(then: SMTPServerReply(500, .init(5, 5, 2),
                        "line too long (at most \(limits.maximumCommandLineLength) bytes)"))
                case .line(let line):
                    return command(line: line, buffer: &buffer)
                }
            case .authenticating(let step):
                switch buffer.readSMTPLine(maximumLength: limits.maximumAuthenticationLineLength) {
                case nil:
                    return .needMoreBytes
                case .tooLong:
                    state = .skippingLine(then: SMTPServerReply(500, .init(5, 5, 6),
                        "authentication response too long (at most \(limits.maximumAuthenticationLineLength) bytes); authentication cancelled"))
                case .line(let line):
                    return authenticationResponse(String(buffer: line), step: step)
                }
            case .receivingData(var reader, let problem):
                if let action = receiveData(&buffer, reader: &reader, problem: problem) { return action }
                if buffer.readableBytes == 0, case .receivingData = state { return .needMoreBytes }
            case .dataEnded(let size, let problem):
                guard let problem else {
                    envelope?.messageSize = size
                    state = .deciding(.messageAcceptance)
                    return .finishMessage(envelope!)
                }
                envelope = nil
                state = .ready
                switch problem {
                case .tooLarge:
                    return respond(SMTPServerReply(552, .init(5, 3, 4), "message exceeds the limit of \(limits.maximumMessageBytes) bytes"))
                case .lineTooLong:
                    return respond(SMTPServerReply(554, .init(5, 6, 0),
                        "message refused: a line is longer than \(limits.maximumTextLineLength) bytes; send long text as an attachment"))
                case .storageFailed:
                    return respond(SMTPServerReply(452, .init(4, 3, 1), "insufficient system storage; please try again later"))
                }
            }
        }
    }

    // MARK: - Answers from the driver

    public mutating func authenticationDecided(_ decision: SMTPPolicyDecision) -> SMTPServerAction {
        guard case .deciding(.authentication(let username)) = state else { return .needMoreBytes }
        state = .ready
        switch decision {
        case .accept:
            authenticatedUser = username
            return respond(SMTPServerReply(235, .init(2, 7, 0), "authentication successful"))
        case .refuse(let reply):
            authenticationFailures += 1
            if authenticationFailures >= limits.maximumAuthenticationFailures {
                return close(with: SMTPServerReply(421, .init(4, 7, 0), "too many failed authentication attempts, closing connection"))
            }
            return respond(refusal(reply))
        }
    }

    public mutating func senderDecided(_ decision: SMTPPolicyDecision) -> SMTPServerAction {
        guard case .deciding(.sender(let sender, let parameters)) = state else { return .needMoreBytes }
        state = .ready
        switch decision {
        case .accept:
            envelope = SMTPEnvelope(sender: sender, parameters: parameters)
            return respond(SMTPServerReply(250, .init(2, 1, 0), "sender \(sender) ok"))
        case .refuse(let reply):
            return respond(refusal(reply))
        }
    }

    public mutating func recipientDecided(_ decision: SMTPPolicyDecision) -> SMTPServerAction {
        guard case .deciding(.recipient(let recipient)) = state else { return .needMoreBytes }
        state = .ready
        switch decision {
        case .accept:
            envelope?.recipients.append(recipient)
            return respond(SMTPServerReply(250, .init(2, 1, 5), "recipient \(recipient) ok"))
        case .refuse(let reply):
            return respond(refusal(reply))
        }
    }

    /// The spool file for the message is open: the client may send it.
    public mutating func messageOpened() -> SMTPServerAction {
        guard case .deciding(.messageOpening) = state else { return .needMoreBytes }
        state = .receivingData(SMTPDataReader(), problem: nil)
        return .send(SMTPServerReply(354, nil, "end data with <CR><LF>.<CR><LF>"))
    }

    /// No spool file could be opened.
    public mutating func messageOpenFailed() -> SMTPServerAction {
        guard case .deciding(.messageOpening) = state else { return .needMoreBytes }
        state = .ready
        return respond(SMTPServerReply(451, .init(4, 3, 0), "cannot store the message right now; please try again later"))
    }

    /// Writing the message failed (disk full): the rest is read and dropped, and the client is
    /// told to try later. The driver has removed what it wrote.
    public mutating func messageStorageFailed() {
        if case .receivingData(let reader, nil) = state {
            state = .receivingData(reader, problem: .storageFailed)
        }
    }

    public mutating func messageDecided(_ decision: SMTPMessageDecision) -> SMTPServerAction {
        guard case .deciding(.messageAcceptance) = state else { return .needMoreBytes }
        state = .ready
        envelope = nil
        switch decision {
        case .accepted(let queueID):
            return respond(SMTPServerReply(250, .init(2, 0, 0), "message accepted for faxing, queued as \(queueID)"))
        case .refused(let reply):
            return respond(refusal(reply))
        }
    }

    // MARK: - Commands

    private mutating func command(line: ByteBuffer, buffer: inout ByteBuffer) -> SMTPServerAction {
        commandCount += 1
        if commandCount > limits.maximumCommands {
            return close(with: SMTPServerReply(421, .init(4, 7, 0), "too many commands in one session, closing connection"))
        }
        let command: SMTPServerCommand
        do {
            command = try SMTPServerCommand(parsing: line.readableBytesView)
        } catch {
            return respond(syntaxErrorReply(error))
        }
        switch command {
        case .hello(let domain, let extended):
            helloName = domain
            envelope = nil
            return respond(extended ? ehloReply(domain) : SMTPServerReply(250, nil, "\(hostname) hello \(domain)"))
        case .mail(let sender, let parameters):
            guard helloName != nil else { return respond(Self.needHello) }
            if configuration.security.requiresTLSForMail && !isTLSActive {
                return respond(SMTPServerReply(530, .init(5, 7, 0), "must issue a STARTTLS command first"))
            }
            guard envelope == nil else {
                return respond(SMTPServerReply(503, .init(5, 5, 1), "a mail transaction is already open; finish it or send RSET"))
            }
            if let size = parameters.declaredSize, size > limits.maximumMessageBytes {
                return respond(SMTPServerReply(552, .init(5, 3, 4), "message size exceeds the limit of \(limits.maximumMessageBytes) bytes"))
            }
            state = .deciding(.sender(sender, parameters))
            return .checkSender(sender, parameters)
        case .recipient(let recipient):
            guard let envelope else { return respond(SMTPServerReply(503, .init(5, 5, 1), "need MAIL before RCPT")) }
            if envelope.recipients.contains(where: { $0.localPart.lowercased() == recipient.localPart.lowercased() && $0.domain.lowercased() == recipient.domain.lowercased() }) {
                return respond(SMTPServerReply(250, .init(2, 1, 5), "recipient \(recipient) already given"))
            }
            guard envelope.recipients.count < limits.maximumRecipients else {
                return respond(SMTPServerReply(452, .init(4, 5, 3), "too many recipients (at most \(limits.maximumRecipients) per message)"))
            }
            state = .deciding(.recipient(recipient))
            return .checkRecipient(recipient)
        case .data:
            guard let envelope else { return respond(SMTPServerReply(503, .init(5, 5, 1), "need MAIL before DATA")) }
            guard !envelope.recipients.isEmpty else { return respond(SMTPServerReply(554, .init(5, 5, 1), "no valid recipients")) }
            state = .deciding(.messageOpening)
            return .openMessage
        case .reset:
            envelope = nil
            return respond(SMTPServerReply(250, .init(2, 0, 0), "reset"))
        case .noop:
            return respond(SMTPServerReply(250, .init(2, 0, 0), "ok"))
        case .quit:
            state = .closed
            return .sendAndClose(SMTPServerReply(221, .init(2, 0, 0), "\(hostname) closing connection"))
        case .verify:
            return respond(SMTPServerReply(252, .init(2, 5, 2), "cannot verify addresses; mail to a fax number is checked when it is sent"))
        case .help:
            return respond(SMTPServerReply(code: 214, enhancedCode: .init(2, 0, 0), lines: [
                "Faxline mail-to-fax gateway: mail to a fax number is sent as a fax; nothing is relayed",
                "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS AUTH",
            ]))
        case .startTLS:
            guard configuration.security.isTLSAvailable else { return respond(SMTPServerReply(502, .init(5, 5, 1), "STARTTLS is not available")) }
            guard !isTLSActive else { return respond(SMTPServerReply(503, .init(5, 5, 1), "TLS is already active")) }
            // RFC 3207 5: nothing sent before the handshake may count; pipelined commands are dropped.
            buffer.moveReaderIndex(to: buffer.writerIndex)
            state = .awaitingTLSHandshake
            return .startTLS(SMTPServerReply(220, .init(2, 0, 0), "ready to start TLS"))
        case .authenticate(let mechanism, let initialResponse):
            return authenticate(mechanism: mechanism, initialResponse: initialResponse)
        case .unknown(let verb):
            return respond(SMTPServerReply(500, .init(5, 5, 2), "command \(verb) not recognized"))
        }
    }

    private static let needHello = SMTPServerReply(503, .init(5, 5, 1), "send EHLO or HELO first")

    private var offersAuthentication: Bool {
        authenticatedUser == nil && (isTLSActive || configuration.security.allowsAuthenticationWithoutTLS)
    }

    private func ehloReply(_ domain: String) -> SMTPServerReply {
        var lines = ["\(hostname) hello \(domain)", "PIPELINING", "SIZE \(limits.maximumMessageBytes)", "8BITMIME", "ENHANCEDSTATUSCODES"]
        if configuration.security.isTLSAvailable && !isTLSActive { lines.append("STARTTLS") }
        if offersAuthentication { lines.append("AUTH PLAIN LOGIN") }
        lines.append("HELP")
        return SMTPServerReply(code: 250, enhancedCode: nil, lines: lines)
    }

    private func syntaxErrorReply(_ error: SMTPCommandSyntaxError) -> SMTPServerReply {
        switch error {
        case .badPath(.sender, _), .missingAngleBrackets(.sender):
            return SMTPServerReply(501, .init(5, 1, 7), error.description)
        case .badPath(.recipient, _), .missingAngleBrackets(.recipient):
            return SMTPServerReply(501, .init(5, 1, 3), error.description)
        case .unsupportedParameter:
            return SMTPServerReply(555, .init(5, 5, 4), error.description)
        case .badParameter, .unexpectedArgument, .missingArgument, .badHelloName:
            return SMTPServerReply(501, .init(5, 5, 4), error.description)
        case .empty, .notPrintableASCII:
            return SMTPServerReply(500, .init(5, 5, 2), error.description)
        }
    }

    // MARK: - AUTH

    private mutating func authenticate(mechanism: SMTPAuthenticationMechanism, initialResponse: String?) -> SMTPServerAction {
        guard helloName != nil else { return respond(Self.needHello) }
        guard authenticatedUser == nil else { return respond(SMTPServerReply(503, .init(5, 5, 1), "already authenticated")) }
        guard envelope == nil else { return respond(SMTPServerReply(503, .init(5, 5, 1), "AUTH is not allowed during a mail transaction")) }
        guard isTLSActive || configuration.security.allowsAuthenticationWithoutTLS else {
            return respond(SMTPServerReply(538, .init(5, 7, 11), "encryption required: issue STARTTLS before AUTH"))
        }
        switch mechanism {
        case .other(let name):
            return respond(SMTPServerReply(504, .init(5, 5, 4), "authentication mechanism \(name) is not supported; use PLAIN or LOGIN"))
        case .plain:
            guard let initialResponse else {
                state = .authenticating(.plainResponse)
                return .send(SMTPServerReply(334, nil, ""))
            }
            return authenticationResponse(initialResponse, step: .plainResponse)
        case .login:
            guard let initialResponse else {
                state = .authenticating(.loginUsername)
                return .send(SMTPServerReply(334, nil, Self.usernameChallenge))
            }
            return authenticationResponse(initialResponse, step: .loginUsername)
        }
    }

    /// `Username:` and `Password:` in base64, as every LOGIN client expects.
    private static let usernameChallenge = "VXNlcm5hbWU6"
    private static let passwordChallenge = "UGFzc3dvcmQ6"

    private mutating func authenticationResponse(_ response: String, step: AuthenticationStep) -> SMTPServerAction {
        state = .ready
        let response = response.trimmingSpaces()
        if response == "*" { return respond(SMTPServerReply(501, .init(5, 0, 0), "authentication cancelled")) }
        // RFC 4954 4: "=" is an empty initial response.
        guard let decoded = response == "=" ? [] : Base64StreamDecoder.decode(response) else {
            return respond(SMTPServerReply(501, .init(5, 5, 2), "cannot decode the authentication response (base64 expected)"))
        }
        switch step {
        case .plainResponse:
            // RFC 4616: authzid NUL authcid NUL passwd.
            let fields = decoded.split(separator: 0, omittingEmptySubsequences: false)
            guard fields.count == 3, let username = Self.text(fields[1]), let password = Self.text(fields[2]),
                  !username.isEmpty, let authorizationID = Self.text(fields[0])
            else {
                return respond(SMTPServerReply(501, .init(5, 5, 2), "malformed PLAIN response"))
            }
            guard authorizationID.isEmpty || authorizationID == username else {
                return respond(SMTPServerReply(535, .init(5, 7, 8), "acting for another user is not allowed"))
            }
            return requestAuthentication(username: username, password: password)
        case .loginUsername:
            guard let username = Self.text(decoded[...]), !username.isEmpty else {
                return respond(SMTPServerReply(501, .init(5, 5, 2), "malformed LOGIN user name"))
            }
            state = .authenticating(.loginPassword(username: username))
            return .send(SMTPServerReply(334, nil, Self.passwordChallenge))
        case .loginPassword(let username):
            guard let password = Self.text(decoded[...]) else {
                return respond(SMTPServerReply(501, .init(5, 5, 2), "malformed LOGIN password"))
            }
            return requestAuthentication(username: username, password: password)
        }
    }

    private mutating func requestAuthentication(username: String, password: String) -> SMTPServerAction {
        state = .deciding(.authentication(username: username))
        return .authenticate(SMTPAuthenticationCredentials(username: username, password: password))
    }

    /// UTF-8 without control characters, or nil.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self),
              !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        return text
    }

    // MARK: - DATA

    /// Reads message text; returns an action when one is due, nil to keep reading.
    private mutating func receiveData(_ buffer: inout ByteBuffer, reader: inout SMTPDataReader, problem: MessageProblem?) -> SMTPServerAction? {
        let (content, ended) = reader.read(&buffer)
        // Judged on the whole message so far, not on this read: a message both too large and
        // with an overlong line gets the same refusal however its bytes were split into reads.
        let newProblem = refusalReason(reading: reader) ?? problem
        state = ended ? .dataEnded(size: reader.size, problem: newProblem) : .receivingData(reader, problem: newProblem)
        if problem == nil, newProblem != nil { return .discardMessage }
        if newProblem == .tooLarge, !ended, reader.size > limits.maximumMessageBytes.multipliedReportingOverflow(by: 2).partialValue {
            // Still sending at twice the limit: stop reading instead of draining forever.
            return close(with: SMTPServerReply(552, .init(5, 3, 4), "message exceeds the limit of \(limits.maximumMessageBytes) bytes, closing connection"))
        }
        if newProblem == nil, content.readableBytes > 0 { return .writeMessageData(content) }
        return nil
    }

    /// Why the message read so far must be refused, the size first, whatever the reads.
    private func refusalReason(reading reader: SMTPDataReader) -> MessageProblem? {
        if reader.size > limits.maximumMessageBytes { return .tooLarge }
        if reader.longestLine > limits.maximumTextLineLength { return .lineTooLong }
        return nil
    }

    // MARK: - Replies

    /// Sends `reply`, counting failures; at the error limit the connection is closed instead.
    private mutating func respond(_ reply: SMTPServerReply) -> SMTPServerAction {
        if reply.isFailure {
            errorCount += 1
            if errorCount >= limits.maximumErrors {
                return close(with: SMTPServerReply(421, .init(4, 7, 0), "too many errors, closing connection (last: \(reply))"))
            }
        }
        return .send(reply)
    }

    private mutating func close(with reply: SMTPServerReply) -> SMTPServerAction {
        state = .closed
        envelope = nil
        return .sendAndClose(reply)
    }

    /// A policy's refusal, which must be a failure reply; anything else is a policy bug and
    /// becomes a temporary failure rather than an accidental acceptance.
    private func refusal(_ reply: SMTPServerReply) -> SMTPServerReply {
        guard reply.isFailure else {
            return SMTPServerReply(451, .init(4, 3, 0), "temporary local problem; please try again later")
        }
        return reply
    }
}

/// What the driver of an ``SMTPServerStateMachine`` must do next.
public enum SMTPServerAction: Sendable, Hashable {
    /// Read more from the client (after flushing the replies written so far).
    case needMoreBytes
    case send(SMTPServerReply)
    /// Send the reply, then close the connection.
    case sendAndClose(SMTPServerReply)
    /// Send the reply in plaintext, then start the TLS handshake; discard anything the client
    /// sent before it, and call ``SMTPServerStateMachine/tlsEstablished()`` when it completes.
    case startTLS(SMTPServerReply)
    /// Check the credentials; answer with ``SMTPServerStateMachine/authenticationDecided(_:)``.
    case authenticate(SMTPAuthenticationCredentials)
    /// Answer with ``SMTPServerStateMachine/senderDecided(_:)``.
    case checkSender(SMTPReversePath, SMTPMailParameters)
    /// Answer with ``SMTPServerStateMachine/recipientDecided(_:)``.
    case checkRecipient(SMTPMailbox)
    /// DATA: open a spool file, then call ``SMTPServerStateMachine/messageOpened()`` or
    /// ``SMTPServerStateMachine/messageOpenFailed()``.
    case openMessage
    /// Append these message bytes to the spool file.
    case writeMessageData(ByteBuffer)
    /// The message will be refused (too large, overlong line): remove the spool file now; the
    /// reply comes when the client has finished sending.
    case discardMessage
    /// The message is complete: close the spool file and ask the policy; answer with
    /// ``SMTPServerStateMachine/messageDecided(_:)``.
    case finishMessage(SMTPEnvelope)
}
