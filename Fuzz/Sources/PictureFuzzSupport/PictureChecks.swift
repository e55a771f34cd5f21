import Documents
import FuzzSupport

/// The picture targets' common run: the input as a file of `type`, decoded into fax pages as a
/// conversion decodes it, with limits small enough for thousands of inputs a second.
public enum PictureChecks {
    /// Small for speed, still above every seed's size.
    public static let maximumPixelsPerPage = 1 << 20
    public static let decoderMemoryLimit = 16 << 20
    public static let pageLimit = 4

    /// Decodes `bytes`; every page it yields is a whole fax page.
    @discardableResult
    public static func decode(_ bytes: [UInt8], type: DocumentType, suffix: String) -> (path: String, pages: Int) {
        let path = FuzzFile.write(bytes, suffix: suffix)
        // Standard resolution: half the rows of a fine page to rasterize, every code path the same.
        let format = FaxPageFormat(resolution: .standard)
        do {
            let pages = try PictureDecoding.pages(
                of: path, type: type, format: format, maximumPixelsPerPage: maximumPixelsPerPage,
                decoderMemoryLimit: decoderMemoryLimit, pageLimit: pageLimit)
            fuzzCheck(!pages.isEmpty && pages.count <= pageLimit, "\(pages.count) pages decoded")
            for page in pages {
                fuzzCheck(page.width == format.width && page.height > 0, "a \(page.width)×\(page.height) fax page")
            }
            return (path, pages.count)
        } catch {
            // Users read this message: plain words, never empty.
            fuzzCheck(!error.description.isEmpty, "an empty error message")
            return (path, 0)
        }
    }
}
