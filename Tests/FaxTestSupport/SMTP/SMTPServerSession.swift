import Foundation

/// One SMTP server conversation as a state machine: lines in, actions out, no I/O.
public struct SMTPServerSession: Sendable {
    public enum Action: Sendable, Equatable {
        case reply(SMTPReply)
        case deliver(ReceivedSMTPMessage)
        /// The client sent AUTH: credentials went over this connection.
        case authenticationAttempted
        case close
    }

    public struct Limits: Sendable, Equatable {
        public var maximumRecipients: Int
        public var maximumMessageBytes: Int
        public init(maximumRecipients: Int = 100, maximumMessageBytes: Int = 32 * 1024 * 1024) {
            self.maximumRecipients = maximumRecipients
            self.maximumMessageBytes = maximumMessageBytes
        }
    }

    private enum State: Sendable {
        case greeting
        case ready
        case data
        case authenticating
        case closed
    }

    public let hostname: String
    public let script: SMTPServerScript
    public let limits: Limits
    private var state: State = .greeting
    private var heloName: String?
    private var mailFrom: String?
    private var recipients: [String] = []
    private var data: [UInt8] = []
    private var dataTooLarge = false
    private var isAuthenticated = false

    public init(hostname: String = "faxline-test.invalid", script: SMTPServerScript = .acceptAll, limits: Limits = Limits()) {
        self.hostname = hostname
        self.script = script
        self.limits = limits
    }

    public var isClosed: Bool { state == .closed }

    /// What to do when the connection opens.
    public mutating func start() -> [Action] {
        if script.closeConnection == .beforeGreeting {
            state = .closed
            return [.close]
        }
        state = .ready
        return [.reply(SMTPReply(220, "\(hostname) ESMTP faxline test server"))]
    }

    /// The client's line could not be framed (too long): answer and hang up.
    public mutating func framingFailed() -> [Action] {
        state = .closed
        return [.reply(SMTPReply(500, "5.5.2 line too long")), .close]
    }

    public mutating func receive(line: [UInt8]) -> [Action] {
        switch state {
        case .greeting, .closed:
            return []
        case .data:
            return receiveData(line: line)
        case .authenticating:
            state = .ready
            return [.reply(checkPlainCredentials(String(decoding: line, as: UTF8.self)))]
        case .ready:
            break
        }
        let command: SMTPCommand
        do {
            command = try SMTPCommand.parse(line)
        } catch {
            return [.reply(SMTPReply(500, "5.5.2 \(error)"))]
        }
        switch command {
        case .hello(let domain, let extended):
            heloName = domain
            resetTransaction()
            if extended {
                var lines = [hostname, "8BITMIME", "SIZE \(limits.maximumMessageBytes)", "PIPELINING"]
                if script.requiredCredentials != nil { lines.append("AUTH PLAIN") }
                return [.reply(SMTPReply(code: 250, lines: lines))]
            }
            return [.reply(SMTPReply(250, hostname))]
        case .mailFrom(let address):
            if script.closeConnection == .mailFrom { return closing() }
            guard mailFrom == nil else { return [.reply(SMTPReply(503, "5.5.1 nested MAIL command"))] }
            guard script.requiredCredentials == nil || isAuthenticated else {
                return [.reply(SMTPReply(530, "5.7.0 authentication required"))]
            }
            mailFrom = address
            return [.reply(SMTPReply(250, "2.1.0 sender ok"))]
        case .recipient(let address):
            guard mailFrom != nil else { return [.reply(SMTPReply(503, "5.5.1 need MAIL before RCPT"))] }
            if script.rejectsAllRecipients || script.rejectedRecipients.contains(address.lowercased()) {
                return [.reply(script.recipientRejection)]
            }
            guard recipients.count < limits.maximumRecipients else {
                return [.reply(SMTPReply(452, "4.5.3 too many recipients"))]
            }
            recipients.append(address)
            return [.reply(SMTPReply(250, "2.1.5 recipient ok"))]
        case .data:
            if script.closeConnection == .data { return closing() }
            guard mailFrom != nil, !recipients.isEmpty else { return [.reply(SMTPReply(503, "5.5.1 need RCPT before DATA"))] }
            if let reply = script.dataReply { return [.reply(reply)] }
            state = .data
            data = []
            dataTooLarge = false
            return [.reply(SMTPReply(354, "end data with <CR><LF>.<CR><LF>"))]
        case .reset:
            resetTransaction()
            return [.reply(SMTPReply(250, "2.0.0 reset"))]
        case .noop:
            return [.reply(SMTPReply(250, "2.0.0 ok"))]
        case .quit:
            state = .closed
            return [.reply(SMTPReply(221, "2.0.0 bye")), .close]
        case .authenticate(let mechanism, let initialResponse):
            return [.authenticationAttempted] + authenticate(mechanism: mechanism, initialResponse: initialResponse)
        case .startTLS:
            return [.reply(SMTPReply(502, "5.5.1 STARTTLS not offered"))]
        case .verify:
            return [.reply(SMTPReply(252, "2.5.2 cannot verify"))]
        case .unknown:
            return [.reply(SMTPReply(502, "5.5.2 command not implemented"))]
        }
    }

