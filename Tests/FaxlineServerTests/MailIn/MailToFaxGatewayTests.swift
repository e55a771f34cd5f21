import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Mail
import ServerSupport
import Store
import Testing

/// The mail-to-fax gateway over real loopback SMTP: sign-in, senders, addressing, limits, what a
/// message becomes. Each test its own store, spool and listener.
@Suite("Mail to fax over SMTP", .timeLimit(.minutes(3)))
struct MailToFaxGatewayTests {
    @Test("a signed-in user's mail with a text and a TIFF becomes a job sent as their device, text page first")
    func signedInUser() async throws {
        let fixture = try await MailGatewayFixture.start()
        let client = try await fixture.signedIn()
        let message = TestMail.message(subject: "Invoice 42", body: "Please find the invoice attached.\r\n\r\n-- \r\nAlice", attachments: [try TestMail.letter()])
        let replies = try await fixture.send(client, from: "alice@example.com", to: ["5550100@fax.example.com"], message: message)
        #expect(replies.map(\.code) == [250, 250, 354, 250], "\(replies)")
        #expect(replies.last?.text.contains("queued as") == true)
        let jobs = try await fixture.jobs()
        let job = try #require(jobs.first)
        #expect(jobs.count == 1 && job.number == "5550100" && job.owner == "alice")
        #expect(job.sender.deviceExtension == "201" && job.sender.stationID == "+1 555 0201")
        #expect(job.notifyEmail == "alice@example.com")
        // One page of text, then the letter's three.
        #expect(job.pageCount == 4)
        // Nothing of the message stays in the spool's temporary folder.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: MailToFaxGateway.incomingDirectory(of: fixture.spool))
        #expect(leftovers.isEmpty)
        await fixture.stop()
    }

    @Test("every addressing form, several domains, one broadcast; the same number twice is one job")
    func addressingForms() async throws {
        let fixture = try await MailGatewayFixture.start()
        let client = try await fixture.signedIn()
        let recipients = [
            "5550100@fax.example.com", "(555)0101@fax.example.net", "Bob.Smith@555-0102.fax",
            "\"[FAX:Bob@555 0103]\"@pbx.example.org", "FAX=5550104@pbx.example.org", "555.0100@fax.example.com",
        ]
        let replies = try await fixture.send(client, from: "alice@example.com", to: recipients, message: TestMail.message(attachments: [try TestMail.letter()]))
        #expect(replies.map(\.code) == [250, 250, 250, 250, 250, 250, 250, 354, 250], "\(replies)")
        let jobs = try await fixture.jobs()
        #expect(jobs.map(\.number) == ["5550100", "5550101", "5550102", "5550103", "5550104"])
        #expect(Set(jobs.map(\.broadcastID)).count == 1)
        await fixture.stop()
    }

    @Test("the listener is never a relay: any other address is refused with 550", arguments: [
        "someone@gmail.com", "5550100@fax.example.org", "postmaster@fax.example.com", "alice@example.com",
    ])
    func neverARelay(_ address: String) async throws {
        let fixture = try await MailGatewayFixture.start()
        let client = try await fixture.signedIn()
        _ = try await client.command("MAIL FROM:<alice@example.com>")
        let reply = try #require(try await client.command("RCPT TO:<\(address)>"))
        #expect(reply.code == 550, "\(reply)")
        // A name where the number belongs is no fax number; anything else is a relay attempt.
        #expect(reply.text.contains(address.hasPrefix("postmaster") ? "is not a fax number" : "relaying denied"), "\(reply)")
        #expect(try await fixture.jobs().isEmpty)
        await fixture.stop()
    }

