import FaxCore
import Foundation
import Testing
@testable import Mail

/// Fax files of a received fax in a temporary folder, removed when the value goes away.
final class FaxFiles {
    let directory: URL
    let pdf: [UInt8]
    let tiff: [UInt8]
    let png: [UInt8]

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        pdf = Array("%PDF-1.4\n".utf8) + MailMessageTests.binarySample(count: 5000) + Array("\n%%EOF\n".utf8)
        tiff = [0x49, 0x49, 0x2A, 0x00] + MailMessageTests.binarySample(count: 4000)
        png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + MailMessageTests.binarySample(count: 2000)
        try Data(pdf).write(to: pdfURL)
        try Data(tiff).write(to: tiffURL)
        try Data(png).write(to: pngURL)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var pdfURL: URL { directory.appendingPathComponent("fax.pdf") }
    var tiffURL: URL { directory.appendingPathComponent("fax.tif") }
    var pngURL: URL { directory.appendingPathComponent("page1.png") }

    func content(pages: Int = 3, partial: Bool = false, stationID: String? = "ACME FAX", callerName: String? = nil) -> ReceivedFaxMailContent {
        ReceivedFaxMailContent(
            deviceName: "Sales", deviceExtension: "200", callerNumber: "+1 555 0100", callerName: callerName,
            remoteStationID: stationID, pages: pages, receivedAt: Date(timeIntervalSince1970: 1_795_444_835), duration: 92,
            isPartial: partial, statusText: partial ? "call dropped after page 2" : nil,
            pdfFile: pdfURL, tiffFile: tiffURL, thumbnailFile: pngURL
        )
    }
}

@Suite("Fax mail composer")
struct FaxMailComposerTests {
    let composer = FaxMailComposer(from: try! MailAddress("fax@example.com", displayName: "Faxline"), timeZone: TimeZone(identifier: "UTC")!)
    let recipients = [try! MailAddress("sales@example.org")]

    func compose(_ files: FaxFiles, _ format: DeliveryFormat, content: ReceivedFaxMailContent? = nil) throws -> MIMEEntity {
        let message = try composer.compose(content ?? files.content(), to: recipients, format: format)
        return try MIMEEntity(try message.encoded())
    }

    @Test func subjectNamesCallerStationAndPages() throws {
        let files = try FaxFiles()
        let entity = try compose(files, .pdf)
        #expect(EncodedWords.decode(try #require(entity.header("Subject"))) == "Fax from +1 555 0100 (ACME FAX) — 3 pages")
        let single = try compose(files, .pdf, content: files.content(pages: 1, stationID: nil, callerName: "Bob"))
        #expect(EncodedWords.decode(try #require(single.header("Subject"))) == "Fax from +1 555 0100 (Bob) — 1 page")
        #expect(entity.header("To") == "sales@example.org")
        #expect(entity.header("From") == "Faxline <fax@example.com>")
    }

    @Test func pdfFormatIsTextPlusPDF() throws {
        let files = try FaxFiles()
        let parts = try compose(files, .pdf).parts()
        #expect(parts.map(\.mediaType) == ["text/plain", "application/pdf"])
        #expect(try parts[1].decodedBody() == files.pdf)
        #expect(parts[1].parameter("filename", of: "Content-Disposition") == "fax-20261123-144035-15550100.pdf")
        let text = String(decoding: try parts[0].decodedBody(), as: UTF8.self)
        for fact in ["+1 555 0100", "ACME FAX", "Pages:", "3", "Mon, 23 Nov 2026 14:40:35 +0000", "1 min 32 s", "Sales (200)"] {
            #expect(text.contains(fact), "body lacks \(fact)")
        }
        #expect(!text.contains("INCOMPLETE"))
    }

    @Test func tiffFormatIsTextPlusTIFF() throws {
        let files = try FaxFiles()
        let parts = try compose(files, .tiff).parts()
        #expect(parts.map(\.mediaType) == ["text/plain", "image/tiff"])
        #expect(try parts[1].decodedBody() == files.tiff)
        #expect(parts[1].parameter("filename", of: "Content-Disposition")?.hasSuffix(".tif") == true)
    }

    @Test func bothFormatAttachesPDFAndTIFF() throws {
        let files = try FaxFiles()
        let parts = try compose(files, .both).parts()
        #expect(parts.map(\.mediaType) == ["text/plain", "application/pdf", "image/tiff"])
        #expect(try parts[1].decodedBody() == files.pdf)
        #expect(try parts[2].decodedBody() == files.tiff)
    }

