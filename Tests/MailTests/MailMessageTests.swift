import Foundation
import Testing
@testable import Mail

@Suite("MIME messages")
struct MailMessageTests {
    let sender = try! MailAddress("fax@example.com", displayName: "Faxline")
    let recipient = try! MailAddress("alice@example.org", displayName: "Alice Example")

    /// Bytes 0…255 repeated and shuffled: every value, awkward for any text handling.
    static func binarySample(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { index in index < 256 ? UInt8(index) : UInt8.random(in: 0...255, using: &generator) }
    }

    @Test func mixedMessageCarriesTextAndAttachmentBytesIntact() throws {
        let attachment = Self.binarySample(count: 10_000)
        let message = MailMessage(
            from: sender, to: [recipient], subject: "Fax report",
            body: .mixed([.plainText("Hello\nsecond line\n"), .attachment(attachment, filename: "fax.pdf", mediaType: "application/pdf")])
        )
        let entity = try MIMEEntity(try message.encoded())
        #expect(entity.header("MIME-Version") == "1.0")
        #expect(entity.mediaType == "multipart/mixed")
        let parts = try entity.parts()
        try #require(parts.count == 2)
        #expect(parts[0].mediaType == "text/plain")
        #expect(String(decoding: try parts[0].decodedBody(), as: UTF8.self) == "Hello\r\nsecond line\r\n")
        #expect(parts[1].mediaType == "application/pdf")
        #expect(parts[1].header("Content-Transfer-Encoding") == "base64")
        #expect(parts[1].parameter("filename", of: "Content-Disposition") == "fax.pdf")
        #expect(parts[1].header("Content-Disposition")?.hasPrefix("attachment") == true)
        #expect(try parts[1].decodedBody() == attachment)
        let lines = parts[1].bodyLines
        #expect(lines.dropLast().allSatisfy { $0.count == 76 })
        #expect(lines.allSatisfy { $0.count <= 76 })
    }

    @Test func headersAreWrittenInOrderWithRFC5322Date() throws {
        let date = Date(timeIntervalSince1970: 1_795_444_835) // 2026-11-23 14:40:35 UTC
        let message = MailMessage(
            from: sender, to: [recipient], subject: "Hello", date: date,
            timeZone: TimeZone(secondsFromGMT: 3600)!, messageID: "abc.123@example.com", body: .plainText("x")
        )
        let entity = try MIMEEntity(try message.encoded())
        #expect(entity.header("From") == "Faxline <fax@example.com>")
        #expect(entity.header("To") == "Alice Example <alice@example.org>")
        #expect(entity.header("Subject") == "Hello")
        #expect(entity.header("Date") == "Mon, 23 Nov 2026 15:40:35 +0100")
        #expect(entity.header("Message-ID") == "<abc.123@example.com>")
        #expect(entity.headers.map(\.name).prefix(5) == ["From", "To", "Subject", "Date", "Message-ID"])
    }

    @Test func dateIsEnglishWithNegativeOffsets() {
        let date = Date(timeIntervalSince1970: 0)
        #expect(MailDate.rfc5322(date, timeZone: TimeZone(secondsFromGMT: -(5 * 3600 + 30 * 60))!) == "Wed, 31 Dec 1969 18:30:00 -0530")
        #expect(MailDate.rfc5322(date, timeZone: TimeZone(identifier: "UTC")!) == "Thu, 1 Jan 1970 00:00:00 +0000")
    }

    @Test func generatedMessageIDsAreUniqueAndUseTheSenderDomain() throws {
        let first = MailMessage(from: sender, to: [recipient], subject: "a", body: .plainText("a"))
        let second = MailMessage(from: sender, to: [recipient], subject: "a", body: .plainText("a"))
        #expect(first.messageID != second.messageID)
        #expect(first.messageID.hasSuffix("@example.com"))
        _ = try first.encoded()
    }

    @Test func alternativePutsHTMLLast() throws {
        let message = MailMessage(from: sender, to: [recipient], subject: "alt",
                                  body: .alternative([.plainText("plain"), .html("<p>html</p>")]))
        let entity = try MIMEEntity(try message.encoded())
        #expect(entity.mediaType == "multipart/alternative")
        let parts = try entity.parts()
        #expect(parts.map(\.mediaType) == ["text/plain", "text/html"])
        #expect(String(decoding: try parts[1].decodedBody(), as: UTF8.self) == "<p>html</p>")
    }

