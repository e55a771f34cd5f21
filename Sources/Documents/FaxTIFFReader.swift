import CTIFF

/// Reads a fax TIFF (any CCITT or uncompressed bilevel encoding) page by page, for comparisons,
/// page chop and re-encoding. Colour and grey pages are reported by `pages` but not decoded here.
public final class FaxTIFFReader {
    public let path: String
    public let pages: [FaxTIFFPage]
    private let file: TIFFFile

    /// Pages beyond this are refused, so a hostile file cannot make us walk millions of directories.
    public static let maximumPages = 2_000

    public init(path: String) throws(DocumentError) {
        self.path = path
        let file = try TIFFFile(reading: path)
        var pages: [FaxTIFFPage] = []
        var index = 0
        repeat {
            pages.append(try file.pageLayout(index: index))
            index += 1
            guard index <= Self.maximumPages else {
                throw .tooManyPages(path: path, limit: Self.maximumPages)
            }
        } while TIFFReadDirectory(file.handle) == 1
        self.pages = pages
        self.file = file
    }

    public var pageCount: Int { pages.count }

    /// Decodes page `index` (0-based) into 1-bit rows, 1 = black whatever the file's photometric.
    public func bitmap(page index: Int) throws(DocumentError) -> FaxBitmap {
        guard pages.indices.contains(index) else {
            throw .invalidOption("page \(index + 1) of \(pages.count) requested from \(path)")
        }
        let page = pages[index]
        guard page.isBilevel else {
            throw .damaged(path: path, reason: "page \(index + 1) is not black and white")
        }
        try file.select(page: index)
        var bitmap = FaxBitmap(width: page.width, height: page.height,
                               xResolution: page.xResolution, yResolution: page.yResolution)
        let scanlineSize = Int(TIFFScanlineSize(file.handle))
        guard scanlineSize >= bitmap.bytesPerRow else {
            throw .damaged(path: path, reason: "page \(index + 1) has inconsistent rows")
        }
        var scanline = [UInt8](repeating: 0, count: scanlineSize)
        let invert = page.photometric == Int(PHOTOMETRIC_MINISBLACK)
        for y in 0..<page.height {
            let status = scanline.withUnsafeMutableBytes { buffer in
                TIFFReadScanline(file.handle, buffer.baseAddress, UInt32(y), 0)
            }
            guard status == 1 else {
                throw .damaged(path: path, reason: "page \(index + 1) row \(y + 1) cannot be decoded")
            }
            if invert {
                for i in scanline.indices { scanline[i] = ~scanline[i] }
            }
            bitmap.setRow(y, scanline)
        }
        return bitmap
    }

    public func bitmaps() throws(DocumentError) -> [FaxBitmap] {
        var result: [FaxBitmap] = []
        for index in pages.indices { result.append(try bitmap(page: index)) }
        return result
    }

    /// True when both files have the same number of pages with the same pixels.
    public func pagesEqual(_ other: FaxTIFFReader) throws(DocumentError) -> Bool {
        guard pageCount == other.pageCount else { return false }
        for index in pages.indices where try bitmap(page: index) != other.bitmap(page: index) {
            return false
        }
        return true
    }

    /// Raw compressed strip of a page, for the PDF writer's pass-through.
    func rawStrip(page index: Int, strip: Int) throws(DocumentError) -> [UInt8] {
        try file.select(page: index)
        return try file.rawStrip(strip)
    }
}
