import Foundation
import Mail
import Testing

@Suite("Received mail reader")
struct ReceivedMailReaderTests {
    final class Folder {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-mime-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func files(in subfolder: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: path + "/" + subfolder)) ?? []).sorted()
        }
    }

    static func read(_ message: String, folder: Folder, reader: ReceivedMailReader = .init(chunkSize: 100)) throws -> ReceivedMail {
        let messagePath = folder.path + "/message.eml"
        try Data(message.utf8).write(to: URL(fileURLWithPath: messagePath))
        return try reader.read(messageAt: messagePath, attachmentsInto: folder.path + "/attachments")
    }

    @Test func thunderbirdMessageGivesTextAndThePDF() throws {
        let folder = try Folder()
        let mail = try Self.read(MIMETestMessages.thunderbird, folder: folder)
        #expect(mail.subject == "Rechnung März – bitte prüfen")
        #expect(mail.texts == [ReceivedMailText(source: .plain, text: "Hallo,\n\nanbei die Rechnung für März. Bitte die Summe prüfen.\n\n-- \nJörg\n")])
        #expect(mail.hasMeaningfulBody)
        let pdf = try #require(mail.attachments.first)
        #expect(mail.attachments.count == 1)
        #expect(pdf.fileName == "Rechnung März.pdf")
        #expect(pdf.mediaType == "application/pdf")
        #expect(pdf.size == MIMETestMessages.pdfBytes.count)
        #expect(!pdf.isInlineBodyImage)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: pdf.path))) == MIMETestMessages.pdfBytes)
        // Named by the reader, not the sender; only its owner may read it.
        #expect(!pdf.path.contains("Rechnung"))
        #expect(try FileManager.default.attributesOfItem(atPath: pdf.path)[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: folder.path + "/attachments")[.posixPermissions] as? Int == 0o700)
    }

    @Test func outlookMessageMarksTheLogoAsABodyImage() throws {
        let folder = try Folder()
        let mail = try Self.read(MIMETestMessages.outlook, folder: folder)
        #expect(mail.texts.map(\.source) == [.plain])
        #expect(mail.bodyText.hasPrefix("Sehr geehrte Damen und Herren,\n\nanbei unser Angebot für die Wartung. Dies ist eine sehr lange Zeile, die Outlook umbricht."))
        #expect(mail.attachments.map(\.fileName) == ["image001.png", "Angebot für Kunde.pdf"])
        #expect(mail.attachments.map(\.isInlineBodyImage) == [true, false])
        #expect(folder.files(in: "attachments").count == 2)
    }

    @Test func appleMailPrefersThePlainAlternativeAndKeepsTheInlinePDF() throws {
        let folder = try Folder()
        let mail = try Self.read(MIMETestMessages.appleMail, folder: folder)
        #expect(mail.bodyText == "Hier der Vertrag.\n\nGrüße\n")
        #expect(mail.from == "Clémence Dürand <c@example.com>")
        #expect(mail.attachments.map(\.fileName) == ["Vertrag Straße 12.pdf"])
        #expect(mail.attachments.first?.isInlineBodyImage == false)
    }

    @Test func htmlOnlyBodyIsReducedToText() throws {
        let folder = try Folder()
        let mail = try Self.read("""
            Subject: html\r
            Content-Type: text/html; charset=windows-1252\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            <html><body><p>Preis: =80 5</p><p>Gr=FC=DFe</p></body></html>\r

            """, folder: folder)
        #expect(mail.texts == [ReceivedMailText(source: .html, text: "Preis: € 5\n\nGrüße")])
    }

    @Test func signatureOnlyBodyAddsNoPage() throws {
        let folder = try Folder()
        let mail = try Self.read("""
            Content-Type: multipart/mixed; boundary=b\r
            \r
            --b\r
            Content-Type: text/plain\r
            \r
            \r
            -- \r
            Alice, Example Ltd.\r
            --b\r
            Content-Type: application/pdf\r
            Content-Transfer-Encoding: base64\r
            \r
            JVBERi0xLjQK\r
            --b--\r

            """, folder: folder)
        #expect(!mail.hasMeaningfulBody)
        #expect(mail.attachments.map(\.fileName) == ["attachment-3.pdf"])
    }

    @Test func unreadableCharsetIsRefusedClearly() throws {
        let folder = try Folder()
        #expect(throws: ReceivedMailError.unsupportedCharset(part: "part 1 (text/plain)", MIMECharset.UnsupportedCharset(name: "shift_jis"))) {
            try Self.read("Content-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: base64\r\n\r\ngqA=\r\n", folder: folder)
        }
    }

    @Test func brokenMessageLeavesNoAttachmentFiles() throws {
        let folder = try Folder()
        let broken = """
            Content-Type: multipart/mixed; boundary=b\r
            \r
            --b\r
            Content-Type: application/pdf\r
            Content-Transfer-Encoding: base64\r
            \r
            \(MIMETestMessages.base64(MIMETestMessages.pdfBytes))\r
            --b\r
            Content-Type: application/pdf\r
            Content-Transfer-Encoding: base64\r
            \r
            JVBERi0x\r
            JVB\r
            --b--\r

            """
        #expect(throws: ReceivedMailError.malformed(.truncatedBase64(part: "part 3 (application/pdf)"))) {
            try Self.read(broken, folder: folder)
        }
        #expect(folder.files(in: "attachments").isEmpty)
        #expect("\(ReceivedMailError.malformed(.truncatedBase64(part: "part 3 (application/pdf)")))"
            == "the message is malformed: part 3 (application/pdf) is cut off: its base64 data ends in the middle")
    }

    @Test func textBodiesAreLimited() throws {
        let folder = try Folder()
        var reader = ReceivedMailReader()
        reader.maximumTextBytes = 10
        #expect(throws: ReceivedMailError.textTooLong(part: "part 1 (text/plain)", limit: 10)) {
            try Self.read("\r\n0123456789x\r\n", folder: folder, reader: reader)
        }
    }

    @Test func missingMessageFile() {
        #expect(throws: ReceivedMailError.self) {
            try ReceivedMailReader().read(messageAt: "/nonexistent/message.eml", attachmentsInto: "/tmp")
        }
    }

    @Test func inMemoryMessagesReadTheSame() throws {
        let folder = try Folder()
        let fromFile = try Self.read(MIMETestMessages.outlook, folder: folder)
        let inMemory = try ReceivedMailReader(chunkSize: 7).read(message: Array(MIMETestMessages.outlook.utf8), attachmentsInto: folder.path + "/memory")
        #expect(inMemory.texts == fromFile.texts)
        #expect(inMemory.attachments.map(\.fileName) == fromFile.attachments.map(\.fileName))
    }
}
