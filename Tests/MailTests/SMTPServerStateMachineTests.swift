import Foundation
import Mail
import NIOCore
import Testing

@Suite("SMTP server state machine")
struct SMTPServerStateMachineTests {
    /// Thunderbird on a loopback listener: AUTH PLAIN with an initial response, 8BITMIME,
    /// a dot-stuffed body.
    static let thunderbirdSession = """
        EHLO [127.0.0.1]\r
        AUTH PLAIN AGFsaWNlAHNlY3JldA==\r
        MAIL FROM:<alice@example.com> BODY=8BITMIME SIZE=180\r
        RCPT TO:<5550100@fax.example.com>\r
        DATA\r
        From: Alice <alice@example.com>\r
        Subject: Invoice\r
        \r
        Line one\r
        ..leading dot\r
        .\u{20}\r
        ..\r
        -- \r
        Alice\r
        .\r
        QUIT\r

        """

    static let thunderbirdTranscript = [
        "220 fax.test ESMTP Faxline mail-to-fax gateway ready",
        "250-fax.test hello [127.0.0.1]\n250-PIPELINING\n250-SIZE 26214400\n250-8BITMIME\n250-ENHANCEDSTATUSCODES\n250-AUTH PLAIN LOGIN\n250 HELP",
        "235 2.7.0 authentication successful",
        "250 2.1.0 sender alice@example.com ok",
        "250 2.1.5 recipient 5550100@fax.example.com ok",
        "354 end data with <CR><LF>.<CR><LF>",
        "250 2.0.0 message accepted for faxing, queued as Q1",
        "221 2.0.0 fax.test closing connection",
        "[close]",
    ]

    static let thunderbirdMessage =
        "From: Alice <alice@example.com>\r\nSubject: Invoice\r\n\r\nLine one\r\n.leading dot\r\n \r\n.\r\n-- \r\nAlice\r\n"

    /// Outlook style, all pipelined: AUTH LOGIN, a refused relay among fax recipients in each
    /// addressing form, RSET, a second transaction with a null sender.
    static let pipelinedSession = """
        EHLO DESKTOP-1234\r
        AUTH LOGIN\r
        YWxpY2U=\r
        c2VjcmV0\r
        MAIL FROM:<alice@example.com> SIZE=300\r
        RCPT TO:<"[FAX:+1 (555) 010-0100]"@pbx.example.com>\r
        RCPT TO:<someone@gmail.com>\r
        RCPT TO:<bob@5550101.fax>\r
        RCPT TO:<BOB@5550101.FAX>\r
        DATA\r
        Subject: two\r
        \r
        x\r
        .\r
        RSET\r
        MAIL FROM:<>\r
        RCPT TO:<FAX=5550102@example.org>\r
        DATA\r
        body\r
        .\r
        NOOP\r
        QUIT\r

        """

    static let pipelinedTranscript = [
        "220 fax.test ESMTP Faxline mail-to-fax gateway ready",
        "250-fax.test hello DESKTOP-1234\n250-PIPELINING\n250-SIZE 26214400\n250-8BITMIME\n250-ENHANCEDSTATUSCODES\n250-AUTH PLAIN LOGIN\n250 HELP",
        "334 VXNlcm5hbWU6",
        "334 UGFzc3dvcmQ6",
        "235 2.7.0 authentication successful",
        "250 2.1.0 sender alice@example.com ok",
        "250 2.1.5 recipient \"[FAX:+1 (555) 010-0100]\"@pbx.example.com ok",
        "550 5.7.1 relaying denied: this server only accepts mail to fax numbers",
        "250 2.1.5 recipient bob@5550101.fax ok",
        "250 2.1.5 recipient BOB@5550101.FAX already given",
        "354 end data with <CR><LF>.<CR><LF>",
        "250 2.0.0 message accepted for faxing, queued as Q1",
        "250 2.0.0 reset",
        "250 2.1.0 sender <> ok",
        "250 2.1.5 recipient FAX=5550102@example.org ok",
        "354 end data with <CR><LF>.<CR><LF>",
        "250 2.0.0 message accepted for faxing, queued as Q1",
        "250 2.0.0 ok",
        "221 2.0.0 fax.test closing connection",
        "[close]",
    ]

