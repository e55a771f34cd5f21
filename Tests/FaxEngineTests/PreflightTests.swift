import FaxEngine
import FaxTestSupport
import Foundation
import Testing

/// A document or option that cannot work fails before any call is made, naming the reason.
@Suite("Before the call")
struct PreflightTests {
    private func sendError(_ path: String, firstPage: Int? = nil, lastPage: Int? = nil,
                           options: FaxSessionOptions = FaxSessionOptions()) -> FaxEngineError? {
        do {
            _ = try AudioFaxSession(role: .calling, document: .send(path: path, firstPage: firstPage, lastPage: lastPage), options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test("a file that does not exist")
    func missingFile() {
        let error = sendError("/nonexistent/fax.tif")
        #expect(error?.description.contains("does not exist") == true)
    }

    @Test("a file that is not a TIFF, and an empty file")
    func notATIFF() throws {
        let folder = try TestDocuments.makeTemporaryDirectory("preflight")
        let text = folder.appendingPathComponent("letter.tif")
        try Data("Dear Sir,\n".utf8).write(to: text)
        #expect(sendError(text.path)?.description.contains("not a TIFF") == true)
        let empty = folder.appendingPathComponent("empty.tif")
        try Data().write(to: empty)
        #expect(sendError(empty.path)?.description.contains("not a TIFF") == true)
    }

    @Test("a TIFF cut short in its image data")
    func truncatedTIFF() throws {
        let letter = try Data(contentsOf: TestDocuments.letter())
        let cut = try TestDocuments.makeTemporaryDirectory("preflight").appendingPathComponent("cut.tif")
        // Keep the header and first directory's pointer but lose most of the strips.
        try letter.prefix(letter.count / 3).write(to: cut)
        let error = sendError(cut.path)
        #expect(error != nil)
        if case .unreadableDocument(let path, _)? = error { #expect(path == cut.path) } else {
            Issue.record("expected unreadableDocument, got \(String(describing: error))")
        }
    }

    @Test("a TIFF whose directory is intact but whose image data ends early")
    func stripBeyondTheEnd() throws {
        // Page 1 of the letter, with its strip said to be far longer than the file: the
        // directory reads fine, the data is not all there. Found without decoding anything.
        let folder = try TestDocuments.makeTemporaryDirectory("preflight")
        let page = folder.appendingPathComponent("page.tif")
        try TestDocuments.run("/usr/bin/tiffcp", [try TestDocuments.letter().path + ",0", page.path])
        var bytes = [UInt8](try Data(contentsOf: page))
        try #require(bytes.starts(with: [0x49, 0x49, 42, 0]), "a little-endian TIFF")
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        let directory = u16(4) | u16(6) << 16
        let entry = try #require((0..<u16(directory)).map { directory + 2 + 12 * $0 }.first { u16($0) == 279 })
        try #require(u16(entry + 2) == 4, "strip byte counts as LONG")
        let claimed = bytes.count * 4
        for i in 0..<4 { bytes[entry + 8 + i] = UInt8((claimed >> (8 * i)) & 0xFF) }
        let cut = folder.appendingPathComponent("cut.tif")
        try Data(bytes).write(to: cut)
        let error = sendError(cut.path)
        #expect(error == .unreadableDocument(path: cut.path, reason: "page 1 is damaged (its image data is cut short)"))
        // The untouched page passes.
        #expect(sendError(page.path) == nil)
    }

    @Test("a page that is not a fax page (colour, wrong width)")
    func notAFaxPage() throws {
        let folder = try TestDocuments.makeTemporaryDirectory("preflight")
        let grey = folder.appendingPathComponent("grey.tif")
        try TestDocuments.run("/usr/bin/gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffgray",
                                              "-r72", "-sOutputFile=\(grey.path)", TestDocuments.letterPostScript.path])
        #expect(sendError(grey.path)?.description.contains("not black and white") == true)
        let narrow = folder.appendingPathComponent("narrow.tif")
        try TestDocuments.run("/usr/bin/gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffg4",
                                              "-r100", "-sOutputFile=\(narrow.path)", TestDocuments.letterPostScript.path])
        #expect(sendError(narrow.path)?.description.contains("pixels wide") == true)
    }

    @Test("a page range outside the document")
    func pageRange() throws {
        let letter = try TestDocuments.letter().path
        #expect(sendError(letter, firstPage: 4)?.description.contains("first page 4") == true)
        #expect(sendError(letter, firstPage: 2, lastPage: 1)?.description.contains("last page 1") == true)
        #expect(sendError(letter, firstPage: 0) != nil)
        #expect(sendError(letter, firstPage: 3, lastPage: 3) == nil)
    }

    @Test("a receive path that cannot be written")
    func unwritableReceivePath() {
        #expect(throws: FaxEngineError.self) {
            _ = try AudioFaxSession(role: .answering, document: .receive(path: "/nonexistent/dir/fax.tif"))
        }
    }

    enum BadOption: String, CaseIterable, Sendable {
        case longStationID, controlCharacterInStationID, longPageHeader, noCompression, minimumAboveMaximum, noModemLeft
        case oddScanLineTime

        func apply(to options: inout FaxSessionOptions) {
            switch self {
            case .longStationID: options.localStationID = String(repeating: "1", count: 21)
            case .controlCharacterInStationID: options.localStationID = "+1 555\n0100"
            case .longPageHeader: options.pageHeader = String(repeating: "x", count: 51)
            case .noCompression: options.compressions = []
            case .minimumAboveMaximum: options.minimumBitRate = 9_600; options.maximumBitRate = 4_800
            case .noModemLeft: options.modems = .v27ter; options.minimumBitRate = 9_600
            case .oddScanLineTime: options.minimumScanLineTime = 15
            }
        }
    }

    @Test("options are checked", arguments: BadOption.allCases)
    func invalidOptions(bad: BadOption) throws {
        var options = FaxSessionOptions()
        bad.apply(to: &options)
        let error = sendError(try TestDocuments.letter().path, options: options)
        guard case .invalidOption? = error else {
            Issue.record("\(bad): expected invalidOption, got \(String(describing: error))")
            return
        }
    }

    @Test("bit rate limits remove whole modems")
    func modemLimits() {
        #expect(FaxModems.all.limited(minimumBitRate: nil, maximumBitRate: 9_600) == [.v27ter, .v29])
        #expect(FaxModems.all.limited(minimumBitRate: 9_600, maximumBitRate: nil) == [.v29, .v17])
        #expect(FaxModems.all.limited(minimumBitRate: 12_000, maximumBitRate: nil) == [.v17])
        #expect(FaxModems.all.limited(minimumBitRate: nil, maximumBitRate: 4_800) == [.v27ter])
    }
}