    @Test func relatedImageIsReferencedByContentID() throws {
        let png = Self.binarySample(count: 3000)
        let message = MailMessage(from: sender, to: [recipient], subject: "rel", body: .related([
            .html("<img src=\"cid:page1@example.com\">"),
            .inline(png, contentID: "page1@example.com", mediaType: "image/png", filename: "page1.png"),
        ]))
        let entity = try MIMEEntity(try message.encoded())
        #expect(entity.mediaType == "multipart/related")
        let parts = try entity.parts()
        try #require(parts.count == 2)
        #expect(parts[1].header("Content-ID") == "<page1@example.com>")
        #expect(parts[1].header("Content-Disposition")?.hasPrefix("inline") == true)
        #expect(try parts[1].decodedBody() == png)
        #expect(String(decoding: try parts[0].decodedBody(), as: UTF8.self).contains("cid:page1@example.com"))
    }

    @Test func nonASCIITextIsQuotedPrintableAndRoundTrips() throws {
        let text = "Grüße aus Köln — fax ✓\nline with trailing space \n" + String(repeating: "ä", count: 120) + "\n=equals=\n"
        let message = MailMessage(from: sender, to: [recipient], subject: "qp", body: .plainText(text))
        let entity = try MIMEEntity(try message.encoded())
        #expect(entity.header("Content-Transfer-Encoding") == "quoted-printable")
        #expect(entity.parameter("charset", of: "Content-Type") == "utf-8")
        #expect(entity.bodyLines.allSatisfy { $0.utf8.count <= 76 })
        #expect(entity.body.allSatisfy { $0 < 0x80 })
        let decoded = String(decoding: try entity.decodedBody(), as: UTF8.self)
        #expect(decoded == text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func bareLineFeedsAndCarriageReturnsBecomeCRLF() throws {
        let message = MailMessage(from: sender, to: [recipient], subject: "eol", body: .plainText("a\nb\rc\r\nd"))
        let bytes = try message.encoded()
        // MIMEEntity refuses any LF not preceded by CR.
        let entity = try MIMEEntity(bytes)
        #expect(String(decoding: try entity.decodedBody(), as: UTF8.self) == "a\r\nb\r\nc\r\nd\r\n")
    }

