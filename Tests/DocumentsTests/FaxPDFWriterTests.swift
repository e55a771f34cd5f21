@testable import Documents
import Foundation
import Testing

@Suite struct FaxPDFWriterTests {
    /// The PDF must show exactly the TIFF's pixels when another program renders it.
    func expectSamePixels(tiff: String, pdf: String, renderer: (String, Int, Double, Double) throws -> FaxBitmap) throws {
        let reader = try FaxTIFFReader(path: tiff)
        for page in reader.pages {
            let expected = try reader.bitmap(page: page.index)
            let rendered = try renderer(pdf, page.index + 1, page.xResolution, page.yResolution)
            #expect(rendered.width == expected.width)
            #expect(rendered.height == expected.height)
            let same = rendered == expected
            #expect(same, "page \(page.index + 1) differs: \(rendered.blackPixelCount) vs \(expected.blackPixelCount) black pixels")
        }
    }

    @Test func g4PagesAreCopiedAndRenderToTheSamePixels() throws {
        let directory = TestDocuments.directory()
        let pdf = directory.appendingPathComponent("letter.pdf").path
        let result = try FaxPDFWriter.write(tiff: TestDocuments.letterTIFF, to: pdf)
        #expect(result.pageCount == 3)
        #expect(result.reencodedPages.isEmpty)
        // Pass-through: the PDF is about as large as the TIFF, not a decoded bitmap.
        let tiffSize = try #require(try FileManager.default.attributesOfItem(atPath: TestDocuments.letterTIFF)[.size] as? Int)
        let pdfSize = try #require(try FileManager.default.attributesOfItem(atPath: pdf)[.size] as? Int)
        #expect(pdfSize < tiffSize + 4000)
        try expectSamePixels(tiff: TestDocuments.letterTIFF, pdf: pdf, renderer: TestDocuments.renderWithPdftoppm)
        try expectSamePixels(tiff: TestDocuments.letterTIFF, pdf: pdf, renderer: TestDocuments.renderWithGhostscript)
    }

    @Test(arguments: [
        ("g3", [String](), false),
        ("g3:2d", [], false),
        ("g3:fill", [], false),
        ("g3:2d:fill", [], false),
        ("g4", ["-f", "lsb2msb"], false),
        ("g3:2d:fill", ["-f", "lsb2msb"], false),
        ("none", [], true),
        ("g4", ["-r", "64"], true),
    ])
    func everyFaxEncodingRendersToTheSamePixels(compression: String, extra: [String], reencoded: Bool) throws {
        let directory = TestDocuments.directory()
        let tiff = directory.appendingPathComponent("variant.tif").path
        let pdf = directory.appendingPathComponent("variant.pdf").path
        try #require(TestDocuments.runTool("tiffcp", ["-c", compression] + extra + [TestDocuments.letterTIFF, tiff]) == 0)
        let result = try FaxPDFWriter.write(tiff: tiff, to: pdf)
        #expect(result.pageCount == 3)
        #expect(result.reencodedPages == (reencoded ? [0, 1, 2] : []))
        try expectSamePixels(tiff: tiff, pdf: pdf, renderer: TestDocuments.renderWithPdftoppm)
        try expectSamePixels(tiff: tiff, pdf: pdf, renderer: TestDocuments.renderWithGhostscript)
    }

    @Test func mixedResolutionsKeepEachPageSize() throws {
        let directory = TestDocuments.directory()
        let standard = directory.appendingPathComponent("standard.tif").path
        let mixed = directory.appendingPathComponent("mixed.tif").path
        let pdf = directory.appendingPathComponent("mixed.pdf").path
        try #require(TestDocuments.runTool("gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffg4",
                                                  "-r204x98", "-dFIXEDMEDIA", "-sPAPERSIZE=a4", "-dPSFitPage",
                                                  "-g1728x1146", "-dLastPage=1", "-sOutputFile=\(standard)",
                                                  TestDocuments.letterPostScript]) == 0)
        try #require(TestDocuments.runTool("tiffcp", [TestDocuments.letterTIFF, standard, mixed]) == 0)
        let reader = try FaxTIFFReader(path: mixed)
        #expect(reader.pages.map(\.height) == [2292, 2292, 2292, 1146])
        try FaxPDFWriter.write(tiff: mixed, to: pdf)
        let boxes = try PDFPageSize.boxes(of: pdf)
        #expect(boxes.count == 4)
        // A4 at any resolution: 1728/204 in × 2292/196 in ≈ 1146/98 in.
        for box in boxes {
            #expect(abs(box.width - 609.88) < 0.1)
            #expect(abs(box.height - 842.0) < 1.0)
        }
        try expectSamePixels(tiff: mixed, pdf: pdf, renderer: TestDocuments.renderWithPdftoppm)
    }

    @Test func xrefOffsetsPointAtTheirObjects() throws {
        let directory = TestDocuments.directory()
        let pdf = directory.appendingPathComponent("letter.pdf").path
        try FaxPDFWriter.write(tiff: TestDocuments.letterTIFF, to: pdf, title: "Fax (from) 030 \\ 1234")
        let bytes = try #require(FileManager.default.contents(atPath: pdf))
        let text = String(decoding: bytes.map { $0 < 0x80 ? $0 : 0x20 }, as: UTF8.self)
        let startxref = try #require(text.range(of: "startxref\n", options: .backwards))
        let xrefOffset = try #require(Int(text[startxref.upperBound...].prefix { $0.isNumber }))
        let xrefBytes = Array(bytes)
        #expect(String(decoding: xrefBytes[xrefOffset..<(xrefOffset + 4)], as: UTF8.self) == "xref")
        let table = String(decoding: xrefBytes[xrefOffset...], as: UTF8.self).split(whereSeparator: \.isNewline)
        let count = try #require(Int(table[1].split(separator: " ")[1]))
        for number in 1..<count {
            let offset = try #require(Int(table[2 + number].prefix(10)))
            let expected = "\(number) 0 obj"
            #expect(String(decoding: xrefBytes[offset..<(offset + expected.utf8.count)], as: UTF8.self) == expected)
        }
        // No temporary file is left next to the PDF.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["letter.pdf"])
    }

    @Test func pageSizesAreFoundAcrossTheWholeFilePieceByPiece() throws {
        // 3000 boxes among filler of varied length, so many of them straddle the 1 MB pieces
        // the reader works in.
        var text = "%PDF-1.4\n"
        for index in 0..<3000 {
            text += String(repeating: "x", count: 300 + (index * 7919) % 700) + "\n"
            text += "<< /Type /Page /MediaBox [0 0 \(600 + index % 5) 842] >>\n"
        }
        let pdf = TestDocuments.directory().appendingPathComponent("boxes.pdf").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: pdf))
        let boxes = try PDFPageSize.boxes(of: pdf)
        #expect(boxes.count == 3000)
        #expect(boxes.enumerated().allSatisfy { $1.width == Double(600 + $0 % 5) && $1.height == 842 })
    }

    @Test func aTIFFThatIsNotAFaxGetsAClearError() throws {
        let directory = TestDocuments.directory()
        let notTIFF = directory.appendingPathComponent("fax.tif").path
        _ = FileManager.default.createFile(atPath: notTIFF, contents: Data("hello".utf8))
        #expect(throws: DocumentError.self) {
            try FaxPDFWriter.write(tiff: notTIFF, to: directory.appendingPathComponent("out.pdf").path)
        }
    }
}