    @Test("international and premium-rate numbers are refused unless allowed")
    func blockedNumbers() async throws {
        let fixture = try await MailGatewayFixture.start { $0.allowedNumbers = [try! DialPattern("+4420.")] }
        let client = try await fixture.signedIn()
        _ = try await client.command("MAIL FROM:<alice@example.com>")
        let international = try #require(try await client.command("RCPT TO:<\"+1 212 555 0100\"@fax.example.com>"))
        #expect(international.code == 550 && international.text.contains("+12125550100 is blocked"), "\(international)")
        let premium = try #require(try await client.command("RCPT TO:<19005550100@fax.example.com>"))
        #expect(premium.code == 550 && premium.text.contains("blocked"), "\(premium)")
        let allowed = try #require(try await client.command("RCPT TO:<+44.20.7946.0000@fax.example.com>"))
        #expect(allowed.code == 250, "\(allowed)")
        let letters = try #require(try await client.command("RCPT TO:<bob@call-me.fax>"))
        #expect(letters.code == 550 && letters.text.contains("5.1.1"), "\(letters)")
        await fixture.stop()
    }

    @Test("a wrong password is refused with 535 and counted; a user without a device may not fax")
    func signIn() async throws {
        let fixture = try await MailGatewayFixture.start()
        let client = try await fixture.client()
        let wrong = try #require(try await client.command("AUTH PLAIN " + Data("\0alice\0wrong".utf8).base64EncodedString()))
        #expect(wrong.code == 535)
        let failures = try await fixture.database.loginFailures([.user("alice")])
        #expect(failures.first?.count == 1)
        let login = try #require(try await client.command("AUTH LOGIN"))
        #expect(login.code == 334)
        _ = try await client.command(Data("carol".utf8).base64EncodedString())
        let accepted = try #require(try await client.command(Data(MailGatewayFixture.password.utf8).base64EncodedString()))
        #expect(accepted.code == 235)
        let sender = try #require(try await client.command("MAIL FROM:<carol@example.com>"))
        #expect(sender.code == 550 && sender.text.contains("user carol has no enabled fax device"), "\(sender)")
        await fixture.stop()
    }

    @Test("from a trusted relay: the envelope sender or the From header must belong to a user or device")
    func trustedRelay() async throws {
        let fixture = try await MailGatewayFixture.start()
        let client = try await fixture.client()
        // The envelope sender is the device's address.
        var replies = try await fixture.send(client, from: "sales@example.com", to: ["5550100@fax.example.com"],
                                             message: TestMail.message(from: "sales@example.com", attachments: [try TestMail.letter()]))
        #expect(replies.last?.code == 250, "\(replies)")
        // A list server's envelope, the user in From.
        replies = try await fixture.send(client, from: "bounces@lists.example.com", to: ["5550101@fax.example.com"],
                                         message: TestMail.message(from: "\"Alice A.\" <Alice@Example.com>", attachments: [try TestMail.letter()]))
        #expect(replies.last?.code == 250, "\(replies)")
        // Nobody we know: refused after DATA with the reason.
        replies = try await fixture.send(client, from: "mallory@example.org", to: ["5550102@fax.example.com"],
                                         message: TestMail.message(from: "mallory@example.org", attachments: [try TestMail.letter()]))
        #expect(replies.last?.code == 550 && replies.last?.text.contains("not the address of a Faxline user or fax device") == true, "\(replies)")
        // A disabled device is refused at MAIL.
        let disabled = try #require(try await client.command("MAIL FROM:<legal@example.com>"))
        #expect(disabled.code == 550 && disabled.text.contains("fax device 202 is disabled"), "\(disabled)")
        let jobs = try await fixture.jobs()
        #expect(jobs.map(\.owner) == ["mail:sales@example.com", "alice"])
        await fixture.stop()
    }

    @Test("an untrusted client must sign in: MAIL without AUTH is refused with 530")
    func untrustedClient() async throws {
        let fixture = try await MailGatewayFixture.start { $0.trusted = try! PeerAllowList(parsing: "127.0.0.1") }
        let client = try await fixture.client(from: "127.0.0.2")
        let reply = try #require(try await client.command("MAIL FROM:<alice@example.com>"))
        #expect(reply.code == 530 && reply.text.contains("authentication required"), "\(reply)")
        await fixture.stop()
    }

