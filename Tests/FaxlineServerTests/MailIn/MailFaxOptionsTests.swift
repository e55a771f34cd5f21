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
    ])
    func badValues(_ name: String, _ value: String) {
        do {
            _ = try MailFaxOptions(subject: nil) { $0 == name ? value : nil }
            Issue.record("\(name): \(value) was accepted")
        } catch {
            #expect(error.header == name && error.description.hasPrefix("\(name): ") && !error.description.contains("\u{7}"))
        }
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
