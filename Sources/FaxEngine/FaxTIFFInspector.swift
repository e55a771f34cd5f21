import CTIFF
import FaxTIFF
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
///
/// The check is cheap on purpose (directories, sizes, encoding, resolution, and that every
/// strip lies inside the file — nothing is decoded): it runs before every call, while the
/// document itself was fully decoded and re-encoded once, when it was converted at submission.
public enum FaxTIFFInspector {
    /// Page widths that T.30 can carry (A4, B4, A3 at 8 dots/mm).
    public static let faxWidths: Set<Int> = [1728, 2048, 2432]
    /// A sane upper bound; a fax page is under 5000 rows even at superfine on legal paper.
    public static let maximumRows = 12_000
    public static let maximumPages = 1_000

    public static func pages(of path: String) throws(FaxEngineError) -> [FaxPageInfo] {
        TIFFErrors.silence()
        let layouts: [FaxTIFFPage]
        do {
            let file = try TIFFFile(reading: path)
            layouts = try TIFFDirectories.pages(of: file, limit: maximumPages, checkData: true)
        } catch {
            switch error.kind {
            case .notTIFF: throw .unreadableDocument(path: path, reason: "not a TIFF file")
            default: throw .unreadableDocument(path: path, reason: error.reason)
            }
        }
        var pages: [FaxPageInfo] = []
        for page in layouts {
            let number = page.index + 1
            guard page.isBilevel else {
                throw .unreadableDocument(path: path, reason: "page \(number) is not black and white (convert it to fax pages first)")
            }
            guard faxWidths.contains(page.width) else {
                throw .unreadableDocument(path: path, reason: "page \(number) is \(page.width) pixels wide; a fax page is 1728, 2048 or 2432")
            }
            guard page.height <= maximumRows else {
                throw .unreadableDocument(path: path, reason: "page \(number) has \(page.height) rows")
            }
            guard page.hasResolution else {
                throw .unreadableDocument(path: path, reason: "page \(number) has no resolution")
            }
            guard !page.isTiled else {
                throw .unreadableDocument(path: path, reason: "page \(number) is stored in tiles (convert it to fax pages first)")
            }
            pages.append(FaxPageInfo(width: page.width, height: page.height,
                                     xResolution: page.xResolution, yResolution: page.yResolution,
                                     compression: page.compression))
        }
        return pages
    }
}

/// libtiff reports to stderr unless told otherwise; spandsp's own TIFF reading goes through
/// libtiff's process-wide handler, so it is silenced here (the engine reports its own errors).
enum TIFFErrors {
    static func silence() {
        faxline_tiff_route_messages(nil)
    }
}
