@testable import Documents
import Foundation
import Testing

/// Every picture decoder checks a page's size and a document's page count against the limits
/// before it decodes or allocates anything, and names the limit it hit.
@Suite struct PictureLimitTests {
    func error(converting file: String, options: ConversionOptions) async -> DocumentError? {
        let output = TestDocuments.directory("out").appendingPathComponent("fax.tif").path
        do {
            try await DocumentConverter(options: options).convert([file], to: output)
            return nil
        } catch {
            #expect(!FileManager.default.fileExists(atPath: output))
            return error
        }
    }

    func write(_ bytes: [UInt8], name: String) throws -> String {
        let path = TestDocuments.directory(name).appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    // The header-only TIFFs below have one byte of image data per page: a decoder that tried
    // to read a page would report it damaged. "Too large" or "too many pages" shows the limit
    // was checked first.

    @Test func aTIFFDeclaring200PagesOf10000SquaredIsRefusedByThePixelCap() async throws {
        let tiff = try write(TestTIFF.headerOnly(pages: 200, width: 10_000, height: 10_000), name: "huge.tif")
        #expect(try DocumentType.detect(path: tiff) == .tiff)
        let options = ConversionOptions(maximumPixelsPerPage: 50_000_000)
        let error = await error(converting: tiff, options: options)
        guard case .tooLarge(let path, let reason)? = error else {
            Issue.record("expected tooLarge, got \(String(describing: error))")
            return
        }
        #expect(path == tiff)
        #expect(reason.contains("page 1 is 10000×10000 = 100 million pixels"), "\(reason)")
        #expect(reason.contains("the limit is 50 million pixels per page"), "\(reason)")
    }

    @Test func aTIFFWithMorePagesThanAFaxMayHaveIsRefusedBeforeAnyPageIsRead() async throws {
        let tiff = try write(TestTIFF.headerOnly(pages: 201, width: 10_000, height: 10_000), name: "long.tif")
        #expect(await error(converting: tiff, options: ConversionOptions()) == .tooManyPages(path: tiff, limit: 200))
        // Ten thousand directories: the walk stops at the limit.
        let longer = try write(TestTIFF.headerOnly(pages: 10_000, width: 100, height: 100), name: "longer.tif")
        #expect(await error(converting: longer, options: ConversionOptions(maximumPages: 5)) == .tooManyPages(path: longer, limit: 5))
    }

    @Test func underTheCapsThePagesAreDecodedOneByOne() async throws {
        // The same header within the caps is decoded: and its one byte of data is not a page.
        let tiff = try write(TestTIFF.headerOnly(pages: 3, width: 2000, height: 2000), name: "small.tif")
        let error = await error(converting: tiff, options: ConversionOptions())
        guard case .damaged(let path, let reason)? = error else {
            Issue.record("expected damaged, got \(String(describing: error))")
            return
        }
        #expect(path == tiff)
        #expect(reason.hasPrefix("page 1 row"), "\(reason)")
    }

    @Test func aPNGOverThePixelCapOrSideLimitIsRefusedFromItsHeader() async throws {
        // IHDR says 12000×12000, and there is no image data at all.
        func header(width: UInt32, height: UInt32) -> [UInt8] {
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
                + TestPNG.chunk("IHDR", TestPNG.u32(width) + TestPNG.u32(height) + [8, 0, 0, 0, 0])
                + TestPNG.chunk("IDAT", TestPNG.zlibStored([])) + TestPNG.chunk("IEND", [])
        }
        let big = try write(header(width: 12_000, height: 12_000), name: "big.png")
        let error = await error(converting: big, options: ConversionOptions(maximumPixelsPerPage: 100_000_000))
        guard case .tooLarge(_, let reason)? = error else {
            Issue.record("expected tooLarge, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("144 million pixels") && reason.contains("the limit is 100 million"), "\(reason)")

        let long = try write(header(width: 200_000, height: 10), name: "long.png")
        let sideError = await self.error(converting: long, options: ConversionOptions())
        guard case .tooLarge(_, let sideReason)? = sideError else {
            Issue.record("expected tooLarge, got \(String(describing: sideError))")
            return
        }
        #expect(sideReason.contains("100000 pixels on a side"), "\(sideReason)")
    }

    /// A small JPEG from Ghostscript, with its frame header changed to claim another size.
    func jpeg(claiming size: (width: Int, height: Int)?, progressive: Bool = false, name: String) throws -> String {
        let directory = TestDocuments.directory(name)
        let program = directory.appendingPathComponent("p.ps").path
        try Data("%!PS\n0 setgray 10 10 100 50 rectfill showpage\n".utf8).write(to: URL(fileURLWithPath: program))
        var output = directory.appendingPathComponent(name).path
        try #require(TestDocuments.runTool("gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=jpeggray",
                                                  "-r72", "-g2000x2000", "-sOutputFile=\(output)", program]) == 0)
        if progressive {
            let baseline = output
            output += ".progressive.jpg"
            try #require(TestDocuments.runTool("jpegtran", ["-progressive", "-outfile", output, baseline]) == 0)
        }
        guard let size else { return output }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
        let frame = try #require((2..<(bytes.count - 9)).first { bytes[$0] == 0xFF && (bytes[$0 + 1] == 0xC0 || bytes[$0 + 1] == 0xC2) })
        bytes[frame + 5] = UInt8(size.height >> 8)
        bytes[frame + 6] = UInt8(size.height & 0xFF)
        bytes[frame + 7] = UInt8(size.width >> 8)
        bytes[frame + 8] = UInt8(size.width & 0xFF)
        try Data(bytes).write(to: URL(fileURLWithPath: output))
        return output
    }