    @Test func thunderbirdSessionOnEverySplit() {
        let bytes = Array(Self.thunderbirdSession.utf8)
        for chunks in SMTPSessionHarness.chunkings(of: bytes) {
            let transcript = SMTPSessionHarness().run(chunks)
            #expect(transcript.lines == Self.thunderbirdTranscript, "chunks \(chunks.map(\.count))")
            #expect(transcript.messages.map(\.text) == [Self.thunderbirdMessage], "chunks \(chunks.map(\.count))")
        }
        let message = SMTPSessionHarness().run(Self.thunderbirdSession).messages.first
        #expect(message?.envelope.sender == .mailbox(SMTPMailbox(localPart: "alice", domain: "example.com")))
        #expect(message?.envelope.parameters == SMTPMailParameters(declaredSize: 180, body: .eightBitMIME))
        #expect(message?.envelope.messageSize == Self.thunderbirdMessage.utf8.count)
    }

    @Test func pipelinedSessionOnEverySplit() {
        let bytes = Array(Self.pipelinedSession.utf8)
        for chunks in SMTPSessionHarness.chunkings(of: bytes) {
            let transcript = SMTPSessionHarness().run(chunks)
            #expect(transcript.lines == Self.pipelinedTranscript, "chunks \(chunks.map(\.count))")
            #expect(transcript.messages.map(\.text) == ["Subject: two\r\n\r\nx\r\n", "body\r\n"])
        }
        let transcript = SMTPSessionHarness().run(Self.pipelinedSession)
        #expect(transcript.messages.first?.envelope.recipients.map(\.localPart) == ["[FAX:+1 (555) 010-0100]", "bob"])
        #expect(transcript.messages.last?.envelope.sender == .null)
        // The duplicate recipient was not asked about again.
        #expect(transcript.checkedRecipients.count == 4)
    }

    // MARK: - Order of commands

