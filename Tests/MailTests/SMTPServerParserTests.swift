import FaxTestSupport
import Testing

/// The test SMTP server's line framer, command parser and session, on bytes without sockets.
@Suite("SMTP server parsing")
struct SMTPServerParserTests {
    static let conversation = Array((
        "EHLO client.example\r\nMAIL FROM:<fax@example.com> SIZE=100\r\nRCPT TO:<a@example.org>\r\n"
        + "RCPT TO:<b@example.org>\r\nDATA\r\nSubject: x\r\n\r\n..leading dot\r\n..\r\n...\r\nend\r\n.\r\nNOOP\r\nQUIT\r\n"
    ).utf8)

    /// Runs `chunks` through framer and session; returns replies and delivered messages.
    static func run(_ chunks: [[UInt8]], script: SMTPServerScript = .acceptAll) throws -> (codes: [Int], messages: [ReceivedSMTPMessage], closed: Bool) {
        var framer = SMTPLineFramer()
        var session = SMTPServerSession(script: script)
        var codes: [Int] = []
        var messages: [ReceivedSMTPMessage] = []
        var closed = false
        func apply(_ actions: [SMTPServerSession.Action]) {
            for action in actions {
                switch action {
                case .reply(let reply): codes.append(reply.code)
                case .deliver(let message): messages.append(message)
                case .authenticationAttempted: break
                case .close: closed = true
                }
            }
        }
        apply(session.start())
        for chunk in chunks {
            for line in try framer.feed(chunk) { apply(session.receive(line: line)) }
        }
        return (codes, messages, closed)
    }

    static let expectedCodes = [220, 250, 250, 250, 250, 354, 250, 250, 221]

    func checkConversation(_ result: (codes: [Int], messages: [ReceivedSMTPMessage], closed: Bool)) {
        #expect(result.codes == Self.expectedCodes)
        #expect(result.closed)
        #expect(result.messages.count == 1)
        let message = result.messages.first
        #expect(message?.heloName == "client.example")
        #expect(message?.mailFrom == "fax@example.com")
        #expect(message?.recipients == ["a@example.org", "b@example.org"])
        #expect(message?.text == "Subject: x\r\n\r\n.leading dot\r\n.\r\n..\r\nend\r\n")
    }

    @Test func wholeConversationInOneChunk() throws {
        checkConversation(try Self.run([Self.conversation]))
    }

    @Test func everySplitIntoTwoChunksGivesTheSameResult() throws {
        let bytes = Self.conversation
        for split in 0...bytes.count {
            let result = try Self.run([Array(bytes[..<split]), Array(bytes[split...])])
            #expect(result.codes == Self.expectedCodes, "split at \(split)")
            #expect(result.messages.first?.text == "Subject: x\r\n\r\n.leading dot\r\n.\r\n..\r\nend\r\n", "split at \(split)")
        }
    }

    @Test func byteByByte() throws {
        checkConversation(try Self.run(Self.conversation.map { [$0] }))
    }

    @Test func framerRefusesOverlongLinesAndAcceptsTheLimit() throws {
        var framer = SMTPLineFramer(maximumLineLength: 10)
        #expect(try framer.feed(Array("0123456789\r\n".utf8)) == [Array("0123456789".utf8)])
        #expect(try framer.feed(Array("short\n".utf8)) == [Array("short".utf8)])
        var overlong = SMTPLineFramer(maximumLineLength: 10)
        #expect(throws: SMTPLineFramer.FramingError.lineTooLong(limit: 10)) { try overlong.feed(Array("01234567890123".utf8)) }
    }

    @Test func commandsParse() throws {
        func parse(_ text: String) throws -> SMTPCommand { try SMTPCommand.parse(Array(text.utf8)) }
        #expect(try parse("ehlo host") == .hello(domain: "host", extended: true))
        #expect(try parse("HELO host") == .hello(domain: "host", extended: false))
        #expect(try parse("MAIL FROM:<>") == .mailFrom(""))
        #expect(try parse("mail from: <a@b.c> BODY=8BITMIME") == .mailFrom("a@b.c"))
        #expect(try parse("RCPT TO:<x@y.z>") == .recipient("x@y.z"))
        #expect(try parse("RSET") == .reset)
        #expect(try parse("XYZZY now") == .unknown(verb: "XYZZY"))
        #expect(throws: SMTPCommand.ParseError.self) { try parse("") }
        #expect(throws: SMTPCommand.ParseError.self) { try parse("EHLO") }
        #expect(throws: SMTPCommand.ParseError.self) { try parse("RCPT TO:<>") }
        #expect(throws: SMTPCommand.ParseError.self) { try parse("RCPT TO:x@y.z") }
        #expect(throws: SMTPCommand.ParseError.self) { try parse("MAIL FROM:<a\u{1}@b>") }
        #expect(throws: SMTPCommand.ParseError.self) { try parse("NOOP " + String(repeating: "x", count: 600)) }
    }

    @Test func sessionEnforcesCommandOrder() throws {
        let result = try Self.run([Array("EHLO c\r\nRCPT TO:<a@b.c>\r\nDATA\r\nMAIL FROM:<f@b.c>\r\nMAIL FROM:<f@b.c>\r\nRSET\r\nDATA\r\n".utf8)])
        #expect(result.codes == [220, 250, 503, 503, 250, 503, 250, 503])
        #expect(result.messages.isEmpty)
    }

    @Test func scriptedFailures() throws {
        let mail = Array("EHLO c\r\nMAIL FROM:<f@b.c>\r\nRCPT TO:<a@b.c>\r\nDATA\r\nbody\r\n.\r\n".utf8)
        let rejected = try Self.run([mail], script: SMTPServerScript(rejectedRecipients: ["A@B.C"]))
        #expect(rejected.codes == [220, 250, 250, 550, 503, 502, 502])
        let busy = try Self.run([mail], script: SMTPServerScript(dataReply: SMTPReply(451, "4.3.0 try later")))
        #expect(busy.codes.prefix(5) == [220, 250, 250, 250, 451])
        #expect(busy.messages.isEmpty)
        let dropped = try Self.run([mail], script: SMTPServerScript(closeConnection: .data))
        #expect(dropped.codes == [220, 250, 250, 250])
        #expect(dropped.closed)
        let silent = try Self.run([mail], script: SMTPServerScript(closeConnection: .beforeGreeting))
        #expect(silent.codes.isEmpty && silent.closed)
    }

    @Test func oversizedMessageIsRefusedAndNotDelivered() throws {
        var session = SMTPServerSession(limits: .init(maximumRecipients: 1, maximumMessageBytes: 20))
        _ = session.start()
        var framer = SMTPLineFramer()
        var codes: [Int] = []
        let lines = try framer.feed(Array("HELO c\r\nMAIL FROM:<f@b.c>\r\nRCPT TO:<a@b.c>\r\nRCPT TO:<d@b.c>\r\nDATA\r\n0123456789\r\n0123456789\r\n.\r\n".utf8))
        for line in lines {
            for case .reply(let reply) in session.receive(line: line) { codes.append(reply.code) }
        }
        #expect(codes == [250, 250, 250, 452, 354, 552])
    }
}