    @Test("SPF for untrusted relays: pass accepted, fail refused, softfail as configured, no record refused")
    func senderPolicyFramework() async throws {
        let dns = InMemoryDNS(text: [
            "example.com": ["v=spf1 ip4:127.0.0.2 -all"],
            "example.net": ["v=spf1 ip4:192.0.2.0/24 -all"],
            "example.org": ["v=spf1 ~all"],
        ])
        for (mode, softFailCode) in [(MailInSettings.SPFMode.on, 550), (.softfailAccepted, 250)] {
            let fixture = try await MailGatewayFixture.start(resolver: dns) { settings in
                settings.trusted = try! PeerAllowList(parsing: "127.0.0.1")
                settings.spf = mode
            }
            try await fixture.database.addUserDirectly(name: "dave", email: "dave@example.net")
            try await fixture.database.addUserDirectly(name: "erin", email: "erin@example.org")
            try await fixture.database.addUserDirectly(name: "frank", email: "frank@unlisted.example")
            let client = try await fixture.client(from: "127.0.0.2")
            let pass = try await fixture.send(client, from: "alice@example.com", to: ["5550100@fax.example.com"],
                                              message: TestMail.message(attachments: [try TestMail.letter()]))
            #expect(pass.last?.code == 250, "\(pass)")
            let fail = try #require(try await client.command("MAIL FROM:<dave@example.net>"))
            #expect(fail.code == 550 && fail.text.contains("5.7.23") && fail.text.contains("SPF fail"), "\(fail)")
            let softFail = try #require(try await client.command("MAIL FROM:<erin@example.org>"))
            #expect(softFail.code == softFailCode, "\(softFail)")
            _ = try await client.command("RSET")
            let none = try #require(try await client.command("MAIL FROM:<frank@unlisted.example>"))
            #expect(none.code == 530 && none.text.contains("SPF says none"), "\(none)")
            let stranger = try #require(try await client.command("MAIL FROM:<someone@example.com>"))
            #expect(stranger.code == 530 && stranger.text.contains("not the address of a Faxline user"), "\(stranger)")
            await fixture.stop()
        }
    }

    @Test("limits per sender: recipients per message, jobs per hour and per day")
    func limitsPerSender() async throws {
        let fixture = try await MailGatewayFixture.start { settings in
            settings.maximumRecipients = 2
            settings.jobsPerHour = 3
            settings.jobsPerDay = 100
        }
        let client = try await fixture.signedIn()
        _ = try await client.command("MAIL FROM:<alice@example.com>")
        _ = try await client.command("RCPT TO:<5550100@fax.example.com>")
        _ = try await client.command("RCPT TO:<5550101@fax.example.com>")
        let third = try #require(try await client.command("RCPT TO:<5550102@fax.example.com>"))
        #expect(third.code == 452 && third.text.contains("at most 2"), "\(third)")
        _ = try await client.command("RSET")
        let first = try await fixture.send(client, from: "alice@example.com", to: ["5550100@fax.example.com", "5550101@fax.example.com"],
                                           message: TestMail.message(attachments: [try TestMail.letter()]))
        #expect(first.last?.code == 250, "\(first)")
        _ = try await client.command("MAIL FROM:<alice@example.com>")
        _ = try await client.command("RCPT TO:<5550102@fax.example.com>")
        let overHour = try #require(try await client.command("RCPT TO:<5550103@fax.example.com>"))
        #expect(overHour.code == 450 && overHour.text.contains("limit of 3 fax jobs an hour"), "\(overHour)")
        _ = try await client.command("RSET")

        let daily = try await MailGatewayFixture.start { settings in settings.jobsPerDay = 1 }
        let other = try await daily.signedIn()
        let sent = try await daily.send(other, from: "alice@example.com", to: ["5550100@fax.example.com"],
                                        message: TestMail.message(attachments: [try TestMail.letter()]))
        #expect(sent.last?.code == 250)
        _ = try await other.command("MAIL FROM:<alice@example.com>")
        let overDay = try #require(try await other.command("RCPT TO:<5550101@fax.example.com>"))
        #expect(overDay.code == 450 && overDay.text.contains("a day"), "\(overDay)")
        await daily.stop()
        await fixture.stop()
    }

