import Foundation
import Testing
@testable import Mail

@Suite("Header injection")
struct HeaderInjectionTests {
    let sender = try! MailAddress("fax@example.com")
    let recipient = try! MailAddress("alice@example.org")

    static let lineBreaks = ["\r\n", "\n", "\r", "\u{2028}", "\u{85}"]

    @Test(arguments: lineBreaks)
    func subjectWithALineBreakIsRejected(_ lineBreak: String) {
        let message = MailMessage(from: sender, to: [recipient], subject: "Hi\(lineBreak)Bcc: victim@example.net", body: .plainText("x"))
        let error = #expect(throws: MailError.self) { try message.encoded() }
        if case .invalidHeader(let name, _) = error { #expect(name == "Subject") } else { Issue.record("unexpected \(String(describing: error))") }
    }

    @Test(arguments: lineBreaks)
    func displayNameWithALineBreakIsRejected(_ lineBreak: String) {
        #expect(throws: MailError.self) { try MailAddress("a@example.com", displayName: "Eve\(lineBreak)Bcc: victim@example.net") }
    }

    @Test(arguments: [
        "a@example.com\r\nRCPT TO:<victim@example.net>", "a@example.com\n", "<a@example.com>", "a b@example.com",
        "a@example.com>", "a@exa mple.com", "", "nobody", "@example.com", "a@", "a@@example.com", "a@example.com,b@example.com",
        "a\u{0}@example.com", "jörg@example.com", String(repeating: "a", count: 250) + "@example.com",
    ])
    func badAddressesAreRejected(_ address: String) {
        #expect(throws: MailError.self) { try MailAddress(address) }
    }

    @Test(arguments: ["a@example.com", "first.last+fax@sub.example.co.uk", "x_y-z@localhost"])
    func plainAddressesAreAccepted(_ address: String) throws {
        #expect(try MailAddress(address).address == address)
    }

    @Test func extraHeaderValuesAndNamesAreChecked() {
        func encode(_ name: String, _ value: String) throws(MailError) {
            _ = try MailMessage(from: sender, to: [recipient], subject: "s", extraHeaders: [(name, value)], body: .plainText("x")).encoded()
        }
        #expect(throws: MailError.self) { try encode("X-Fax", "1\r\nBcc: victim@example.net") }
        #expect(throws: MailError.self) { try encode("X-Fax\r\nBcc", "victim@example.net") }
        #expect(throws: MailError.self) { try encode("X Fax", "1") }
        #expect(throws: MailError.self) { try encode("X-Fax:", "1") }
        #expect(throws: MailError.self) { try encode("Bcc", "victim@example.net") }
        #expect(throws: MailError.self) { try encode("content-type", "text/html") }
        #expect(throws: MailError.self) { try encode("X-Fax", "a\u{7}b") }
    }

    @Test func extraHeadersThatAreCleanAreWritten() throws {
        let message = MailMessage(from: sender, to: [recipient], subject: "s", extraHeaders: [("X-Faxline-Fax-Id", "42"), ("X-Note", "Grüße")], body: .plainText("x"))
        let entity = try MIMEEntity(try message.encoded())
        #expect(entity.header("X-Faxline-Fax-Id") == "42")
        #expect(EncodedWords.decode(try #require(entity.header("X-Note"))) == "Grüße")
    }

    @Test func messageIDMustBeAPlainID() {
        let message = MailMessage(from: sender, to: [recipient], subject: "s", messageID: "x@y>\r\nBcc: v@example.net", body: .plainText("x"))
        #expect(throws: MailError.self) { try message.encoded() }
    }

    @Test func remoteControlledFaxValuesAreNeutralizedNotInjected() throws {
        let content = ReceivedFaxMailContent(
            deviceName: "Sales\r\nBcc: victim@example.net", deviceExtension: "200\r\nX-Evil: 1",
            callerNumber: "+1555\r\nBcc: victim@example.net", callerName: "Eve\nCc: victim@example.net",
            remoteStationID: "ACME\r\n\r\n<html>", pages: 0, receivedAt: Date(), duration: 10
        )
        let composer = FaxMailComposer(from: sender)
        let message = try composer.compose(content, to: [recipient], format: .pdf)
        let bytes = try message.encoded()
        let entity = try MIMEEntity(bytes)
        #expect(entity.headers(named: "Bcc").isEmpty)
        #expect(entity.headers(named: "Cc").isEmpty)
        #expect(entity.headers(named: "X-Evil").isEmpty)
        let subject = EncodedWords.decode(try #require(entity.header("Subject")))
        #expect(!subject.contains("\r") && !subject.contains("\n"))
        #expect(subject.contains("+1555"))
    }
}
