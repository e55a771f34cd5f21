import Documents
import FuzzSupport

/// The picture targets' common run: the input as a file of `type`, decoded into fax pages as a
/// conversion decodes it, with limits small enough for thousands of inputs a second.
public enum PictureChecks {
    /// Small for speed (a picture's pixels are each added to the page in Swift), still above
    /// every seed's size: larger pictures are refused by the same check a conversion makes.
    public static let maximumPixelsPerPage = 1 << 16
    public static let decoderMemoryLimit = 16 << 20
    public static let pageLimit = 4
    /// An eighth of a standard-resolution A4 page each way: placing, scaling, turning and
    /// thresholding run as on a whole page, on 1/64 of its pixels (a whole page took most of
    /// the time of every input that decoded).
    public static let format = FaxPageFormat.reduced(
        width: FaxPageFormat.width / 8, height: FaxPageFormat(resolution: .standard).height / 8, resolution: .standard)

    /// Decodes `bytes`; every page it yields is a whole page of `format`.
    @discardableResult
    public static func decode(_ bytes: [UInt8], type: DocumentType, suffix: String) -> (path: String, pages: Int) {
        let path = FuzzFile.write(bytes, suffix: suffix)
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