    @Test func nonASCIISubjectIsRFC2047EncodedAndDecodesBack() throws {
        let subject = "Fax von Müller GmbH — 3 Seiten 传真 " + String(repeating: "ü", count: 60)
        let message = MailMessage(from: sender, to: [recipient], subject: subject, body: .plainText("x"))
        let bytes = try message.encoded()
        #expect(bytes.allSatisfy { $0 < 0x80 })
        let entity = try MIMEEntity(bytes)
        let raw = try #require(entity.header("Subject"))
        #expect(raw.contains("=?UTF-8?B?"))
        #expect(EncodedWords.decode(raw) == subject)
        // Every encoded-word is at most 75 characters and decodes to whole UTF-8 characters.
        let words = raw.split(separator: " ").filter { $0.hasPrefix("=?") }
        for word in words {
            #expect(word.count <= 75)
            let payload = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            let data = try #require(Data(base64Encoded: String(payload)))
            #expect(String(data: data, encoding: .utf8) != nil)
        }
        for line in entity.rawHeaders.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 78)
        }
    }

    @Test func asciiWordsStayReadableAroundEncodedOnes() {
        #expect(HeaderText.unstructured("Fax from +1 555 0100 (ACME) — 3 pages") == "Fax from +1 555 0100 (ACME) =?UTF-8?B?4oCU?= 3 pages")
        #expect(EncodedWords.decode(HeaderText.unstructured("a ü  ö b")) == "a ü  ö b")
        // Text that looks like an encoded-word is encoded so it is shown literally.
        #expect(EncodedWords.decode(HeaderText.unstructured("=?UTF-8?B?QUJD?=")) == "=?UTF-8?B?QUJD?=")
    }

    @Test func displayNamesAreQuotedOrEncoded() throws {
        #expect(try MailAddress("a@b.example", displayName: "Smith, John").headerValue == "\"Smith, John\" <a@b.example>")
        #expect(try MailAddress("a@b.example", displayName: "Say \"hi\"").headerValue == "\"Say \\\"hi\\\"\" <a@b.example>")
        let encoded = try MailAddress("a@b.example", displayName: "Jörg").headerValue
        #expect(encoded == "=?UTF-8?B?SsO2cmc=?= <a@b.example>")
    }

    @Test func longASCIIHeadersAreFoldedAndUnfoldBack() throws {
        let subject = (0..<30).map { "word\($0)" }.joined(separator: " ")
        let message = MailMessage(from: sender, to: [recipient], subject: subject, body: .plainText("x"))
        let entity = try MIMEEntity(try message.encoded())
        #expect(entity.rawHeaders.contains("\r\n word"))
        for line in entity.rawHeaders.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
        #expect(entity.header("Subject") == subject)
    }

    @Test func attachmentFilenamesAreSanitized() throws {
        #expect(MIMEPart.sanitizedFilename("../../etc/passwd") == "passwd")
        #expect(MIMEPart.sanitizedFilename("C:\\Users\\x\\fax.pdf") == "fax.pdf")
        #expect(MIMEPart.sanitizedFilename("a\"b\r\nc: d.pdf") == "a_b_c_ d.pdf")
        #expect(MIMEPart.sanitizedFilename("x\r\nContent-Type: text/html.pdf") == "html.pdf")
        #expect(MIMEPart.sanitizedFilename("..hidden") == "hidden")
        #expect(MIMEPart.sanitizedFilename("") == "attachment")
        #expect(MIMEPart.sanitizedFilename("/") == "attachment")
        let long = String(repeating: "x", count: 500) + ".pdf"
        let cleaned = MIMEPart.sanitizedFilename(long)
        #expect(cleaned.count == MIMEPart.maximumFilenameLength && cleaned.hasSuffix(".pdf"))

        let message = MailMessage(from: sender, to: [recipient], subject: "f", body: .mixed([
            .plainText("x"), .attachment([1, 2, 3], filename: "evil\"\r\nBcc: victim@example.net.pdf", mediaType: "application/pdf"),
        ]))
        let bytes = try message.encoded()
        let parts = try MIMEEntity(bytes).parts()
        let filename = try #require(parts[1].parameter("filename", of: "Content-Disposition"))
        #expect(!filename.contains("\"") && !filename.contains("\r") && !filename.contains("\n"))
        #expect(parts[1].headers(named: "Bcc").isEmpty)
    }

    @Test func nonASCIIFilenamesGetAnRFC2231Form() throws {
        let message = MailMessage(from: sender, to: [recipient], subject: "f", body: .mixed([
            .plainText("x"), .attachment([1], filename: "Straße.pdf", mediaType: "application/pdf"),
        ]))
        let parts = try MIMEEntity(try message.encoded()).parts()
        #expect(parts[1].parameter("filename", of: "Content-Disposition") == "Stra_e.pdf")
        #expect(parts[1].parameter("filename*", of: "Content-Disposition") == "UTF-8''Stra%C3%9Fe.pdf")
    }

    @Test func nestedMultipartsUseDistinctBoundaries() throws {
        let message = MailMessage(from: sender, to: [recipient], subject: "n", body: .mixed([
            .alternative([.plainText("p"), .related([.html("<b>h</b>"), .inline([9, 9], contentID: "i@x", mediaType: "image/png")])]),
            .attachment([1, 2], filename: "a.pdf", mediaType: "application/pdf"),
        ]))
        let entity = try MIMEEntity(try message.encoded())
        let outer = try entity.parts()
        let alternative = try outer[0].parts()
        let related = try alternative[1].parts()
        let boundaries = [entity, outer[0], alternative[1]].compactMap { $0.parameter("boundary", of: "Content-Type") }
        #expect(Set(boundaries).count == 3)
        #expect(related.map(\.mediaType) == ["text/html", "image/png"])
        #expect(try related[1].decodedBody() == [9, 9])
    }

    @Test func badStructuralValuesAreRefused() {
        func encode(_ body: MIMEPart) throws(MailError) { _ = try MailMessage(from: sender, to: [recipient], subject: "s", body: body).encoded() }
        #expect(throws: MailError.self) { try encode(.attachment([1], filename: "a", mediaType: "application/pdf\r\nX: y")) }
        #expect(throws: MailError.self) { try encode(.attachment([1], filename: "a", mediaType: "pdf")) }
        #expect(throws: MailError.self) { try encode(.inline([1], contentID: "a>\r\nX: y", mediaType: "image/png")) }
        #expect(throws: MailError.self) { try encode(.mixed([])) }
        #expect(throws: MailError.self) {
            _ = try MailMessage(from: sender, to: [], subject: "s", body: .plainText("x")).encoded()
        }
    }

    @Test func quotedPrintableKeepsLinesShortAndEscapesTrailingSpace() throws {
        let input = Array((String(repeating: "=", count: 100) + " \r\n\t\r\nend ").utf8)
        let encoded = QuotedPrintable.encode(input)
        #expect(crlfLines(encoded).allSatisfy { $0.utf8.count <= 76 })
        #expect(try MIMEEntity.decodeQuotedPrintable(encoded) == input)
        #expect(String(decoding: encoded, as: UTF8.self).hasSuffix("end=20"))
    }
}
