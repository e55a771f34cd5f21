@testable import Documents
import Foundation
import Testing

/// Pictures are decoded by libpng, libjpeg-turbo and libtiff and reduced to clean black and
/// white fax pages: every colour type, depth and layout of the same picture gives the same page.
@Suite struct PictureTests {
    func page(_ file: String, options: ConversionOptions = ConversionOptions(pageChop: .none)) async throws -> FaxBitmap {
        let output = TestDocuments.directory("out").appendingPathComponent("fax.tif").path
        let result = try await DocumentConverter(options: options).convert([file], to: output)
        #expect(result.pageCount == 1, "\(file)")
        return try FaxTIFFReader(path: output).bitmap(page: 0)
    }

    /// A portrait picture: white, a black bar, a dark grey block (black on the fax) and a light
    /// grey block (white on the fax); odd sizes, so every Adam7 pass has a ragged edge.
    static let width = 45
    static let height = 61
    static func grey(_ x: Int, _ y: Int) -> Int {
        if (6..<38).contains(x) && (5..<13).contains(y) { return 0 }
        if (10..<20).contains(x) && (20..<50).contains(y) { return 90 }
        if (25..<40).contains(x) && (20..<50).contains(y) { return 200 }
        return 255
    }

    static func blackAndWhite(_ x: Int, _ y: Int) -> Int { grey(x, y) < 128 ? 0 : 1 }

    /// The page every variant must give: the 8-bit grey PNG's.
    func reference() async throws -> FaxBitmap {
        let png = TestPNG.make(width: Self.width, height: Self.height, colour: .grey) { [Self.grey($0, $1)] }
        return try await page(try TestPNG.write(png, name: "reference.png"))
    }

    @Test func theReferencePageHasThePictureInItsPlace() async throws {
        let page = try await reference()
        #expect(page.width == 1728 && page.height == 2292)
        // 45×61 square pixels: the width limits (1728 columns, 38.4 per picture pixel), and the
        // picture is centred vertically.
        let scale = 1728.0 / 45
        let fittedHeight = (61 * (1728.0 / 204) / 45 * 196).rounded()
        let yScale = fittedHeight / 61
        let top = (2292 - Int(fittedHeight)) / 2
        let rows = (0..<page.height).filter { !page.isBlankRow($0) }
        let columns = (0..<page.width).filter { x in rows.contains { page.isBlack(x: x, y: $0) } }
        #expect(abs(Double(rows.first ?? 0) - (Double(top) + 5 * yScale)) <= 2)
        #expect(abs(Double(rows.last ?? 0) - (Double(top) + 50 * yScale)) <= 2)
        #expect(abs(Double(columns.first ?? 0) - 6 * scale) <= 2)
        #expect(abs(Double(columns.last ?? 0) - 38 * scale) <= 2)
        // The dark grey block is black, the light one white.
        let middle = top + Int(35 * yScale)
        #expect(page.isBlack(x: Int(15 * scale), y: middle))
        #expect(!page.isBlack(x: Int(32 * scale), y: middle))
    }

    struct PNGVariant: CustomTestStringConvertible, Sendable {
        var name: String
        var depth: Int
        var colour: TestPNG.ColourType
        var interlaced: Bool
        var testDescription: String { name + (interlaced ? ", interlaced" : "") }
    }

    static let pngVariants: [PNGVariant] = [false, true].flatMap { interlaced in
        [
            PNGVariant(name: "grey 8", depth: 8, colour: .grey, interlaced: interlaced),
            PNGVariant(name: "grey 16", depth: 16, colour: .grey, interlaced: interlaced),
            PNGVariant(name: "grey 1", depth: 1, colour: .grey, interlaced: interlaced),
            PNGVariant(name: "grey 2", depth: 2, colour: .grey, interlaced: interlaced),
            PNGVariant(name: "RGB 8", depth: 8, colour: .rgb, interlaced: interlaced),
            PNGVariant(name: "RGB 16", depth: 16, colour: .rgb, interlaced: interlaced),
            PNGVariant(name: "palette 4", depth: 4, colour: .palette, interlaced: interlaced),
            PNGVariant(name: "grey+alpha 8", depth: 8, colour: .greyAlpha, interlaced: interlaced),
            PNGVariant(name: "RGBA 16", depth: 16, colour: .rgba, interlaced: interlaced),
        ]
    }