    @Test func commandsOutOfOrderAreRefused() {
        let transcript = SMTPSessionHarness().run(
            "MAIL FROM:<a@b.c>\r\nHELO c\r\nRCPT TO:<1@fax.example.com>\r\nDATA\r\nMAIL FROM:<a@b.c>\r\nDATA\r\nMAIL FROM:<a@b.c>\r\n")
        #expect(transcript.lines.dropFirst() == [
            "503 5.5.1 send EHLO or HELO first",
            "250 fax.test hello c",
            "503 5.5.1 need MAIL before RCPT",
            "503 5.5.1 need MAIL before DATA",
            "250 2.1.0 sender a@b.c ok",
            "554 5.5.1 no valid recipients",
            "503 5.5.1 a mail transaction is already open; finish it or send RSET",
        ])
    }

    @Test func syntaxErrorsSayWhatIsWrong() {
        var configuration = SMTPSessionHarness.configuration
        configuration.limits.maximumErrors = 100
        let session = """
            EHLO\r
            EHLO c\r
            MAIL FROM:a@b.c\r
            MAIL FROM:<a@b.c> SIZE=12x\r
            MAIL FROM:<a@b.c> BODY=BINARYMIME\r
            MAIL FROM:<a@b.c> SMTPUTF8\r
            MAIL FROM:<a b@c.d>\r
            MAIL FROM:<a@-b.c>\r
            MAIL FROM:<a@b.c>\r
            RCPT TO:<>\r
            RCPT TO:<1@fax.example.com> NOTIFY=NEVER\r
            RCPT TO:<nodomain>\r
            RCPT TO:<\(String(repeating: "1", count: 65))@fax.example.com>\r
            DATA now\r
            XYZZY\r
            MAIL FROM:<ü@b.c>\r

            """
        let transcript = SMTPSessionHarness().run(session, configuration: configuration)
        #expect(transcript.lines.dropFirst() == [
            "501 5.5.4 EHLO needs an argument",
            "250-fax.test hello c\n250-PIPELINING\n250-SIZE 26214400\n250-8BITMIME\n250-ENHANCEDSTATUSCODES\n250-AUTH PLAIN LOGIN\n250 HELP",
            "501 5.1.7 the sender address must be in angle brackets: <name@example.com>",
            "501 5.5.4 parameter SIZE must be a number of bytes",
            "501 5.5.4 parameter BODY must be 7BIT or 8BITMIME",
            "555 5.5.4 parameter SMTPUTF8 is not supported",
            "501 5.1.7 bad sender address: the local part has characters that need quoting",
            "501 5.1.7 bad sender address: the domain is not a host name or address literal",
            "250 2.1.0 sender a@b.c ok",
            "501 5.1.3 bad recipient address: the recipient address is empty",
            "555 5.5.4 parameter NOTIFY is not supported",
            "501 5.1.3 bad recipient address: the address has no domain",
            "501 5.1.3 bad recipient address: the local part is longer than 64 bytes",
            "501 5.5.4 DATA takes no argument",
            "500 5.5.2 command XYZZY not recognized",
            "500 5.5.2 commands must be printable ASCII",
        ])
    }

    @Test func overlongCommandLineIsRefusedAndTheSessionGoesOn() {
        let long = "NOOP " + String(repeating: "x", count: 600) + "\r\n"
        for chunks in SMTPSessionHarness.chunkings(of: Array((long + "NOOP\r\n").utf8)) {
            let transcript = SMTPSessionHarness().run(chunks)
            #expect(transcript.lines.dropFirst() == ["500 5.5.2 line too long (at most 512 bytes)", "250 2.0.0 ok"])
        }
        // Exactly at the limit (CRLF included) is fine.
        let atLimit = "NOOP " + String(repeating: "x", count: 512 - 7) + "\r\n"
        #expect(SMTPSessionHarness().run(atLimit).lines.dropFirst() == ["250 2.0.0 ok"])
    }

    @Test func bareLineFeedsEndCommands() {
        let transcript = SMTPSessionHarness().run("HELO c\nNOOP\n")
        #expect(transcript.codes == [220, 250, 250])
    }

    @Test func verifyHelpNoopAndReset() {
        let transcript = SMTPSessionHarness().run("EHLO c\r\nVRFY bob\r\nHELP\r\nNOOP anything\r\nRSET\r\n")
        #expect(transcript.lines.dropFirst(2) == [
            "252 2.5.2 cannot verify addresses; mail to a fax number is checked when it is sent",
            "214-2.0.0 Faxline mail-to-fax gateway: mail to a fax number is sent as a fax; nothing is relayed\n"
                + "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS AUTH",
            "250 2.0.0 ok",
            "250 2.0.0 reset",
        ])
    }

    // MARK: - Limits

    @Test func recipientsPerMessageAreLimited() {
        var configuration = SMTPSessionHarness.configuration
        configuration.limits.maximumRecipients = 2
        let transcript = SMTPSessionHarness().run(
            "HELO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<1@fax.example.com>\r\nRCPT TO:<2@fax.example.com>\r\nRCPT TO:<3@fax.example.com>\r\n",
            configuration: configuration)
        #expect(transcript.lines.last == "452 4.5.3 too many recipients (at most 2 per message)")
        #expect(transcript.checkedRecipients.count == 2)
    }

    @Test func declaredSizeOverTheLimitIsRefusedAtMail() {
        let transcript = SMTPSessionHarness().run("HELO c\r\nMAIL FROM:<a@b.c> SIZE=26214401\r\nMAIL FROM:<a@b.c> SIZE=999999999999999999999\r\n")
        #expect(transcript.lines.dropFirst(2) == [
            "552 5.3.4 message size exceeds the limit of 26214400 bytes",
            "552 5.3.4 message size exceeds the limit of 26214400 bytes",
        ])
    }

    static let transaction = "HELO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<5550100@fax.example.com>\r\nDATA\r\n"

    @Test func messageOverTheLimitIsDiscardedWhileStreaming() {
        var configuration = SMTPSessionHarness.configuration
        configuration.limits.maximumMessageBytes = 100
        // 168 bytes: over the limit, but not so far over that the sender is cut off.
        let body = String(repeating: "0123456789012345678\r\n", count: 8) + ".\r\nNOOP\r\n"
        for chunks in SMTPSessionHarness.chunkings(of: Array((Self.transaction + body).utf8)) {
            let transcript = SMTPSessionHarness().run(chunks, configuration: configuration)
            #expect(transcript.lines.suffix(3) == [
                "[discard]",
                "552 5.3.4 message exceeds the limit of 100 bytes",
                "250 2.0.0 ok",
            ])
            #expect(transcript.messages.isEmpty)
        }
    }

    @Test func messageExactlyAtTheLimitIsAccepted() {
        var configuration = SMTPSessionHarness.configuration
        configuration.limits.maximumMessageBytes = 100
        let body = String(repeating: "012345678\r\n", count: 8) + "0123456789\r\n" + ".\r\n"
        let transcript = SMTPSessionHarness().run(Self.transaction + body, configuration: configuration)
        #expect(transcript.messages.first?.envelope.messageSize == 100)
    }

    @Test func senderWhoKeepsStreamingFarOverTheLimitIsCutOff() {
        var configuration = SMTPSessionHarness.configuration
        configuration.limits.maximumMessageBytes = 100
        let body = String(repeating: "0123456789012345678\r\n", count: 20)
        let transcript = SMTPSessionHarness().run(Self.transaction + body, configuration: configuration)
        #expect(transcript.lines.suffix(3) == ["[discard]", "552 5.3.4 message exceeds the limit of 100 bytes, closing connection", "[close]"])
    }

    @Test func overlongTextLineRefusesTheMessage() {
        let body = String(repeating: "x", count: 999) + "\r\n.\r\n"
        let transcript = SMTPSessionHarness().run(Self.transaction + body)
        #expect(transcript.lines.suffix(2) == [
            "[discard]",
            "554 5.6.0 message refused: a line is longer than 1000 bytes; send long text as an attachment",
        ])
        let fits = String(repeating: "x", count: 998) + "\r\n.\r\n"
        #expect(SMTPSessionHarness().run(Self.transaction + fits).messages.count == 1)
    }

    /// Found by the smtp fuzz target: a message both over the size limit and with an overlong
    /// line was refused as too large when it came in one read, but for its line when a read ended
    /// after the line was over its limit and before the message was over its own.
    @Test func refusalOfAMessageIsTheSameOnEverySplit() {
        var configuration = SMTPSessionHarness.configuration
        configuration.limits.maximumTextLineLength = 10
        configuration.limits.maximumMessageBytes = 20
        let session = Self.transaction + String(repeating: "a", count: 25) + "\r\n.\r\nNOOP\r\n"
        let whole = SMTPSessionHarness().run(session, configuration: configuration)
        #expect(whole.lines.suffix(3) == ["[discard]", "552 5.3.4 message exceeds the limit of 20 bytes", "250 2.0.0 ok"])
        for chunks in SMTPSessionHarness.chunkings(of: Array(session.utf8)) {
            #expect(SMTPSessionHarness().run(chunks, configuration: configuration) == whole, "chunks \(chunks.map(\.count))")
        }
    }

    /// The fuzz target's input itself (Fuzz/Findings/smtp), with the tiny limits its control
    /// bytes chose: two transactions whose messages are refused for a 4-byte line limit.
    @Test func fuzzFindingSessionIsTheSameOnEverySplit() throws {
        let finding = URL(filePath: #filePath).deletingLastPathComponent()
            .appending(path: "../../Fuzz/Findings/smtp/split-inside-a-refused-message").standardized
        let session = Array(try Data(contentsOf: finding).dropFirst(4))
        let configuration = SMTPServerStateMachine.Configuration(
            hostname: "fuzz.test",
            limits: SMTPServerLimits(
                maximumCommandLineLength: 59, maximumTextLineLength: 4, maximumAuthenticationLineLength: 21,
                maximumRecipients: 4, maximumMessageBytes: 124, maximumErrors: 4, maximumCommands: 11,
                maximumAuthenticationFailures: 2),
            security: .loopback(isTLSAvailable: true))
        // The fuzz target accepts every decision, postmaster too.
        var harness = SMTPSessionHarness()
        harness.checkRecipient = { _ in .accept }
        let whole = harness.run([session], configuration: configuration)
        #expect(whole.lines.filter { $0 == "[discard]" }.count >= 1)
        for chunks in SMTPSessionHarness.chunkings(of: session) {
            #expect(harness.run(chunks, configuration: configuration) == whole, "chunks \(chunks.map(\.count))")
        }
    }

    @Test func fullDiskRefusesTheMessageForNow() {
        var harness = SMTPSessionHarness()
        harness.storageFailsAfter = 10
        let transcript = harness.run([Array((Self.transaction + "0123456789\r\n").utf8), Array("more\r\n.\r\n".utf8)])
        #expect(transcript.lines.suffix(2) == ["[storage failed]", "452 4.3.1 insufficient system storage; please try again later"])
        #expect(transcript.messages.isEmpty)
    }

    @Test func tooManyErrorsCloseTheConnection() {
        var configuration = SMTPSessionHarness.configuration
        configuration.limits.maximumErrors = 3
        let transcript = SMTPSessionHarness().run("FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n", configuration: configuration)
        #expect(transcript.lines.dropFirst() == [
            "500 5.5.2 command FOO not recognized",
            "500 5.5.2 command BAR not recognized",
            "421 4.7.0 too many errors, closing connection (last: 500 5.5.2 command BAZ not recognized)",
            "[close]",
        ])
    }

    @Test func tooManyCommandsCloseTheConnection() {
        var configuration = SMTPSessionHarness.configuration
        configuration.limits.maximumCommands = 3
        let transcript = SMTPSessionHarness().run(String(repeating: "NOOP\r\n", count: 5), configuration: configuration)
        #expect(transcript.lines.dropFirst() == [
            "250 2.0.0 ok", "250 2.0.0 ok", "250 2.0.0 ok",
            "421 4.7.0 too many commands in one session, closing connection", "[close]",
        ])
    }

    @Test func timersAreTheDriversAndEndTheSessionPolitely() {
        var machine = SMTPServerStateMachine(configuration: SMTPSessionHarness.configuration)
        _ = machine.connectionEstablished()
        #expect(machine.idleTimeout() == .sendAndClose(SMTPServerReply(421, .init(4, 4, 2), "fax.test idle for too long, closing connection")))
        #expect(machine.isClosed)
        var other = SMTPServerStateMachine(configuration: SMTPSessionHarness.configuration)
        _ = other.connectionEstablished()
        #expect(other.shutdown() == .sendAndClose(SMTPServerReply(421, .init(4, 3, 2), "fax.test shutting down; please try again later")))
        var buffer = ByteBuffer(string: "NOOP\r\n")
        #expect(other.read(&buffer) == .needMoreBytes)
        #expect(buffer.readableBytes == 0)
    }

    // MARK: - Data

    @Test func smugglingSequencesDoNotEndTheMessage() {
        // Bare LF dot LF and LF dot CRLF are content; only CRLF.CRLF ends the message.
        let body = "a\n.\nMAIL FROM:<evil@x.y>\r\nb\n.\r\nc\r\n.\r\n"
        for chunks in SMTPSessionHarness.chunkings(of: Array((Self.transaction + body).utf8)) {
            let transcript = SMTPSessionHarness().run(chunks)
            #expect(transcript.messages.map(\.text) == ["a\n.\nMAIL FROM:<evil@x.y>\r\nb\n.\r\nc\r\n"])
            #expect(transcript.lines.last == "250 2.0.0 message accepted for faxing, queued as Q1")
        }
    }

    @Test func dataReaderUndoesStuffingOnEverySplit() {
        let wire = Array("..\r\n...x\r\n.\rx\r\n\r\n.\r\r\n.\r\nREST".utf8)
        for chunks in SMTPSessionHarness.chunkings(of: wire) {
            var reader = SMTPDataReader()
            var content: [UInt8] = []
            var ended = false
            var rest = ByteBuffer()
            for chunk in chunks {
                var buffer = ByteBuffer(bytes: chunk)
                if !ended {
                    let (piece, end) = reader.read(&buffer)
                    content += piece.readableBytesView
                    ended = end
                }
                rest.writeBuffer(&buffer)
            }
            #expect(String(decoding: content, as: UTF8.self) == ".\r\n..x\r\n\rx\r\n\r\n\r\r\n", "chunks \(chunks.map(\.count))")
            #expect(ended)
            #expect(String(buffer: rest) == "REST")
            #expect(reader.size == content.count)
        }
    }

    @Test func emptyMessageIsAMessage() {
        let transcript = SMTPSessionHarness().run(Self.transaction + ".\r\n")
        #expect(transcript.messages.map(\.text) == [""])
    }

    // MARK: - Policy answers

    @Test func policyRefusalsReachTheClient() {
        var harness = SMTPSessionHarness()
        harness.checkSender = { _ in .refuse(SMTPServerReply(550, .init(5, 7, 1), "sender not allowed to fax")) }
        #expect(harness.run("HELO c\r\nMAIL FROM:<x@y.z>\r\n").lines.last == "550 5.7.1 sender not allowed to fax")

        harness = SMTPSessionHarness()
        harness.acceptMessage = { _, _ in .refused(SMTPServerReply(554, .init(5, 6, 0), "no page to fax:\r\nempty message")) }
        let refused = harness.run(Self.transaction + "x\r\n.\r\nRCPT TO:<1@fax.example.com>\r\n")
        #expect(refused.lines.suffix(2) == ["554 5.6.0 no page to fax:  empty message", "503 5.5.1 need MAIL before RCPT"])

        // A refusal that is not a failure reply is a policy bug: never an accidental acceptance.
        harness = SMTPSessionHarness()
        harness.checkRecipient = { _ in .refuse(SMTPServerReply(250, nil, "oops")) }
        #expect(harness.run("HELO c\r\nMAIL FROM:<x@y.z>\r\nRCPT TO:<1@fax.example.com>\r\n").lines.last
            == "451 4.3.0 temporary local problem; please try again later")
    }

    @Test func relayingIsDenied() {
        let transcript = SMTPSessionHarness().run("HELO c\r\nMAIL FROM:<x@y.z>\r\nRCPT TO:<someone@gmail.com>\r\nDATA\r\n")
        #expect(transcript.lines.suffix(2) == [
            "550 5.7.1 relaying denied: this server only accepts mail to fax numbers",
            "554 5.5.1 no valid recipients",
        ])
    }

    // MARK: - AUTH

    @Test func authenticationRefusalsAndCancellation() {
        let transcript = SMTPSessionHarness().run("""
            AUTH PLAIN AGFsaWNlAHNlY3JldA==\r
            EHLO c\r
            AUTH CRAM-MD5\r
            AUTH PLAIN\r
            *\r
            AUTH PLAIN not-base64!\r
            AUTH PLAIN AGFsaWNlAHdyb25n\r
            AUTH LOGIN YWxpY2U=\r
            c2VjcmV0\r
            AUTH PLAIN AGFsaWNlAHNlY3JldA==\r
            MAIL FROM:<alice@example.com>\r

            """)
        #expect(transcript.lines.dropFirst() == [
            "503 5.5.1 send EHLO or HELO first",
            "250-fax.test hello c\n250-PIPELINING\n250-SIZE 26214400\n250-8BITMIME\n250-ENHANCEDSTATUSCODES\n250-AUTH PLAIN LOGIN\n250 HELP",
            "504 5.5.4 authentication mechanism CRAM-MD5 is not supported; use PLAIN or LOGIN",
            "334 ",
            "501 5.0.0 authentication cancelled",
            "501 5.5.2 cannot decode the authentication response (base64 expected)",
            "535 5.7.8 authentication credentials invalid",
            "334 UGFzc3dvcmQ6",
            "235 2.7.0 authentication successful",
            "503 5.5.1 already authenticated",
            "250 2.1.0 sender alice@example.com ok",
        ])
    }

    @Test func authenticationIsNotAllowedInsideATransaction() {
        let transcript = SMTPSessionHarness().run("EHLO c\r\nMAIL FROM:<a@b.c>\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n")
        #expect(transcript.lines.last == "503 5.5.1 AUTH is not allowed during a mail transaction")
    }

    @Test func plainResponseActingForSomeoneElseIsRefused() {
        // authzid "bob", authcid "alice"
        let response = Base64StreamDecoder.encode(Array("bob\u{0}alice\u{0}secret".utf8))
        let transcript = SMTPSessionHarness().run("EHLO c\r\nAUTH PLAIN \(response)\r\n")
        #expect(transcript.lines.last == "535 5.7.8 acting for another user is not allowed")
    }

    @Test func repeatedAuthenticationFailuresCloseTheConnection() {
        let wrong = "AUTH PLAIN AGFsaWNlAHdyb25n\r\n"
        let transcript = SMTPSessionHarness().run("EHLO c\r\n" + String(repeating: wrong, count: 4))
        #expect(transcript.lines.suffix(2) == ["421 4.7.0 too many failed authentication attempts, closing connection", "[close]"])
        #expect(transcript.codes.filter { $0 == 535 }.count == 2)
    }

    @Test func credentialsNeverShowThePassword() {
        let credentials = SMTPAuthenticationCredentials(username: "alice", password: "hunter2")
        #expect(!"\(credentials)".contains("hunter2"))
        #expect(!String(reflecting: credentials).contains("hunter2"))
        #expect(!"\(SMTPServerAction.authenticate(credentials))".contains("hunter2"))
    }

    @Test func overlongAuthenticationResponseCancelsAuthentication() {
        let transcript = SMTPSessionHarness().run("EHLO c\r\nAUTH PLAIN\r\n" + String(repeating: "A", count: 3000) + "\r\nNOOP\r\n")
        #expect(transcript.lines.suffix(2) == [
            "500 5.5.6 authentication response too long (at most 2048 bytes); authentication cancelled",
            "250 2.0.0 ok",
        ])
    }

    // MARK: - TLS

    static let networkConfiguration = SMTPServerStateMachine.Configuration(hostname: "fax.test", security: .network)

    @Test func networkListenerRequiresTLSBeforeAuthAndMail() {
        let transcript = SMTPSessionHarness().run(
            "EHLO c\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nMAIL FROM:<alice@example.com>\r\n", configuration: Self.networkConfiguration)
        #expect(transcript.lines.dropFirst() == [
            "250-fax.test hello c\n250-PIPELINING\n250-SIZE 26214400\n250-8BITMIME\n250-ENHANCEDSTATUSCODES\n250-STARTTLS\n250 HELP",
            "538 5.7.11 encryption required: issue STARTTLS before AUTH",
            "530 5.7.0 must issue a STARTTLS command first",
        ])
    }

    @Test func startTLSResetsTheSessionAndDropsPipelinedPlaintext() {
        // The MAIL after STARTTLS in the same packet is an injection: it must not count.
        let transcript = SMTPSessionHarness().run([
            Array("EHLO c\r\nSTARTTLS\r\nMAIL FROM:<evil@x.y>\r\n".utf8),
            Array("MAIL FROM:<alice@example.com>\r\nEHLO c\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nMAIL FROM:<alice@example.com>\r\nSTARTTLS\r\n".utf8),
        ], configuration: Self.networkConfiguration)
        #expect(transcript.lines.dropFirst(2) == [
            "220 2.0.0 ready to start TLS",
            "[starttls]",
            "503 5.5.1 send EHLO or HELO first",
            "250-fax.test hello c\n250-PIPELINING\n250-SIZE 26214400\n250-8BITMIME\n250-ENHANCEDSTATUSCODES\n250-AUTH PLAIN LOGIN\n250 HELP",
            "235 2.7.0 authentication successful",
            "250 2.1.0 sender alice@example.com ok",
            "503 5.5.1 TLS is already active",
        ])
    }

    @Test func startTLSWithoutACertificateIsNotOffered() {
        let transcript = SMTPSessionHarness().run("EHLO c\r\nSTARTTLS\r\nSTARTTLS now\r\n")
        #expect(!transcript.lines[1].contains("STARTTLS"))
        #expect(transcript.lines.suffix(2) == ["502 5.5.1 STARTTLS is not available", "501 5.5.4 STARTTLS takes no argument"])
    }

    @Test func nothingIsReadWhileTheHandshakeRuns() {
        var harness = SMTPSessionHarness()
        harness.completesTLSHandshake = false
        let transcript = harness.run(["EHLO c\r\nSTARTTLS\r\n", "NOOP\r\n"].map { Array($0.utf8) }, configuration: Self.networkConfiguration)
        #expect(transcript.lines.last == "[starttls]")
    }

    // MARK: - Replies

    @Test func repliesCannotBreakTheFraming() {
        let reply = SMTPServerReply(550, .init(5, 7, 1), "bad\r\n250 ok\u{0}ü" + String(repeating: "x", count: 500))
        var buffer = ByteBuffer()
        buffer.writeSMTPReply(reply)
        let text = String(buffer: buffer)
        #expect(text.hasPrefix("550 5.7.1 bad  250 ok ?xxx"))
        #expect(text.hasSuffix("...\r\n"))
        #expect(text.filter { $0 == "\r\n" }.count == 1)
        var multi = ByteBuffer()
        multi.writeSMTPReply(SMTPServerReply(code: 250, enhancedCode: nil, lines: ["a", "b"]))
        #expect(String(buffer: multi) == "250-a\r\n250 b\r\n")
    }
}

@Suite("SMTP state machine fuzz entry")
struct SMTPStateMachineFuzzEntryTests {
    @Test func bytesInActionsOut() {
        let actions = SMTPServerStateMachine.actions(
            for: Array(SMTPServerStateMachineTests.thunderbirdSession.utf8), configuration: SMTPSessionHarness.configuration)
        let replies = actions.compactMap { action -> String? in
            switch action {
            case .send(let reply), .sendAndClose(let reply): return reply.description
            default: return nil
            }
        }
        #expect(replies.count == 8)
        #expect(replies.last == "221 2.0.0 fax.test closing connection")
        #expect(actions.contains(.finishMessage(SMTPEnvelope(
            sender: .mailbox(SMTPMailbox(localPart: "alice", domain: "example.com")),
            parameters: SMTPMailParameters(declaredSize: 180, body: .eightBitMIME),
            recipients: [SMTPMailbox(localPart: "5550100", domain: "fax.example.com")],
            messageSize: SMTPServerStateMachineTests.thunderbirdMessage.utf8.count))))
        // Garbage ends in replies, never a trap.
        let garbage = (0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        #expect(!SMTPServerStateMachine.actions(for: garbage, configuration: SMTPSessionHarness.configuration).isEmpty)
    }
}
