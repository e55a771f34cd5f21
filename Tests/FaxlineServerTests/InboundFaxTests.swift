import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Store
import Testing

/// Inbound faxes through the real FastAGI and AudioSocket servers, from an emulated Asterisk
/// with a spandsp fax machine behind it.
@Suite("Inbound faxes end to end")
struct InboundFaxTests {
    @Test("a 3-page fax to extension 201: record, identical TIFF, a PDF that renders, and an email with the PDF")
    func threePageFax() async throws {
        let harness = try await ServerHarness.start()
        let outcome = try await harness.emulator.placeInboundCall(try ServerHarness.call())

        #expect(outcome.answered)
        #expect(outcome.variables["FAXSTATUS"] == "SUCCESS")
        #expect(outcome.variables["FAXPAGES"] == "3")
        #expect(outcome.variables["FAXBITRATE"] == "14400")
        #expect(outcome.variables["REMOTESTATIONID"] == "+1 555 0100")
        #expect(outcome.variables["LOCALSTATIONID"] == "+1 555 0199")
        #expect(outcome.farEnd?.isSuccess == true)

        let fax = try await harness.onlyFax()
        #expect(fax.status == .received)
        #expect(fax.session.pages == 3)
        #expect(fax.deviceExtensions == ["201"])
        #expect(fax.callerNumber == "5550100")
        #expect(fax.callerName == "ACME FAX")
        #expect(fax.lineName == "line0")
        #expect(fax.events.contains { $0.kind == "E" })
        #expect(outcome.variables["FAXLINE_ID"] == fax.id)

        let tiff = try #require(fax.files.tiff).absolutePath(under: harness.spoolRoot)
        let pdf = try #require(fax.files.pdf).absolutePath(under: harness.spoolRoot)
        #expect(fax.files.thumbnail != nil)
        let sent = try FaxPageRaster.pages(of: TestDocuments.letter().path)
        #expect(try FaxPageRaster.pages(of: tiff) == sent)
        #expect(try renderedPageCount(pdf) == 3)

        let messages = try await harness.smtp.waitForMessages(count: 1, timeout: .seconds(20))
        #expect(messages.first?.recipients == ["sales@example.com"])
        let attachment = try #require(messages.first.flatMap { MIMEAttachments.first(ofType: "application/pdf", in: $0.text) })
        #expect(attachment == [UInt8](try Data(contentsOf: URL(fileURLWithPath: pdf))))
        try await waitUntil { try await harness.database.fax(id: fax.id)?.deliveryState == .delivered }
        await harness.stop()
    }
}

/// Pages of a PDF that pdftoppm can render.
func renderedPageCount(_ pdf: String) throws -> Int {
    let folder = try TestDocuments.makeTemporaryDirectory("render")
    try TestDocuments.run("/usr/bin/pdftoppm", ["-r", "20", "-png", pdf, folder.appendingPathComponent("page").path])
    return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".png") }.count
}

/// Waits until `condition` holds (polled a bounded number of times); an issue if it never does.
func waitUntil(_ condition: () async throws -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    if try await !eventually(condition) {
        Issue.record("condition not met", sourceLocation: sourceLocation)
    }
}
