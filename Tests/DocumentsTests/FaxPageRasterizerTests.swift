@testable import Documents
import Testing

@Suite struct FaxPageRasterizerTests {
    /// Feeds a bitmap to the rasterizer as grey rows.
    func rasterize(_ bitmap: FaxBitmap, format: FaxPageFormat = FaxPageFormat(), orientation: Int = 1) -> FaxBitmap {
        let placement = PicturePlacement(width: bitmap.width, height: bitmap.height, xDPI: bitmap.xResolution,
                                         yDPI: bitmap.yResolution, orientation: orientation, format: format)
        let rasterizer = FaxPageRasterizer(placement: placement, sourceWidth: bitmap.width, sourceHeight: bitmap.height, format: format)
        var row = [UInt8](repeating: 0, count: bitmap.width)
        for y in 0..<bitmap.height {
            for x in 0..<bitmap.width { row[x] = bitmap.isBlack(x: x, y: y) ? 0 : 255 }
            row.withUnsafeBufferPointer { rasterizer.add(row: y, grey: $0) }
        }
        return rasterizer.page()
    }

    func pattern(width: Int, height: Int, xDPI: Double, yDPI: Double) -> FaxBitmap {
        var bitmap = FaxBitmap(width: width, height: height, xResolution: xDPI, yResolution: yDPI)
        for y in 0..<height {
            for x in 0..<width where (x / 7 + y / 5) % 3 == 0 || x == y { bitmap.setPixel(x: x, y: y, black: true) }
        }
        return bitmap
    }

    @Test func aFaxPageComesOutPixelForPixel() {
        let page = pattern(width: 1728, height: 2292, xDPI: 204, yDPI: 196)
        #expect(rasterize(page) == page)
    }

    @Test func blackAndWhiteRowsGiveWhatTheirGreyGives() {
        // An odd width (the last byte's spare bits must not count) and both polarities.
        let picture = pattern(width: 1001, height: 733, xDPI: 150, yDPI: 150)
        let placement = PicturePlacement(width: 1001, height: 733, xDPI: 150, yDPI: 150, orientation: 5, format: FaxPageFormat())
        let ones = FaxPageRasterizer(placement: placement, sourceWidth: 1001, sourceHeight: 733, format: FaxPageFormat())
        let zeros = FaxPageRasterizer(placement: placement, sourceWidth: 1001, sourceHeight: 733, format: FaxPageFormat())
        for y in 0..<733 {
            let row = Array(picture.row(y))
            row.withUnsafeBufferPointer { ones.add(row: y, bits: $0, blackIsOne: true) }
            // White is one, with the spare bits set as well: they are not pixels.
            row.map { ~$0 }.withUnsafeBufferPointer { zeros.add(row: y, bits: $0, blackIsOne: false) }
        }
        let grey = rasterize(picture, orientation: 5)
        #expect(ones.page() == grey)
        #expect(zeros.page() == grey)
        #expect(grey.blackPixelCount > 100_000)
    }

    @Test func aReducedPageHoldsThePictureScaledToIt() {
        let format = FaxPageFormat.reduced(width: 216, height: 143, resolution: .standard)
        #expect(format.width == 216 && format.height == 143)
        // A standard-resolution fax page, its left half black, fills the small page the same way.
        var picture = FaxBitmap(width: 1728, height: 1146, xResolution: 204, yResolution: 98)
        for y in 0..<1146 {
            for x in 0..<864 { picture.setPixel(x: x, y: y, black: true) }
        }
        let page = rasterize(picture, format: format)
        #expect(page.width == 216 && page.height == 143)
        #expect((0..<143).allSatisfy { y in (0..<216).allSatisfy { x in page.isBlack(x: x, y: y) == (x < 108) } })
        // Never larger than a fax page, never empty.
        let clamped = FaxPageFormat.reduced(width: 5000, height: 0, resolution: .fine)
        #expect(clamped.width == FaxPageFormat.width && clamped.height == 1)
    }

    @Test func aStandardResolutionPageHasEachRowTwice() {
        let standard = pattern(width: 1728, height: 1146, xDPI: 204, yDPI: 98)
        let fine = rasterize(standard)
        #expect(fine.height == 2292)
        #expect((0..<1146).allSatisfy { fine.row(2 * $0) == standard.row($0) && fine.row(2 * $0 + 1) == standard.row($0) })
    }

    @Test func halvingAveragesEachBlockOfFour() {
        // 3456 × 4584 at twice the fax resolution: every 2×2 block becomes one pixel, black
        // when three or four of its pixels are (the average is darker than half), white at two.
        var bitmap = FaxBitmap(width: 3456, height: 4584, xResolution: 408, yResolution: 392)
        for block in 0..<3 {
            let x = 2 * block, y = 0
            for pixel in 0..<(block + 2) { bitmap.setPixel(x: x + pixel % 2, y: y + pixel / 2, black: true) }
        }
        let page = rasterize(bitmap)
        #expect(page.width == 1728 && page.height == 2292)
        #expect(!page.isBlack(x: 0, y: 0))
        #expect(page.isBlack(x: 1, y: 0))
        #expect(page.isBlack(x: 2, y: 0))
        #expect(page.blackPixelCount == 2)
    }

    @Test func orientationsCompose() {
        #expect(PictureTransform(orientation: 6).followed(by: PictureTransform(orientation: 8)) == .identity)
        #expect(PictureTransform(orientation: 3).followed(by: PictureTransform(orientation: 3)) == .identity)
        #expect(PictureTransform(orientation: 6).followed(by: PictureTransform(orientation: 6)) == PictureTransform(orientation: 3))
        // A quarter turn counterclockwise takes the top-left corner to the bottom-left.
        let turned = PictureTransform.quarterTurnCounterclockwise.apply(x: 0, y: 0, width: 4, height: 3)
        #expect(turned.x == 0 && turned.y == 3)
        // Orientation 6 (turn clockwise to view): the stored top-left is seen at the top-right.
        let six = PictureTransform(orientation: 6).apply(x: 0, y: 0, width: 4, height: 3)
        #expect(six.x == 2 && six.y == 0)
    }

    @Test func landscapePicturesAreTurnedAndSquareOnesAreNot() {
        let format = FaxPageFormat()
        let landscape = PicturePlacement(width: 300, height: 200, xDPI: 1, yDPI: 1, orientation: 1, format: format)
        #expect(landscape.transform == .quarterTurnCounterclockwise)
        #expect(landscape.height == 2292)
        let square = PicturePlacement(width: 200, height: 200, xDPI: 1, yDPI: 1, orientation: 1, format: format)
        #expect(square.transform == .identity)
        #expect(square.width == 1728 && square.left == 0)
        // A picture stored sideways (orientation 6) is seen portrait: no further turn.
        let camera = PicturePlacement(width: 300, height: 200, xDPI: 1, yDPI: 1, orientation: 6, format: format)
        #expect(camera.transform == PictureTransform(orientation: 6))
    }

    @Test func exifOrientationIsReadInBothByteOrders() {
        func exif(_ bytes: [UInt8]) -> Int {
            (Array("Exif".utf8) + [0, 0] + bytes).withUnsafeBufferPointer { ExifOrientation.parse($0) }
        }
        let big: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]
        let little: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0]
        #expect(exif(big) == 6)
        #expect(exif(little) == 8)
        #expect(exif(Array(big.prefix(14))) == 1)
        #expect(exif([0x4D, 0x4D, 0, 42, 0xFF, 0xFF, 0xFF, 0xF0]) == 1)
    }
}
