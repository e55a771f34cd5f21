import CTIFF
import Foundation

/// One page of a fax TIFF, as the engine needs to know it before a call.
public struct FaxPageInfo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Dots per inch, as written in the file.
    public var xResolution: Double
    public var yResolution: Double
    public var compression: Int
}

/// Reads a fax TIFF's page list, and says clearly why a file cannot be sent, before any call.
public enum FaxTIFFInspector {
    /// Page widths that T.30 can carry (A4, B4, A3 at 8 dots/mm).
    public static let faxWidths: Set<Int> = [1728, 2048, 2432]
    /// A sane upper bound; a fax page is under 5000 rows even at superfine on legal paper.
    public static let maximumRows = 12_000
    public static let maximumPages = 1_000

    public static func pages(of path: String) throws(FaxEngineError) -> [FaxPageInfo] {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .unreadableDocument(path: path, reason: "the file does not exist or cannot be read")
        }
        TIFFErrors.silence()
        guard let tiff = TIFFOpen(path, "r") else {
            throw .unreadableDocument(path: path, reason: "not a TIFF file")
        }
        defer { TIFFClose(tiff) }

        var pages: [FaxPageInfo] = []
        repeat {
            let number = pages.count + 1
            var width: UInt32 = 0
            var height: UInt32 = 0
            var bitsPerSample: UInt16 = 1
            var samplesPerPixel: UInt16 = 1
            var compression: UInt16 = 1
            var xResolution: Float = 0
            var yResolution: Float = 0
            guard faxline_tiff_get_u32(tiff, UInt32(TIFFTAG_IMAGEWIDTH), &width) == 1,
                  faxline_tiff_get_u32(tiff, UInt32(TIFFTAG_IMAGELENGTH), &height) == 1
            else {
                throw .unreadableDocument(path: path, reason: "page \(number) has no image size")
            }
            _ = faxline_tiff_get_defaulted_u16(tiff, UInt32(TIFFTAG_BITSPERSAMPLE), &bitsPerSample)
            _ = faxline_tiff_get_defaulted_u16(tiff, UInt32(TIFFTAG_SAMPLESPERPIXEL), &samplesPerPixel)
            _ = faxline_tiff_get_defaulted_u16(tiff, UInt32(TIFFTAG_COMPRESSION), &compression)
            _ = faxline_tiff_get_float(tiff, UInt32(TIFFTAG_XRESOLUTION), &xResolution)
            _ = faxline_tiff_get_float(tiff, UInt32(TIFFTAG_YRESOLUTION), &yResolution)

            guard bitsPerSample == 1, samplesPerPixel == 1 else {
                throw .unreadableDocument(path: path, reason: "page \(number) is not black and white (convert it to fax pages first)")
            }
            guard faxWidths.contains(Int(width)) else {
                throw .unreadableDocument(path: path, reason: "page \(number) is \(width) pixels wide; a fax page is 1728, 2048 or 2432")
            }
            guard height > 0, Int(height) <= maximumRows else {
                throw .unreadableDocument(path: path, reason: "page \(number) has \(height) rows")
            }
            guard xResolution > 0, yResolution > 0 else {
                throw .unreadableDocument(path: path, reason: "page \(number) has no resolution")
            }
            try decodeEveryStrip(of: tiff, page: number, path: path)
            pages.append(FaxPageInfo(
                width: Int(width), height: Int(height),
                xResolution: Double(xResolution), yResolution: Double(yResolution),
                compression: Int(compression)))
            guard pages.count <= maximumPages else {
                throw .unreadableDocument(path: path, reason: "more than \(maximumPages) pages")
            }
        } while TIFFReadDirectory(tiff) == 1

        return pages
    }

    /// A header can be intact while the image data is cut short; spandsp would then fail in the
    /// middle of the call, so every strip is decoded once here.
    private static func decodeEveryStrip(of tiff: OpaquePointer, page: Int, path: String) throws(FaxEngineError) {
        let stripSize = TIFFStripSize(tiff)
        guard stripSize > 0 else {
            throw .unreadableDocument(path: path, reason: "page \(page) has no image data")
        }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Int(stripSize), alignment: 8)
        defer { buffer.deallocate() }
        for strip in 0..<TIFFNumberOfStrips(tiff) {
            if TIFFReadEncodedStrip(tiff, strip, buffer, -1) < 0 {
                throw .unreadableDocument(path: path, reason: "page \(page) is damaged (strip \(strip) cannot be decoded)")
            }
        }
    }
}

/// libtiff reports to stderr unless told otherwise; the engine reports through its own errors.
enum TIFFErrors {
    static func silence() {
        faxline_tiff_route_messages(nil)
    }
}