    @Test func inlineFormatShowsPageOneAndAttachesThePDF() throws {
        let files = try FaxFiles()
        let entity = try compose(files, .inline)
        let parts = try entity.parts()
        #expect(parts.map(\.mediaType) == ["multipart/alternative", "application/pdf"])
        #expect(try parts[1].decodedBody() == files.pdf)
        let alternative = try parts[0].parts()
        #expect(alternative.map(\.mediaType) == ["text/plain", "multipart/related"])
        let related = try alternative[1].parts()
        #expect(related.map(\.mediaType) == ["text/html", "image/png"])
        #expect(try related[1].decodedBody() == files.png)
        let contentID = try #require(related[1].header("Content-ID")).dropFirst().dropLast()
        let html = String(decoding: try related[0].decodedBody(), as: UTF8.self)
        #expect(html.contains("src=\"cid:\(contentID)\""))
        #expect(html.contains("ACME FAX"))
    }

    @Test func inlineWithoutThumbnailIsStillReadable() throws {
        let files = try FaxFiles()
        var content = files.content()
        content.thumbnailFile = nil
        let parts = try compose(files, .inline, content: content).parts()
        let alternative = try parts[0].parts()
        #expect(alternative.map(\.mediaType) == ["text/plain", "text/html"])
        #expect(!String(decoding: try alternative[1].decodedBody(), as: UTF8.self).contains("cid:"))
    }

    @Test(arguments: DeliveryFormat.allCases)
    func partialFaxIsClearlyMarked(_ format: DeliveryFormat) throws {
        let files = try FaxFiles()
        let entity = try compose(files, format, content: files.content(pages: 2, partial: true))
        #expect(EncodedWords.decode(try #require(entity.header("Subject"))).hasPrefix("Partial fax from +1 555 0100"))
        let text = try Self.plainText(of: entity)
        #expect(text.hasPrefix("NOTE: this fax is INCOMPLETE (call dropped after page 2)"))
    }

    @Test func htmlEscapesRemoteText() throws {
        let files = try FaxFiles()
        let entity = try compose(files, .inline, content: files.content(stationID: "<script>alert(1)</script>&"))
        let related = try (try entity.parts()[0].parts())[1].parts()
        let html = String(decoding: try related[0].decodedBody(), as: UTF8.self)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;"))
    }

    @Test func absurdRemoteTextNeverBreaksComposing() throws {
        let files = try FaxFiles()
        var content = files.content(stationID: String(repeating: "S", count: 5000), callerName: String(repeating: "ñ", count: 5000))
        content.callerNumber = String(repeating: "1", count: 5000)
        content.deviceExtension = ""
        let entity = try compose(files, .pdf, content: content)
        #expect(entity.headers(named: "X-Faxline-Device").isEmpty)
        #expect(EncodedWords.decode(try #require(entity.header("Subject"))).count < 300)
    }

    @Test func missingFilesAreClearErrors() throws {
        let files = try FaxFiles()
        var content = files.content()
        content.pdfFile = files.directory.appendingPathComponent("gone.pdf")
        let error = #expect(throws: MailError.self) { try composer.compose(content, to: recipients, format: .pdf) }
        #expect(error?.isTemporary == false)
        #expect(error.map { "\($0)" }?.contains("gone.pdf") == true)
        content.tiffFile = nil
        #expect(throws: MailError.self) { try composer.compose(content, to: recipients, format: .tiff) }
    }

    @Test func oversizedAttachmentsAreRefused() throws {
        let files = try FaxFiles()
        var small = composer
        small.maximumAttachmentBytes = 100
        #expect(throws: MailError.self) { try small.compose(files.content(), to: recipients, format: .pdf) }
    }

    @Test func faxWithoutPagesIsANoticeWithoutAttachments() throws {
        let files = try FaxFiles()
        var content = files.content(pages: 0, partial: true)
        content.pdfFile = nil
        let entity = try compose(files, .both, content: content)
        #expect(entity.mediaType == "text/plain")
        #expect(String(decoding: try entity.decodedBody(), as: UTF8.self).contains("INCOMPLETE"))
    }

    static func plainText(of entity: MIMEEntity) throws -> String {
        if entity.mediaType == "text/plain" { return String(decoding: try entity.decodedBody(), as: UTF8.self) }
        for part in (try? entity.parts()) ?? [] {
            if let text = try? plainText(of: part) { return text }
        }
        throw MIMEEntity.ReadError.missingBoundary
    }
}