    @Test func aJPEGOverThePixelCapIsRefusedFromItsFrameHeader() async throws {
        let claimed = try jpeg(claiming: (65_000, 65_000), name: "claims.jpg")
        let error = await error(converting: claimed, options: ConversionOptions())
        guard case .tooLarge(_, let reason)? = error else {
            Issue.record("expected tooLarge, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("65000×65000") && reason.contains("the limit is 150 million"), "\(reason)")
    }

    @Test func aProgressiveJPEGThatNeedsMoreThanTheDecoderMemoryIsRefused() async throws {
        let progressive = try jpeg(claiming: nil, progressive: true, name: "progressive.jpg")
        // 2000×2000 grey: its coefficients alone take 8 MB.
        let error = await error(converting: progressive, options: ConversionOptions(decoderMemoryLimit: 2 << 20))
        guard case .tooLarge(_, let reason)? = error else {
            Issue.record("expected tooLarge, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("progressive JPEG of 2000×2000") && reason.contains("2 MB"), "\(reason)")
        // With the default limit it converts.
        #expect(await self.error(converting: progressive, options: ConversionOptions()) == nil)
    }

    @Test func aTIFFWhoseTilesNeedMoreThanTheDecoderMemoryIsRefused() async throws {
        let directory = TestDocuments.directory()
        let source = directory.appendingPathComponent("source.tif").path
        try TestTIFF.write(.singleStrip, width: 64, height: 64, to: source) { x, _ in x < 32 ? 0 : 255 }
        let tiled = directory.appendingPathComponent("tiled.tif").path
        try #require(TestDocuments.runTool("tiffcp", ["-t", "-w", "2048", "-l", "2048", source, tiled]) == 0)
        // One 2048×2048 tile as RGBA is 16 MB.
        let error = await error(converting: tiled, options: ConversionOptions(decoderMemoryLimit: 8 << 20))
        guard case .tooLarge(_, let reason)? = error else {
            Issue.record("expected tooLarge, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("2048×2048") && reason.contains("8 MB"), "\(reason)")
    }

    @Test func aPictureStopsWhenItsTimeIsUp() async throws {
        let png = TestPNG.make(width: 400, height: 400, colour: .grey) { x, y in [(x + y) % 256] }
        let path = try write(png, name: "slow.png")
        #expect(await error(converting: path, options: ConversionOptions(timeLimit: .zero)) == .timedOut(path: path, seconds: 0))
    }

    @Test func aLargeColourTIFFInOneStripConverts() async throws {
        // The layout that made whole-strip decoders allocate the full picture: here it is read
        // a row at a time. Black left third, a white middle, dark grey right third.
        let path = TestDocuments.directory().appendingPathComponent("wide.tif").path
        try TestTIFF.write(.singleStrip, width: 3000, height: 750, to: path) { x, _ in x < 1000 ? 0 : x < 2000 ? 255 : 60 }
        let output = TestDocuments.directory("out").appendingPathComponent("fax.tif").path
        try await DocumentConverter(options: ConversionOptions(pageChop: .none)).convert([path], to: output)
        let page = try FaxTIFFReader(path: output).bitmap(page: 0)
        // Landscape: turned, so the picture's left third is the bottom third of the fitted area.
        let x = page.width / 2
        let black = (0..<page.height).filter { page.isBlack(x: x, y: $0) }
        #expect(black.count > 1000)
        #expect((black.first ?? 0) < page.height / 2 && (black.last ?? 0) > page.height / 2)
        let white = (0..<page.height).filter { !page.isBlack(x: x, y: $0) }
        #expect(white.count > 500)
    }
}
