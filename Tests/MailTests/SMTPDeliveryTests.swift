import FaxTestSupport
import Foundation
import Testing
@testable import Mail

/// CurlSMTPSender against the loopback TestSMTPServer: real sockets, real libcurl.
@Suite("SMTP delivery")
struct SMTPDeliveryTests {
    static func configuration(port: Int, tls: SMTPConfiguration.TLSMode = .startTLSIfOffered) -> SMTPConfiguration {
        SMTPConfiguration(host: "127.0.0.1", port: port, tlsMode: tls, fromAddress: "fax@example.com",
                          heloName: "faxline.example", connectTimeout: .seconds(5), totalTimeout: .seconds(20))
    }

    static func message(_ attachment: [UInt8] = [1, 2, 3]) throws -> MailMessage {
        MailMessage(
            from: try MailAddress("fax@example.com", displayName: "Faxline"),
            to: [try MailAddress("alice@example.org")],
            subject: "Fax from +1 555 0100 — 3 pages",
            body: .mixed([
                .plainText("First line\n.a line that starts with a dot\n.\n..\nlast\n"),
                .attachment(attachment, filename: "fax.pdf", mediaType: "application/pdf"),
            ])
        )
    }

    /// Sends and returns the error, or nil on success.
    static func deliver(_ message: MailMessage, with sender: CurlSMTPSender, to recipients: [String] = ["alice@example.org"]) async -> MailError? {
        do {
            try await sender.send(message, from: "fax@example.com", to: recipients)
            return nil
        } catch {
            return error
        }
    }

    @Test func deliversAPDFAttachmentIntactWithDotsNotDoubled() async throws {
        let server = TestSMTPServer()
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let files = try FaxFiles()
        let message = try Self.message(files.pdf)
        let sender = try CurlSMTPSender(configuration: Self.configuration(port: port))
        try await sender.send(message, from: "fax@example.com", to: ["alice@example.org", "bob@example.org", "ALICE@example.org"])

        let received = try await server.waitForMessages(count: 1)
        let mail = try #require(received.first)
        #expect(mail.heloName == "faxline.example")
        #expect(mail.mailFrom == "fax@example.com")
        #expect(mail.recipients == ["alice@example.org", "bob@example.org"])
        // What the server stored after un-stuffing must be exactly what we composed: libcurl
        // stuffs dots itself, so composing must not.
        let composed = try message.encoded()
        #expect(mail.data == composed)
        let parts = try MIMEOutline(message: mail.data)
        #expect(parts.bodies[1] == files.pdf)
        #expect(parts.text(0).contains("\r\n.a line that starts with a dot\r\n.\r\n..\r\n"))
    }

    @Test func composedFaxMailArrivesThroughTheProtocolExtension() async throws {
        let server = TestSMTPServer()
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let files = try FaxFiles()
        let composer = FaxMailComposer(from: try MailAddress("fax@example.com"))
        let message = try composer.compose(files.content(), to: [try MailAddress("sales@example.org")], format: .inline)
        let sender: any MailSender = try CurlSMTPSender(configuration: Self.configuration(port: port))
        try await sender.send(message)
        let mail = try #require(try await server.waitForMessages(count: 1).first)
        #expect(mail.recipients == ["sales@example.org"])
        let parts = try MIMEOutline(message: mail.data)
        #expect(parts.bodies.contains(files.pdf))
    }

    @Test func serverDownIsTemporaryAndDeliveryWorksOnceItIsBack() async throws {
        let server = TestSMTPServer()
        let port = try await server.start()
        await server.stop()
        let sender = try CurlSMTPSender(configuration: Self.configuration(port: port))
        let error = try #require(await Self.deliver(try Self.message(), with: sender))
        #expect(error.isTemporary)
        guard case .connectionFailed = error else { Issue.record("expected connectionFailed, got \(error)"); return }

        #expect(try await server.start() == port)
        defer { Task { await server.stop() } }
        #expect(await Self.deliver(try Self.message(), with: sender) == nil)
        #expect(try await server.waitForMessages(count: 1).count == 1)
    }

    @Test func unknownMailboxIsPermanent() async throws {
        let server = TestSMTPServer(script: SMTPServerScript(rejectedRecipients: ["nobody@example.org"]))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let sender = try CurlSMTPSender(configuration: Self.configuration(port: port))
        let error = try #require(await Self.deliver(try Self.message(), with: sender, to: ["alice@example.org", "nobody@example.org"]))
        #expect(error.smtpCode == 550)
        #expect(!error.isTemporary)
        #expect(error.description.contains("mailbox unknown"))
        #expect(await server.messages.isEmpty)
    }

    @Test func busyServerIsTemporary() async throws {
        let server = TestSMTPServer(script: SMTPServerScript(dataReply: SMTPReply(451, "4.3.0 local error, try again")))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let sender = try CurlSMTPSender(configuration: Self.configuration(port: port))
        let error = try #require(await Self.deliver(try Self.message(), with: sender))
        #expect(error.smtpCode == 451)
        #expect(error.isTemporary)
    }

