@testable import Documents
import Foundation
import Testing

@Suite struct FaxPreviewTests {
    /// Width and height from a PNG's IHDR chunk.
    func pngSize(_ path: String) throws -> (Int, Int) {
        let bytes = try #require(FileManager.default.contents(atPath: path)).map { $0 }
        try #require(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        func u32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        return (u32(16), u32(20))
    }

    @Test func thumbnailOfPageOneAndAnyPageAtFullSize() async throws {
        let directory = TestDocuments.directory()
        let pdf = directory.appendingPathComponent("fax.pdf").path
        try FaxPDFWriter.write(tiff: TestDocuments.letterTIFF, to: pdf)
        let thumbnail = directory.appendingPathComponent("thumb.png").path
        try await FaxPreview().thumbnail(ofPDF: pdf, to: thumbnail, width: 240)
        let (width, height) = try pngSize(thumbnail)
        #expect(abs(width - 240) <= 1)
        #expect(abs(height - 332) <= 2)

        let full = directory.appendingPathComponent("page3.png").path
        try await FaxPreview().fullPage(3, ofTIFF: TestDocuments.letterTIFF, to: full)
        let (fullWidth, fullHeight) = try pngSize(full)
        #expect(fullWidth == 1728)
        // Square pixels: 2292 fine rows are 2385 rows at 204 dpi.
        #expect(abs(fullHeight - 2385) <= 1)

        await #expect(throws: DocumentError.self) {
            try await FaxPreview().fullPage(4, ofPDF: pdf, to: full)
        }
    }
}

@Suite struct FaxTIFFReaderTests {
    @Test func sameFaxInAnotherEncodingHasEqualPages() throws {
        let directory = TestDocuments.directory()
        let g3 = directory.appendingPathComponent("g3.tif").path
        try #require(TestDocuments.runTool("tiffcp", ["-c", "g3:2d", "-f", "lsb2msb", TestDocuments.letterTIFF, g3]) == 0)
        let original = try FaxTIFFReader(path: TestDocuments.letterTIFF)
        let copy = try FaxTIFFReader(path: g3)
        #expect(original.pageCount == 3)
        #expect(original.pages[0].width == 1728 && original.pages[0].height == 2292)
        #expect(original.pages[0].xResolution == 204 && original.pages[0].yResolution == 196)
        #expect(try original.pagesEqual(copy))

        var changed = try original.bitmaps()
        changed[1].setPixel(x: 100, y: 100, black: !changed[1].isBlack(x: 100, y: 100))
        let modified = directory.appendingPathComponent("modified.tif").path
        try FaxTIFFWriter.write(changed, to: modified)
        #expect(try !original.pagesEqual(FaxTIFFReader(path: modified)))
        #expect(try original.bitmap(page: 0) == FaxTIFFReader(path: modified).bitmap(page: 0))
    }
}

@Suite struct PageOptionsTests {
    @Test func existingFaxPagesGetChopAndHeader() async throws {
        let output = TestDocuments.directory().appendingPathComponent("sent.tif").path
        let options = ConversionOptions(pageChop: PageChop(mode: .all, thresholdInches: 0.5),
                                        header: PageHeader(stationID: "ACME"))
        let count = try await DocumentConverter(options: options).applyPageOptions(to: TestDocuments.letterTIFF, writingTo: output)
        #expect(count == 3)
        let reader = try FaxTIFFReader(path: output)
        let original = try FaxTIFFReader(path: TestDocuments.letterTIFF)
        for index in 0..<3 {
            let page = try reader.bitmap(page: index)
            let before = try original.bitmap(page: index)
            #expect(page.height <= before.height)
            let band = PageHeader(stationID: "ACME").bandRows(yDPI: 196)
            #expect((0..<band).contains { !page.isBlankRow($0) })
            #expect(page.height - (before.height - before.trailingBlankRows) <= Int(0.25 * 196) + 1)
        }
    }
}