    private mutating func authenticate(mechanism: String, initialResponse: String?) -> [Action] {
        guard script.requiredCredentials != nil, !isAuthenticated else { return [.reply(SMTPReply(503, "5.5.1 AUTH not available"))] }
        guard mechanism == "PLAIN" else { return [.reply(SMTPReply(504, "5.5.4 mechanism not supported"))] }
        if let initialResponse { return [.reply(checkPlainCredentials(initialResponse))] }
        state = .authenticating
        return [.reply(SMTPReply(334, ""))]
    }

    private mutating func receiveData(line: [UInt8]) -> [Action] {
        if line == [UInt8(ascii: ".")] {
            state = .ready
            defer { resetTransaction() }
            if script.closeConnection == .endOfData { return closing() }
            if dataTooLarge { return [.reply(SMTPReply(552, "5.3.4 message too big"))] }
            if let reply = script.endOfDataReply { return [.reply(reply)] }
            let message = ReceivedSMTPMessage(heloName: heloName, mailFrom: mailFrom ?? "", recipients: recipients, data: data)
            return [.deliver(message), .reply(SMTPReply(250, "2.0.0 queued"))]
        }
        // Dot-unstuffing (RFC 5321 4.5.2): a leading dot was doubled by the client.
        let content = line.first == UInt8(ascii: ".") ? line.dropFirst() : line[...]
        if data.count + content.count + 2 > limits.maximumMessageBytes {
            dataTooLarge = true
            data = []
        } else if !dataTooLarge {
            data += content
            data += [0x0D, 0x0A]
        }
        return []
    }

    /// RFC 4616: base64 of `authzid NUL authcid NUL passwd`.
    private mutating func checkPlainCredentials(_ response: String) -> SMTPReply {
        guard let expected = script.requiredCredentials,
              let decoded = Data(base64Encoded: response).map(Array.init)
        else { return SMTPReply(501, "5.5.2 cannot decode response") }
        let fields = decoded.split(separator: 0, omittingEmptySubsequences: false)
        guard fields.count == 3,
              Array(fields[1]) == Array(expected.username.utf8), Array(fields[2]) == Array(expected.password.utf8)
        else { return SMTPReply(535, "5.7.8 authentication credentials invalid") }
        isAuthenticated = true
        return SMTPReply(235, "2.7.0 authentication successful")
    }

    private mutating func resetTransaction() {
        mailFrom = nil
        recipients = []
        data = []
        dataTooLarge = false
    }

    private mutating func closing() -> [Action] {
        state = .closed
        return [.close]
    }
}