    @Test(arguments: pngVariants)
    func everyPNGLayoutGivesTheSamePage(variant: PNGVariant) async throws {
        let maximum = (1 << variant.depth) - 1
        // Depths below 8 have no room for grey: black and white only (the grey blocks take
        // the colour they end up as anyway).
        func level(_ x: Int, _ y: Int) -> Int {
            variant.depth < 8 ? Self.blackAndWhite(x, y) * maximum : Self.grey(x, y) * maximum / 255
        }
        let palette: [UInt8]? = variant.colour == .palette ? [0, 0, 0, 255, 255, 255, 100, 0, 0] : nil
        let png = TestPNG.make(width: Self.width, height: Self.height, depth: variant.depth, colour: variant.colour,
                               interlaced: variant.interlaced, palette: palette) { x, y in
            switch variant.colour {
            case .grey: [level(x, y)]
            case .rgb: [level(x, y), level(x, y), level(x, y)]
            case .palette: [Self.blackAndWhite(x, y)]
            case .greyAlpha: [level(x, y), maximum]
            case .rgba: [level(x, y), level(x, y), level(x, y), maximum]
            }
        }
        let converted = try await page(try TestPNG.write(png, name: "variant.png"))
        #expect(converted == (try await reference()), "\(variant.testDescription)")
    }

    @Test func transparencyIsCompositedOnWhite() async throws {
        // Black ink whose opacity carries the picture: transparent where it should be white,
        // mostly transparent over the light block, mostly opaque over the dark one.
        func opacity(_ x: Int, _ y: Int) -> Int { 255 - Self.grey(x, y) }
        let rgba = TestPNG.make(width: Self.width, height: Self.height, colour: .rgba) { x, y in [0, 0, 0, opacity(x, y)] }
        let greyAlpha = TestPNG.make(width: Self.width, height: Self.height, colour: .greyAlpha, interlaced: true) { x, y in
            [0, opacity(x, y)]
        }
        // A palette whose entry 0 (black) is fully transparent: the background is transparent black.
        let palette = TestPNG.make(width: Self.width, height: Self.height, depth: 8, colour: .palette,
                                   palette: [0, 0, 0, 0, 0, 0], transparency: [0, 255]) { x, y in
            [Self.blackAndWhite(x, y) == 0 ? 1 : 0]
        }
        let reference = try await reference()
        for (name, bytes) in [("rgba.png", rgba), ("grey-alpha.png", greyAlpha), ("palette-trns.png", palette)] {
            let converted = try await page(try TestPNG.write(bytes, name: name))
            #expect(converted == reference, "\(name)")
        }
    }

    // MARK: JPEG

    /// A picture of blocks (no fine detail, so lossless JPEG rotations and CMYK decode to the
    /// same black and white), 320×240: whole JPEG blocks, so jpegtran turns it exactly.
    static let blocks = """
    %!PS
    1 setgray 0 0 320 240 rectfill
    0 setgray 16 160 128 64 rectfill 16 16 48 144 rectfill
    0.6 setgray 200 32 96 96 rectfill
    0.2 setgray 208 160 64 48 rectfill
    showpage
    """