    @Test("options by X-Fax headers and subject keywords; a cover page with the subject; HTML as text")
    func options() async throws {
        let fixture = try await MailGatewayFixture.start { $0.bodyText = .cover }
        let client = try await fixture.signedIn()
        let message = TestMail.message(
            subject: "[urgent] [nonotify] Contract", headers: ["X-Fax-Resolution: standard", "X-Fax-Cover: yes"],
            html: "<p>Dear Bob,</p><p>the <b>contract</b>.</p>", attachments: [try TestMail.letter()])
        let replies = try await fixture.send(client, from: "alice@example.com", to: ["5550100@fax.example.com"], message: message)
        #expect(replies.last?.code == 250, "\(replies)")
        let job = try #require(try await fixture.jobs().first)
        #expect(job.priority == 64 && job.notifyEmail == nil)
        // The cover page and the letter's three; the text is on the cover, not a page of its own.
        #expect(job.pageCount == 4)
        let bad = try await fixture.send(client, from: "alice@example.com", to: ["5550101@fax.example.com"],
                                         message: TestMail.message(headers: ["X-Fax-Priority: asap"], attachments: [try TestMail.letter()]))
        #expect(bad.last?.code == 550 && bad.last?.text.contains("X-Fax-Priority: asap is not understood") == true, "\(bad)")
        await fixture.stop()
    }

    @Test("X-Fax-Tag is the jobs' tag; a tag too long is refused at the end of DATA naming the header and the limit")
    func tag() async throws {
        let fixture = try await MailGatewayFixture.start()
        let client = try await fixture.signedIn()
        let tagged = TestMail.message(subject: "Offer", headers: ["X-Fax-Tag: =?UTF-8?Q?Angebot_M=C3=BCller_4711?="], attachments: [try TestMail.letter()])
        let replies = try await fixture.send(client, from: "alice@example.com", to: ["5550100@fax.example.com", "5550101@fax.example.com"],
                                             message: tagged)
        #expect(replies.last?.code == 250, "\(replies)")
        let jobs = try await fixture.jobs()
        #expect(jobs.count == 2 && jobs.allSatisfy { $0.tag?.text == "Angebot Müller 4711" }, "\(jobs.map(\.tag))")

        let tooLong = TestMail.message(headers: ["X-Fax-Tag: " + String(repeating: "t", count: 51)], attachments: [try TestMail.letter()])
        let bad = try await fixture.send(client, from: "alice@example.com", to: ["5550102@fax.example.com"], message: tooLong)
        #expect(bad.last?.code == 550, "\(bad)")
        #expect(bad.last?.text.contains("X-Fax-Tag: ") == true && bad.last?.text.contains("expected 1 to 50 characters") == true, "\(bad)")
        #expect(try await fixture.jobs().count == 2)
        await fixture.stop()
    }

    @Test("nothing to fax, an attachment that cannot be converted, a broken message: refused after DATA with the reason")
    func refusedAfterData() async throws {
        let fixture = try await MailGatewayFixture.start()
        let client = try await fixture.signedIn()
        let signatureOnly = try await fixture.send(client, from: "alice@example.com", to: ["5550100@fax.example.com"],
                                                   message: TestMail.message(body: "\r\n-- \r\nAlice, Sales"))
        #expect(signatureOnly.last?.code == 550 && signatureOnly.last?.text.contains("nothing to fax") == true, "\(signatureOnly)")
        let binary = TestMail.Attachment(name: "tool.exe", type: "application/octet-stream", bytes: Data([0x4D, 0x5A, 0x00, 0x01, 0x02, 0x00]))
        let unknown = try await fixture.send(client, from: "alice@example.com", to: ["5550100@fax.example.com"],
                                             message: TestMail.message(attachments: [binary]))
        #expect(unknown.last?.code == 554 && unknown.last?.text.contains("attachment \"tool.exe\": unknown file type") == true, "\(unknown)")
        let cut = "From: alice@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
        let broken = try await fixture.send(client, from: "alice@example.com", to: ["5550100@fax.example.com"], message: cut)
        #expect(broken.last?.code == 554 && broken.last?.text.contains("closing boundary is missing") == true, "\(broken)")
        #expect(try await fixture.jobs().isEmpty)
        await fixture.stop()
    }

