import Documents
import FaxCore
@testable import FaxlineServer
import Testing

@Suite("Mail to fax: options and text")
struct MailFaxOptionsTests {
    @Test("subject keywords are read and taken out of the subject")
    func keywords() throws {
        let options = try MailFaxOptions(subject: "[urgent] Invoice [Fine] 42 [nocover] [notify] [draft]") { _ in nil }
        #expect(options.priority == 64 && options.resolution == .fine && options.cover == false && options.notify == true)
        #expect(options.subject == "Invoice 42 [draft]")
    }

    @Test("X-Fax headers win over keywords")
    func headers() throws {
        let headers = ["X-Fax-Priority": "bulk", "X-Fax-Resolution": " Standard ", "X-Fax-Cover": "yes", "X-Fax-Notify": "no"]
        let options = try MailFaxOptions(subject: "[urgent] [fine] Hello") { headers[$0] }
        #expect(options.priority == 200 && options.resolution == .standard && options.cover == true && options.notify == false)
        #expect(try MailFaxOptions(subject: nil) { $0 == "X-Fax-Priority" ? "17" : nil }.priority == 17)
        #expect(try MailFaxOptions(subject: "") { _ in nil } == MailFaxOptions(subject: nil) { _ in nil })
    }

    @Test("a value not understood is an error that names the header", arguments: [
        ("X-Fax-Priority", "asap"), ("X-Fax-Priority", "256"), ("X-Fax-Resolution", "ultra"), ("X-Fax-Cover", "maybe"), ("X-Fax-Notify", "x\u{7}"),
        ("X-Fax-Tag", String(repeating: "t", count: 51)), ("X-Fax-Tag", "a\u{7}b"), ("X-Fax-Tag", "=?UTF-8?Q?a=07b?="),
    ])
    func badValues(_ name: String, _ value: String) {
        do {
            _ = try MailFaxOptions(subject: nil) { $0 == name ? value : nil }
            Issue.record("\(name): \(value) was accepted")
        } catch {
            #expect(error.header == name && error.description.hasPrefix("\(name): ") && !error.description.contains("\u{7}"))
        }
    }

    @Test("X-Fax-Tag: the job's tag, RFC 2047 words decoded, a folding tab a space; blank is none; a bad one names the limit")
    func tag() throws {
        func tag(_ value: String) throws -> JobTag? { try MailFaxOptions(subject: "[tag] Offer") { $0 == "X-Fax-Tag" ? value : nil }.tag }
        #expect(try tag(" Offer 4711 ")?.text == "Offer 4711")
        #expect(try tag("=?UTF-8?Q?Angebot_M=C3=BCller?=")?.text == "Angebot Müller")
        #expect(try tag("Offer\t4711")?.text == "Offer 4711")
        #expect(try tag("  ") == nil)
        #expect(try MailFaxOptions(subject: "[tag] Offer") { _ in nil }.subject == "[tag] Offer", "no keyword sets a tag")
        let error = #expect(throws: MailFaxOptionError.self) { try tag(String(repeating: "t", count: 51)) }
        #expect(error?.description.hasSuffix("is not understood (expected 1 to 50 characters without control characters)") == true)
    }

    @Test("the queued reply names the jobs' tag")
    func queuedReplyNamesTheTag() throws {
        let job = try Job(id: 7, number: "5550100", document: SpoolPath("out/a.tif"), pageCount: 2, tag: JobTag("Offer 4711"))
        let reply = try #require(MailFaxReplies.queued([job], from: "fax@example.com", to: "alice@example.com", subject: "Offer"))
        guard case .text(let text, _) = reply.body.content else {
            Issue.record("the reply is plain text")
            return
        }
        #expect(text.contains("was queued as a fax (2 pages, tag \"Offer 4711\"):"), "\(text)")
        #expect(text.contains("job 7 to 5550100"))
    }

    @Test("the body without its signature; From addresses")
    func text() {
        #expect(MailFaxDocument.withoutSignature("Hello Bob,\n\nthe contract.\n\n\n-- \nAlice\n555-0100") == "Hello Bob,\n\nthe contract.")
        #expect(MailFaxDocument.withoutSignature("No signature\n") == "No signature")
        #expect(MailFaxDocument.address(inFromHeader: "\"Smith, Alice\" <alice@example.com>") == "alice@example.com")
        #expect(MailFaxDocument.address(inFromHeader: " bob@example.com ") == "bob@example.com")
        #expect(MailFaxDocument.address(inFromHeader: "bob@example.com, carol@example.com") == "bob@example.com")
        #expect(MailFaxDocument.address(inFromHeader: "Alice <alice@example.com\r\nBcc: x@y>") == nil)
        #expect(MailFaxDocument.address(inFromHeader: "undisclosed-recipients:;") == nil)
    }

    @Test("blocked numbers: international and premium rate unless allowed")
    func numbers() throws {
        var settings = MailInSettings()
        #expect(settings.refusalReason(forNumber: "5550100") == nil)
        #expect(settings.refusalReason(forNumber: "+442079460000")?.contains("pattern +.") == true)
        #expect(settings.refusalReason(forNumber: "0044207946000") != nil)
        #expect(settings.refusalReason(forNumber: "19005550100") != nil)
        settings.allowedNumbers = [try DialPattern("+44.")]
        #expect(settings.refusalReason(forNumber: "+442079460000") == nil)
        #expect(settings.refusalReason(forNumber: "+12125550100") != nil)
    }
}