    func jpeg(device: String = "jpeg", name: String) throws -> String {
        let directory = TestDocuments.directory(name)
        let program = directory.appendingPathComponent("blocks.ps").path
        try Data(Self.blocks.utf8).write(to: URL(fileURLWithPath: program))
        let output = directory.appendingPathComponent(name).path
        try #require(TestDocuments.runTool("gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=\(device)", "-dJPEGQ=95",
                                                  "-r72", "-g320x240", "-sOutputFile=\(output)", program]) == 0)
        return output
    }

    func jpegtran(_ arguments: [String], _ input: String, name: String) throws -> String {
        let output = TestDocuments.directory(name).appendingPathComponent(name).path
        try #require(TestDocuments.runTool("jpegtran", arguments + ["-outfile", output, input]) == 0, "jpegtran is in libjpeg-turbo-progs")
        return output
    }

    /// The same JPEG with an EXIF block (APP1) that records `orientation`.
    func withOrientation(_ orientation: Int, _ input: String, name: String) throws -> String {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: input)))
        var exif = Array("Exif".utf8) + [0, 0]
        exif += [0x4D, 0x4D, 0, 42, 0, 0, 0, 8]  // big endian, first directory at 8
        exif += [0, 1]  // one entry
        exif += [0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, UInt8(orientation), 0, 0]
        exif += [0, 0, 0, 0]
        let segment: [UInt8] = [0xFF, 0xE1, UInt8((exif.count + 2) >> 8), UInt8((exif.count + 2) & 0xFF)] + exif
        let output = TestDocuments.directory(name).appendingPathComponent(name).path
        try Data(Array(bytes.prefix(2)) + segment + bytes.dropFirst(2)).write(to: URL(fileURLWithPath: output))
        return output
    }

    /// Pixels where two pages differ.
    func difference(_ a: FaxBitmap, _ b: FaxBitmap) -> Int {
        guard a.width == b.width, a.height == b.height else { return Int.max }
        return zip(a.bits, b.bits).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
    }

    @Test func progressiveGreyAndCMYKJPEGsGiveTheBaselinePage() async throws {
        let baseline = try jpeg(name: "baseline.jpg")
        let reference = try await page(baseline)
        #expect(reference.blackPixelCount > 200_000)
        let progressive = try jpegtran(["-progressive"], baseline, name: "progressive.jpg")
        #expect(try await page(progressive) == reference)
        for device in ["jpeggray", "jpegcmyk"] {
            let converted = try await page(try jpeg(device: device, name: "\(device).jpg"))
            // Different colour conversions may move an edge pixel; blocks are blocks.
            #expect(difference(converted, reference) < reference.blackPixelCount / 100, "\(device)")
        }
    }

    /// Orientation 8 (turn counterclockwise to view) happens to be what page fitting does to
    /// any landscape picture: that one looks like the untagged photo.
    @Test(arguments: [(3, "180", false), (6, "90", false), (8, "270", true)])
    func exifOrientationTurnsThePictureAsTheCameraSaid(orientation: Int, rotation: String, likeUntagged: Bool) async throws {
        let baseline = try jpeg(name: "camera.jpg")
        let tagged = try await page(try withOrientation(orientation, baseline, name: "tagged-\(orientation).jpg"))
        let turned = try await page(try jpegtran(["-rotate", rotation], baseline, name: "turned-\(rotation).jpg"))
        #expect(difference(tagged, turned) < turned.blackPixelCount / 100, "orientation \(orientation)")
        let untagged = difference(tagged, try await page(baseline))
        #expect(likeUntagged ? untagged < turned.blackPixelCount / 100 : untagged > turned.blackPixelCount / 10,
                "orientation \(orientation)")
    }

    // MARK: TIFF

    @Test func tiffLayoutsGiveTheSamePage() async throws {
        let directory = TestDocuments.directory()
        let reference = try await reference()
        var made: [String] = []
        for (layout, name) in [(TestTIFF.Layout.singleStrip, "single-strip.tif"), (.palette, "palette.tif"),
                               (.rgbaStraight, "rgba.tif"), (.grey16, "grey16.tif")] {
            let path = directory.appendingPathComponent(name).path
            try TestTIFF.write(layout, width: Self.width, height: Self.height, to: path) { UInt8(Self.grey($0, $1)) }
            made.append(path)
        }
        // Layouts libtiff's RGBA interface reads: tiles, and colour planes stored apart.
        let tiled = directory.appendingPathComponent("tiled.tif").path
        try #require(TestDocuments.runTool("tiffcp", ["-t", "-w", "16", "-l", "16", made[0], tiled]) == 0)
        let planes = directory.appendingPathComponent("planes.tif").path
        try #require(TestDocuments.runTool("tiffcp", ["-p", "separate", made[0], planes]) == 0)
        let jpegInTIFF = directory.appendingPathComponent("jpeg.tif").path
        try #require(TestDocuments.runTool("tiffcp", ["-c", "jpeg:95", "-r", "16", made[0], jpegInTIFF]) == 0)
        for path in made + [tiled, planes, jpegInTIFF] {
            let converted = try await page(path)
            let allowed = path == jpegInTIFF ? reference.blackPixelCount / 50 : 0
            #expect(difference(converted, reference) <= allowed, "\(path)")
        }
    }

    @Test func everyPageOfATIFFIsConvertedInOrder() async throws {
        let directory = TestDocuments.directory()
        let first = directory.appendingPathComponent("first.tif").path
        let second = directory.appendingPathComponent("second.tif").path
        try TestTIFF.write(.grey16, width: Self.width, height: Self.height, to: first) { UInt8(Self.grey($0, $1)) }
        try TestTIFF.write(.singleStrip, width: 200, height: 100, to: second) { x, _ in x < 100 ? 0 : 255 }
        let both = directory.appendingPathComponent("both.tif").path
        try #require(TestDocuments.runTool("tiffcp", [first, second, TestDocuments.letterTIFF, both]) == 0)
        let output = directory.appendingPathComponent("fax.tif").path
        let result = try await DocumentConverter(options: ConversionOptions(pageChop: .none)).convert([both], to: output)
        #expect(result.pagesPerDocument == [5])
        let reader = try FaxTIFFReader(path: output)
        #expect(try reader.bitmap(page: 0) == (try await reference()))
        // The landscape picture is turned a quarter counterclockwise: its black left half is
        // now the bottom half of the picture.
        let turned = try reader.bitmap(page: 1)
        let middle = turned.width / 2
        #expect(turned.isBlack(x: middle, y: turned.height * 3 / 4))
        #expect(!turned.isBlack(x: middle, y: turned.height / 4))
        // The fax pages in it stay exactly what they were.
        let letter = try FaxTIFFReader(path: TestDocuments.letterTIFF)
        for index in 0..<3 {
            #expect(try reader.bitmap(page: 2 + index) == letter.bitmap(page: index))
        }
    }

    @Test func aTIFFOrientationTagTurnsThePage() async throws {
        let directory = TestDocuments.directory()
        let upright = directory.appendingPathComponent("upright.tif").path
        try TestTIFF.write(.grey16, width: Self.width, height: Self.height, to: upright) { UInt8(Self.grey($0, $1)) }
        let reference = try await page(upright)
        let turned = directory.appendingPathComponent("turned.tif").path
        try FileManager.default.copyItem(atPath: upright, toPath: turned)
        try #require(TestDocuments.runTool("tiffset", ["-s", "274", "3", turned]) == 0)
        let converted = try await page(turned)
        // Upside down: the same pixels mirrored through the page's centre (give or take the
        // one column that centring an odd width leaves over).
        var mirrored = FaxBitmap(width: reference.width, height: reference.height, xResolution: 204, yResolution: 196)
        for y in 0..<reference.height {
            for x in 0..<reference.width where reference.isBlack(x: x, y: y) {
                mirrored.setPixel(x: reference.width - 1 - x, y: reference.height - 1 - y, black: true)
            }
        }
        #expect(difference(converted, mirrored) < reference.blackPixelCount / 50)
        #expect(difference(converted, reference) > reference.blackPixelCount / 2)
    }
}