    @Test("STARTTLS is required before AUTH where configured; after it AUTH and mail work")
    func startTLS() async throws {
        let folder = try TestDocuments.makeTemporaryDirectory("mail-in-tls")
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificate = try TestCertificate.make(in: folder.path)
        let fixture = try await MailGatewayFixture.start(tls: certificate, requiresTLS: true)
        let client = try await SMTPTestClient.connect(port: fixture.port)
        _ = try await client.reply()
        let ehlo = try #require(try await client.command("EHLO client.example"))
        #expect(ehlo.lines.contains("STARTTLS") && !ehlo.lines.contains { $0.hasPrefix("AUTH") })
        let early = try #require(try await client.command("AUTH PLAIN " + Data("\0alice\0\(MailGatewayFixture.password)".utf8).base64EncodedString()))
        #expect(early.code == 538, "\(early)")
        let mail = try #require(try await client.command("MAIL FROM:<alice@example.com>"))
        #expect(mail.code == 530, "\(mail)")
        #expect(try await client.command("STARTTLS")?.code == 220)
        try await client.startTLS(trusting: certificate.certificatePath)
        let secure = try #require(try await client.command("EHLO client.example"))
        #expect(secure.lines.contains("AUTH PLAIN LOGIN"))
        let auth = try #require(try await client.command("AUTH PLAIN " + Data("\0alice\0\(MailGatewayFixture.password)".utf8).base64EncodedString()))
        #expect(auth.code == 235)
        let replies = try await fixture.send(client, from: "alice@example.com", to: ["5550100@fax.example.com"],
                                             message: TestMail.message(attachments: [try TestMail.letter()]))
        #expect(replies.last?.code == 250, "\(replies)")
        await fixture.stop()
    }

    @Test("a 25 MB message is streamed to disk and faxed; one byte more is refused with 552")
    func largeMessage() async throws {
        let fixture = try await MailGatewayFixture.start()
        let client = try await fixture.signedIn()
        // A big picture shown in the body (not faxed) beside the letter: 18 MB decoded, ~24.5 MB encoded.
        let picture = TestMail.Attachment(name: "logo.png", type: "image/png", bytes: Data(repeating: 0x5A, count: 18 * 1024 * 1024), inline: true)
        let message = TestMail.message(attachments: [try TestMail.letter(), picture])
        let size = message.utf8.count
        #expect(size > 24 * 1024 * 1024 && size < 25 * 1024 * 1024)
        let replies = try await fixture.send(client, from: "alice@example.com", to: ["5550100@fax.example.com"], message: message)
        #expect(replies.last?.code == 250, "\(replies)")
        let padding = String(repeating: "x", count: 998) + "\r\n"
        let over = message + String(repeating: padding, count: (25 * 1024 * 1024 - size) / padding.utf8.count + 2)
        let refused = try await fixture.send(client, from: "alice@example.com", to: ["5550100@fax.example.com"], message: over)
        #expect(refused.last?.code == 552, "\(refused)")
        #expect(try await fixture.jobs().count == 1)
        await fixture.stop()
    }
}

extension FaxDatabase {
    /// A user who signs in only with tokens (no password to hash).
    func addUserDirectly(name: String, email: String) async throws {
        _ = try await addUser(User(name: name, email: email, isAdmin: true, createdAt: Date()), passwordHash: nil)
    }
}
