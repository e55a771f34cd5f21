import CTIFF
import Foundation

/// The decoded pixels of one fax TIFF page, to compare what was sent with what was received.
public struct FaxPageRaster: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// Packed rows, 1 bit per pixel, normalised so that 1 is black.
    public var rows: [UInt8]

    /// Every page of a TIFF file, whatever its compression.
    public static func pages(of path: String) throws -> [FaxPageRaster] {
        faxline_tiff_route_messages(nil)
        guard let tiff = TIFFOpen(path, "r") else { throw RasterError.cannotOpen(path) }
        defer { TIFFClose(tiff) }
        var pages: [FaxPageRaster] = []
        repeat {
            var width: UInt32 = 0
            var height: UInt32 = 0
            var photometric: UInt16 = 0
            _ = faxline_tiff_get_u32(tiff, UInt32(TIFFTAG_IMAGEWIDTH), &width)
            _ = faxline_tiff_get_u32(tiff, UInt32(TIFFTAG_IMAGELENGTH), &height)
            _ = faxline_tiff_get_defaulted_u16(tiff, UInt32(TIFFTAG_PHOTOMETRIC), &photometric)
            let rowBytes = Int(TIFFScanlineSize(tiff))
            var rows = [UInt8](repeating: 0, count: rowBytes * Int(height))
            try rows.withUnsafeMutableBytes { buffer in
                for row in 0..<Int(height) {
                    guard TIFFReadScanline(tiff, buffer.baseAddress! + row * rowBytes, UInt32(row), 0) == 1 else {
                        throw RasterError.damaged(path, page: pages.count + 1, row: row)
                    }
                }
            }
            // Photometric 0 (min-is-white) is the fax convention: 1 is black. Invert the others.
            if photometric != 0 {
                for index in rows.indices { rows[index] = ~rows[index] }
            }
            pages.append(FaxPageRaster(width: Int(width), height: Int(height), rows: rows))
        } while TIFFReadDirectory(tiff) == 1
        return pages
    }

    /// Share of black pixels, to tell a page with text from a blank one.
    public var blackShare: Double {
        let black = rows.reduce(0) { $0 + $1.nonzeroBitCount }
        return Double(black) / Double(max(width * height, 1))
    }

    public enum RasterError: Error, CustomStringConvertible {
        case cannotOpen(String)
        case damaged(String, page: Int, row: Int)

        public var description: String {
            switch self {
            case .cannotOpen(let path): "cannot open \(path) as TIFF"
            case .damaged(let path, let page, let row): "\(path): page \(page) row \(row) cannot be decoded"
            }
        }
    }
}
