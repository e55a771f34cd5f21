import CTIFF
import FaxTIFF

/// Reads a fax TIFF (any CCITT or uncompressed bilevel encoding) page by page, for comparisons,
/// page chop and re-encoding. Colour and grey pages are reported by `pages` but not decoded here.
public final class FaxTIFFReader {
    public let path: String
    public let pages: [FaxTIFFPage]
    let file: TIFFFile

    /// Pages beyond this are refused, so a hostile file cannot make us walk millions of directories.
    public static let maximumPages = 2_000

    public convenience init(path: String) throws(DocumentError) {
        try self.init(path: path, pageLimit: Self.maximumPages)
    }

    /// More than `pageLimit` pages is `tooManyPages` with that limit, found before any page is decoded.
    init(path: String, pageLimit: Int) throws(DocumentError) {
        self.path = path
        do {
            file = try TIFFFile(reading: path)
            pages = try TIFFDirectories.pages(of: file, limit: pageLimit)
        } catch {
            throw DocumentError(error, path: path)
        }
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
        // Overflow-checked: libtiff accepts a header of 4294967295 × 4294967295.
        let (pixels, overflow) = page.width.multipliedReportingOverflow(by: page.height)
        guard !overflow, pixels <= FaxBitmap.maximumPixels else {
            throw .tooLarge(path: path, reason: "page \(index + 1) is \(page.width)×\(page.height) pixels; a fax page has at most \(FaxBitmap.maximumPixels)")
        }
        var bitmap = FaxBitmap(width: page.width, height: page.height,
                               xResolution: page.xResolution, yResolution: page.yResolution)
        try BilevelRows(file: file, page: page).read { y, row in bitmap.setRow(y, row) }
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
        do {
            try file.select(page: index)
            return try file.rawStrip(strip)
        } catch {
            throw DocumentError(error, path: path)
        }
    }
}

/// The rows of one black and white page, decoded by libtiff one at a time, as packed bits with
/// 1 = black (MinIsBlack pages are inverted).
struct BilevelRows {
    let file: TIFFFile
    let page: FaxTIFFPage

    func read(_ body: (Int, UnsafeBufferPointer<UInt8>) throws(DocumentError) -> Void) throws(DocumentError) {
        do {
            try file.select(page: page.index)
        } catch {
            throw DocumentError(error, path: file.path)
        }
        guard !page.isTiled else {
            throw .damaged(path: file.path, reason: "page \(page.index + 1) is stored in tiles, which fax pages never are")
        }
        let bytesPerRow = (page.width + 7) / 8
        let scanlineSize = Int(TIFFScanlineSize(file.handle))
        guard scanlineSize >= bytesPerRow else {
            throw .damaged(path: file.path, reason: "page \(page.index + 1) has inconsistent rows")
        }
        let scanline = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: scanlineSize)
        defer { scanline.deallocate() }
        let invert = page.photometric == Int(PHOTOMETRIC_MINISBLACK)
        for y in 0..<page.height {
            guard TIFFReadScanline(file.handle, scanline.baseAddress, UInt32(y), 0) == 1 else {
                let detail = file.lastError.map { ": \($0)" } ?? ""
                throw .damaged(path: file.path, reason: "page \(page.index + 1) row \(y + 1) cannot be decoded\(detail)")
            }
            if invert {
                for i in 0..<bytesPerRow { scanline[i] = ~scanline[i] }
            }
            try body(y, UnsafeBufferPointer(rebasing: scanline[0..<bytesPerRow]))
        }
    }
}

extension DocumentError {
    /// A TIFF problem, named for the file it is about.
    init(_ error: TIFFReadError, path: String) {
        switch error.kind {
        case .unreadable: self = .unreadable(path: path, reason: error.reason)
        case .notTIFF, .damaged: self = .damaged(path: path, reason: error.reason)
        case .tooManyPages(let limit): self = .tooManyPages(path: path, limit: limit)
        case .cannotCreate: self = .cannotWrite(path: path, reason: error.reason)
        }
    }
}
