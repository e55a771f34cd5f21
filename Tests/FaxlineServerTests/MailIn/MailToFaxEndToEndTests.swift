import Accounts
import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Testing

/// A mail to a fax number through `faxline serve`'s SMTP listener, faxed to the Asterisk
/// emulator, and the sender told by mail that it went through.
@Suite("Mail to fax end to end", .serialized)
struct MailToFaxEndToEndTests {
    @Test("mail in over SMTP, fax out through the emulator, done notification mailed to the sender")
    func mailToFax() async throws {
        let harness = try await OutboundHarness.start { configuration in
            configuration.mailIn.domains = ["fax.example.com"]
        }
        let server = harness.server.server
        let listener = try #require(server.mailIn)
        let port = try #require(try await listener.localAddress.port)
        _ = try await AccountAdministration(store: harness.database).addUser(
            User(name: "alice", email: "alice@example.com", deviceExtensions: ["201"], createdAt: Date()),
            password: "correct horse battery", actor: "test")

        let client = try await SMTPTestClient.connect(port: port)
        _ = try await client.reply()
        _ = try await client.command("EHLO client.example")
        let auth = try #require(try await client.command("AUTH PLAIN " + Data("\0alice\0correct horse battery".utf8).base64EncodedString()))
        #expect(auth.code == 235)
        let letter = try TestDocuments.letter()
        let message = TestMail.message(subject: "Signed contract", attachments: [try TestMail.letter()])
        let replies = try await client.sendMail(from: "alice@example.com", to: ["555-0101@fax.example.com"], message: message)
        #expect(replies.last?.code == 250, "\(replies)")
        _ = try await client.command("QUIT")

        let queued = try #require(try await harness.database.jobs(JobQuery()).first)
        #expect(queued.owner == "alice" && queued.number == "5550101" && queued.notifyEmail == "alice@example.com")
        let job = try await harness.waitForJob(queued.id, in: [.done, .failed])
        #expect(job.state == .done)
        try await waitUntil { await harness.farEnd.calls.count == 1 }
        let call = try #require(await harness.farEnd.calls.first)
        #expect(call.number == "5550101" && call.outcome.farEnd?.isSuccess == true)
        #expect(try FaxPageRaster.pages(of: call.receivedFile) == FaxPageRaster.pages(of: letter.path))

        let mails = try await harness.server.smtp.waitForMessages(count: 1, timeout: .seconds(30))
        let notice = try #require(mails.first)
        #expect(notice.recipients == ["alice@example.com"])
        #expect(notice.text.contains("Fax job \(job.id ?? 0) to 5550101 was sent"))
        await harness.stop()
    }
}