    @Test func refusalAfterTheMessageTextIsPermanentFor5xx() async throws {
        let server = TestSMTPServer(script: SMTPServerScript(endOfDataReply: SMTPReply(554, "5.7.1 message refused")))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let sender = try CurlSMTPSender(configuration: Self.configuration(port: port))
        let error = try #require(await Self.deliver(try Self.message(), with: sender))
        #expect(error.smtpCode == 554)
        #expect(!error.isTemporary)
    }

    @Test(arguments: [SMTPServerScript.Stage.beforeGreeting, .mailFrom, .data, .endOfData])
    func droppedConnectionIsTemporary(_ stage: SMTPServerScript.Stage) async throws {
        let server = TestSMTPServer(script: SMTPServerScript(closeConnection: stage))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let sender = try CurlSMTPSender(configuration: Self.configuration(port: port))
        let error = try #require(await Self.deliver(try Self.message(), with: sender))
        #expect(error.isTemporary, "\(error)")
    }

    @Test func serverKeepsServingAfterADroppedConnection() async throws {
        let server = TestSMTPServer(script: SMTPServerScript(closeConnection: .mailFrom))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let sender = try CurlSMTPSender(configuration: Self.configuration(port: port))
        #expect(await Self.deliver(try Self.message(), with: sender) != nil)
        await server.setScript(.acceptAll)
        #expect(await Self.deliver(try Self.message(), with: sender) == nil)
        #expect(await server.connectionCount == 2)
        #expect(try await server.waitForMessages(count: 1).count == 1)
    }

    @Test func logsInWithCredentials() async throws {
        let credentials = SMTPCredentials(username: "fax", password: "s3cret pass")
        let server = TestSMTPServer(script: SMTPServerScript(requiredCredentials: credentials))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        var configuration = Self.configuration(port: port)
        configuration.username = "fax"
        configuration.password = "s3cret pass"
        #expect(await Self.deliver(try Self.message(), with: try CurlSMTPSender(configuration: configuration)) == nil)
        #expect(try await server.waitForMessages(count: 1).count == 1)

        configuration.password = "wrong"
        let error = try #require(await Self.deliver(try Self.message(), with: try CurlSMTPSender(configuration: configuration)))
        guard case .authenticationFailed(let code, _) = error else { Issue.record("expected authenticationFailed, got \(error)"); return }
        #expect(code == 535)
        #expect(!error.isTemporary)
    }

    @Test func startTLSIfOfferedSendsPlainWhenNotOffered() async throws {
        let server = TestSMTPServer()
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let sender = try CurlSMTPSender(configuration: Self.configuration(port: port, tls: .startTLSIfOffered))
        #expect(await Self.deliver(try Self.message(), with: sender) == nil)
        #expect(try await server.waitForMessages(count: 1).count == 1)
    }

    @Test func startTLSRequiredFailsPermanentlyWhenNotOffered() async throws {
        let server = TestSMTPServer()
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let sender = try CurlSMTPSender(configuration: Self.configuration(port: port, tls: .startTLSRequired))
        let error = try #require(await Self.deliver(try Self.message(), with: sender))
        guard case .tlsFailed = error else { Issue.record("expected tlsFailed, got \(error)"); return }
        #expect(!error.isTemporary)
        #expect(await server.messages.isEmpty)
    }

    @Test func envelopeAddressesAreCheckedBeforeConnecting() async throws {
        let server = TestSMTPServer()
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let sender = try CurlSMTPSender(configuration: Self.configuration(port: port))
        let error = await Self.deliver(try Self.message(), with: sender, to: ["a@example.org>\r\nRCPT TO:<victim@example.net"])
        guard case .invalidAddress = error else { Issue.record("expected invalidAddress, got \(String(describing: error))"); return }
        #expect(await server.connectionCount == 0)
    }

    @Test func badConfigurationIsRefused() {
        #expect(throws: MailError.self) { try CurlSMTPSender(configuration: SMTPConfiguration(host: "mail/../x", fromAddress: "a@b.c")) }
        #expect(throws: MailError.self) { try CurlSMTPSender(configuration: SMTPConfiguration(port: 0, fromAddress: "a@b.c")) }
        #expect(throws: MailError.self) { try CurlSMTPSender(configuration: SMTPConfiguration(fromAddress: "a@b.c\r\n")) }
        #expect(throws: MailError.self) { try CurlSMTPSender(configuration: SMTPConfiguration(fromAddress: "a@b.c", heloName: "x y")) }
    }

    @Test func cancellingASendStopsIt() async throws {
        // A listener that never answers: the send waits for a greeting until cancelled.
        let silent = try SilentListener()
        let sender = try CurlSMTPSender(configuration: Self.configuration(port: silent.port))
        let message = try Self.message()
        let task = Task { await Self.deliver(message, with: sender) }
        // Cancelled once the sender has connected and waits for the greeting.
        #expect(try await eventually { silent.hasWaitingClient })
        task.cancel()
        let start = ContinuousClock.now
        let error = await task.value
        #expect(error == .cancelled)
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
