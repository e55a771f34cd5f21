@testable import Documents
import Foundation
import Testing

@Suite struct DocumentConverterTests {
    func convert(_ files: [String], options: ConversionOptions = ConversionOptions(pageChop: .none)) async throws -> (ConversionResult, FaxTIFFReader) {
        let output = TestDocuments.directory("out").appendingPathComponent("fax.tif").path
        let result = try await DocumentConverter(options: options).convert(files, to: output)
        return (result, try FaxTIFFReader(path: output))
    }

    func write(_ text: String, name: String) -> String {
        let path = TestDocuments.directory(name).appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    /// A PostScript program drawn by the test, through ps2pdf, as a user's PDF.
    func pdf(fromPostScript program: String, name: String) throws -> String {
        let ps = write(program, name: name + ".ps")
        let pdf = ps.replacingOccurrences(of: ".ps", with: ".pdf")
        try #require(TestDocuments.runTool("ps2pdf", ["-sPAPERSIZE=a4", ps, pdf]) == 0)
        return pdf
    }

    @Test(arguments: [
        (FaxResolution.fine, PaperSize.a4, 2292),
        (.standard, .a4, 1146),
        (.superfine, .a4, 4572),
        (.fine, .letter, 2156),
    ])
    func letterPDFBecomesThreeFaxPages(resolution: FaxResolution, paper: PaperSize, rows: Int) async throws {
        let options = ConversionOptions(format: FaxPageFormat(resolution: resolution, paper: paper), pageChop: .none)
        let (result, reader) = try await convert([TestDocuments.letterPDF], options: options)
        #expect(result.pageCount == 3)
        #expect(result.pagesPerDocument == [3])
        #expect(reader.pages.map(\.width) == [1728, 1728, 1728])
        #expect(reader.pages.map(\.height) == [rows, rows, rows])
        #expect(reader.pages.allSatisfy { abs($0.yResolution - resolution.verticalDPI) < 0.5 && abs($0.xResolution - 204) < 0.5 })
        #expect(reader.pages.allSatisfy { $0.compression == 4 })
        // Ink on every page; the A4 page is centred in the wider fax page, so the left edge stays white.
        for index in 0..<3 {
            let page = try reader.bitmap(page: index)
            #expect(page.blackPixelCount > 20_000)
            #expect((0..<page.height).allSatisfy { y in (0..<16).allSatisfy { !page.isBlack(x: $0, y: y) } })
        }
    }

    @Test func postScriptAndPDFGiveTheSamePageCount() async throws {
        let (result, reader) = try await convert([TestDocuments.letterPostScript, TestDocuments.letterPDF])
        #expect(result.pagesPerDocument == [3, 3])
        #expect(reader.pageCount == 6)
    }

    @Test func aPageOfTwoLinesIsChoppedShort() async throws {
        let pdf = try pdf(fromPostScript: """
        %!PS
        /Helvetica findfont 14 scalefont setfont
        72 760 moveto (First line of a short fax) show
        72 740 moveto (Second line) show
        showpage
        """, name: "short")
        let (_, unchopped) = try await convert([pdf])
        #expect(unchopped.pages[0].height == 2292)
        let (_, chopped) = try await convert([pdf], options: ConversionOptions(pageChop: PageChop(mode: .last)))
        let height = chopped.pages[0].height
        // Two lines near the top of A4: about 1.5 inches of page are left, not 11.7.
        #expect(height < 600)
        #expect(height > 200)
        let page = try chopped.bitmap(page: 0)
        #expect(page.blackPixelCount > 500)
    }

    @Test func chopLeavesShortBlankRunsAlone() async throws {
        // Ink at the bottom: nothing to chop.
        let pdf = try pdf(fromPostScript: "%!PS\n/Helvetica findfont 14 scalefont setfont 72 40 moveto (Bottom) show showpage\n", name: "bottom")
        let (_, reader) = try await convert([pdf], options: ConversionOptions(pageChop: PageChop(mode: .all)))
        #expect(reader.pages[0].height == 2292)
    }

    @Test func plainTextIsPaginatedAndLongLinesWrap() async throws {
        let short = write("Hello fax\n", name: "short.txt")
        let long = write(String(repeating: "wrapping words ", count: 40) + "\n", name: "long.txt")
        let chop = ConversionOptions(pageChop: PageChop(mode: .last, thresholdInches: 1))
        let (_, shortPage) = try await convert([short], options: chop)
        let (_, longPage) = try await convert([long], options: chop)
        // 600 characters at about 84 a line make 8 lines: a taller chopped page, same width.
        #expect(longPage.pages[0].height > shortPage.pages[0].height + 7 * 12 * 196 / 72 - 10)
        let bitmap = try longPage.bitmap(page: 0)
        // The right margin stays white: nothing ran off the page.
        let rightMargin = bitmap.width - 120
        #expect((0..<bitmap.height).allSatisfy { y in (rightMargin..<bitmap.width).allSatisfy { !bitmap.isBlack(x: $0, y: y) } })

        let layout = TextLayout()
        let pages = layout.pages(of: String(repeating: "line\n", count: 150), format: FaxPageFormat())
        #expect(pages.count == 3)
        #expect(pages.allSatisfy { $0.count <= 61 })
        let wrapped = layout.pages(of: String(repeating: "x", count: 200), format: FaxPageFormat())[0]
        #expect(wrapped.count == 3)
        #expect(wrapped.allSatisfy { $0.count <= 84 })
        #expect(layout.pages(of: "a\u{0C}b", format: FaxPageFormat()).count == 2)
    }

    @Test func textThatLooksLikePostScriptIsPrintedNotRun() async throws {
        // A file that would loop forever or draw if it ever reached the interpreter as code.
        let hostile = write("hello) show { } loop (\n> (x) show <\n\\) erasepage showpage\n", name: "hostile.txt")
        let options = ConversionOptions(pageChop: .none, timeLimit: .seconds(20))
        let (result, reader) = try await convert([hostile], options: options)
        #expect(result.pageCount == 1)
        #expect(try reader.bitmap(page: 0).blackPixelCount > 500)
    }

    @Test func imagesDrawnByTheTestBecomePages() async throws {
        let directory = TestDocuments.directory()
        let drawing = write("""
        %!PS
        << /PageSize [300 200] >> setpagedevice
        0.8 setgray 0 0 300 200 rectfill
        0.2 setgray 20 20 260 160 rectfill 1 setgray 60 60 180 80 rectfill
        0 0 1 setrgbcolor /Helvetica findfont 30 scalefont setfont 80 90 moveto (IMG) show
        showpage
        """, name: "drawing.ps")
        var made: [String] = []
        for (device, name) in [("png16m", "picture.png"), ("pnggray", "grey.png"), ("jpeg", "photo.jpg"),
                               ("tiff24nc", "colour.tif"), ("tiffgray", "grey.tif")] {
            let output = directory.appendingPathComponent(name).path
            try #require(TestDocuments.runTool("gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=\(device)",
                                                      "-r100", "-sOutputFile=\(output)", drawing]) == 0)
            made.append(output)
        }
        for image in made {
            let (result, reader) = try await convert([image])
            #expect(result.pageCount == 1, "\(image)")
            let page = try reader.bitmap(page: 0)
            #expect(page.width == 1728)
            // The dark frame is drawn and the white middle stays white.
            #expect(page.blackPixelCount > 100_000, "\(image)")
            #expect(page.blackPixelCount < page.width * page.height / 2, "\(image)")
            // Clean black and white, no halftone: the light grey band above the dark frame is white.
            let frameTop = try #require((0..<page.height).first { !page.isBlankRow($0) })
            #expect(frameTop > 100, "\(image)")
            #expect(((frameTop - 100)..<frameTop).allSatisfy { page.isBlankRow($0) }, "\(image)")
        }
        #expect(try DocumentType.detect(path: made[0]) == .png)
        #expect(try DocumentType.detect(path: made[2]) == .jpeg)
        #expect(try DocumentType.detect(path: made[3]) == .tiff)
    }

    @Test func aFaxTIFFKeepsItsPixels() async throws {
        let (result, reader) = try await convert([TestDocuments.letterTIFF])
        #expect(result.pageCount == 3)
        #expect(try reader.pagesEqual(FaxTIFFReader(path: TestDocuments.letterTIFF)))
    }

    @Test func headerLineIsPrintedOnEveryPage() async throws {
        let header = PageHeader(stationID: "+49 30 1234567 ACME", date: Date(timeIntervalSince1970: 1_790_000_000))
        #expect(header.text(page: 2, of: 3).hasSuffix("+49 30 1234567 ACME   Page 2 of 3"))
        let options = ConversionOptions(pageChop: .none, header: header)
        let (_, plain) = try await convert([TestDocuments.letterPDF])
        let (_, stamped) = try await convert([TestDocuments.letterPDF], options: options)
        let band = header.bandRows(yDPI: 196)
        for index in 0..<3 {
            let before = try plain.bitmap(page: index)
            let after = try stamped.bitmap(page: index)
            #expect((0..<band).allSatisfy { before.isBlankRow($0) })
            #expect((0..<band).contains { !after.isBlankRow($0) })
            // Below the band the page is untouched.
            #expect((band..<after.height).allSatisfy { before.row($0) == after.row($0) })
        }
    }

    @Test func coverPageComesFirstWithItsFields() async throws {
        let cover = CoverPage(to: "Jane (Buyer)", toFax: "+1 555 0100", from: "ACME", fromFax: "+49 30 1234567",
                              subject: "Order 4711 } loop {", comments: "Please sign and return.\nThanks.")
        let options = ConversionOptions(pageChop: .none, timeLimit: .seconds(30), cover: cover)
        let (result, reader) = try await convert([TestDocuments.letterPDF], options: options)
        #expect(result.pageCount == 4)
        #expect(result.hasCoverPage)
        let coverBitmap = try reader.bitmap(page: 0)
        #expect(coverBitmap.blackPixelCount > 5_000)
        let (_, plain) = try await convert([TestDocuments.letterPDF])
        #expect(try reader.bitmap(page: 1) == plain.bitmap(page: 0))

        let template = write("/Helvetica findfont 20 scalefont setfont 72 700 moveto faxTo show showpage\n", name: "cover.ps")
        var custom = cover
        custom.templatePath = template
        let (customResult, customReader) = try await convert([TestDocuments.letterPDF],
                                                             options: ConversionOptions(pageChop: .none, cover: custom))
        #expect(customResult.pageCount == 4)
        let customBitmap = try customReader.bitmap(page: 0)
        #expect(customBitmap.blackPixelCount > 200)
        #expect(customBitmap != coverBitmap)
    }

    // MARK: Bad input

    func expectError(_ files: [String], options: ConversionOptions = ConversionOptions(), matches: (DocumentError) -> Bool) async {
        do {
            _ = try await convert(files, options: options)
            Issue.record("conversion succeeded")
        } catch let error as DocumentError {
            #expect(matches(error), "\(error)")
            #expect(error.description.contains(files.last ?? "") || error.description.contains("cover"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func zeroByteFileIsRefused() async {
        let empty = write("", name: "empty.pdf")
        await expectError([empty]) { $0 == .emptyFile(path: empty) }
    }

    @Test func unknownTypeIsRefusedWhateverItsName() async throws {
        let path = TestDocuments.directory().appendingPathComponent("document.pdf").path
        _ = FileManager.default.createFile(atPath: path, contents: Data([0x00, 0x01, 0x02, 0x03, 0xFE, 0x00, 0x7F]))
        await expectError([path]) { $0 == .unknownType(path: path) }
        // And a PDF named .txt is a PDF.
        let renamed = TestDocuments.directory().appendingPathComponent("letter.txt").path
        try? FileManager.default.copyItem(atPath: TestDocuments.letterPDF, toPath: renamed)
        #expect(try DocumentType.detect(path: renamed) == .pdf)
    }

    @Test func corruptPDFGetsAClearError() async {
        let corrupt = write("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\nthis is not a pdf at all\n%%EOF\n", name: "corrupt.pdf")
        await expectError([corrupt]) {
            if case .damaged(let path, _) = $0 { return path == corrupt }
            return false
        }
        // A real PDF cut in half.
        let data = FileManager.default.contents(atPath: TestDocuments.letterPDF) ?? Data()
        let truncated = TestDocuments.directory().appendingPathComponent("truncated.pdf").path
        _ = FileManager.default.createFile(atPath: truncated, contents: data.prefix(data.count / 3))
        do {
            let (result, _) = try await convert([truncated])
            // Ghostscript may repair what it can read; then it is fewer pages, never garbage.
            #expect(result.pageCount < 3)
        } catch let error as DocumentError {
            #expect(error.description.hasPrefix(truncated))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func encryptedPDFGetsAClearError() async throws {
        let directory = TestDocuments.directory()
        let encrypted = directory.appendingPathComponent("secret.pdf").path
        try #require(TestDocuments.runTool("gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite",
                                                  "-sOwnerPassword=owner", "-sUserPassword=user",
                                                  "-sOutputFile=\(encrypted)", TestDocuments.letterPostScript]) == 0)
        await expectError([encrypted]) { $0 == .encrypted(path: encrypted) }

        // Only an owner password (restrictions, no password to open): it converts.
        let restricted = directory.appendingPathComponent("restricted.pdf").path
        try #require(TestDocuments.runTool("gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite",
                                                  "-sOwnerPassword=owner", "-sOutputFile=\(restricted)",
                                                  TestDocuments.letterPostScript]) == 0)
        let (result, _) = try await convert([restricted])
        #expect(result.pageCount == 3)
    }

    @Test func pageCapStopsLongDocuments() async {
        await expectError([TestDocuments.letterPDF], options: ConversionOptions(maximumPages: 2)) {
            $0 == .tooManyPages(path: TestDocuments.letterPDF, limit: 2)
        }
    }

    @Test func aHugeTextFileIsRefusedWithoutBeingReadWhole() async throws {
        // 64 MB of text: far more than 200 pages could hold, so it is refused after reading
        // what 200 pages could hold at most.
        let path = TestDocuments.directory().appendingPathComponent("huge.txt").path
        let line = Data((String(repeating: "all work and no play ", count: 3) + "\n").utf8)
        var chunk = Data()
        for _ in 0..<(1 << 20) / line.count { chunk.append(line) }
        try #require(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        for _ in 0..<64 { handle.write(chunk) }
        try handle.close()
        await expectError([path]) { $0 == .tooManyPages(path: path, limit: 200) }
    }

    @Test func officeDocumentsNeedLibreOffice() async throws {
        let path = TestDocuments.directory().appendingPathComponent("letter.doc").path
        _ = FileManager.default.createFile(atPath: path, contents: Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 512)))
        #expect(try DocumentType.detect(path: path) == .office)
        if ToolRunner.locate("soffice") == nil {
            await expectError([path]) {
                if case .toolMissing(let file, let tool, let advice) = $0 { return file == path && tool == "LibreOffice" && advice.contains("install") }
                return false
            }
        }
    }
}
