import FaxEngine
import FaxTIFF
import FaxTestSupport
import Foundation
import Testing

/// Received pages are written by Faxline's page writer, off the call's thread, instead of by
/// spandsp inside `fax_rx`.
@Suite("Received pages: taken from spandsp row by row, written off the frame path")
struct ReceivedPageWriterTests {
    @Test("every page in the TIFF, G4 at the page's resolution; spandsp's own file gone", arguments: [true, false])
    func pagesWrittenByTheWriter(ecm: Bool) throws {
        let (call, sent, received) = try makeCall(ecm: ecm)
        let (_, receiver) = call.run()
        #expect(receiver.isSuccess)
        try expectSamePages(received, as: sent)
        let pages = try TIFFDirectories.pages(of: TIFFFile(reading: received.path), limit: 10, checkData: true)
        #expect(pages.count == 3)
        for page in pages {
            #expect(page.compression == 4, "CCITT G4")
            #expect(page.width == 1728)
            #expect(page.xResolution == 204)
            #expect(page.yResolution == 196)
        }
        #expect(!FileManager.default.fileExists(atPath: received.path + ".spandsp"))
        #expect(!receiver.events.contains { $0.text.contains("not filed") })
    }

    @Test("a TIFF that cannot be written is said in the call's log; the pages still count as received")
    func unwritableFileIsNoted() throws {
        let sent = try TestDocuments.letter()
        let folder = try TestDocuments.makeTemporaryDirectory("unwritable")
        let received = folder.appendingPathComponent("received.tif")
        var options = FaxSessionOptions()
        options.ecm = true
        let call = try BackToBackCall(send: .send(path: sent.path, firstPage: 1, lastPage: 1),
                                      receive: .receive(path: received.path),
                                      senderOptions: options, receiverOptions: options)
        // After the check before the call, as a disk that fills up mid-call: the page writer
        // opens the file with the first page, and finds a folder in its place.
        try? FileManager.default.removeItem(at: received)
        try FileManager.default.createDirectory(at: received, withIntermediateDirectories: false)
        let (_, receiver) = call.run()
        #expect(receiver.pagesConfirmed == 1)
        let note = receiver.events.first { $0.kind == .note && $0.text.hasPrefix("received pages not filed") }
        #expect(note != nil, "\(receiver.events.filter { $0.kind == .note }.map(\.text))")
        #expect(note?.text.contains("page 1 cannot be written") == true)
    }
}
