/// A picture file decoded into fax pages as a conversion decodes it — libtiff, libpng or
/// libjpeg-turbo, the size checks, the rasterizer — with limits the caller chooses and no time
/// limit. File in, pages or a ``DocumentError`` out: the entry of the picture fuzz targets.
public enum PictureDecoding {
    /// Decodes every page of `path` (at most `pageLimit`), each page over
    /// `maximumPixelsPerPage` or a decoder allocation over `decoderMemoryLimit` refused.
    public static func pages(of path: String, type: DocumentType, format: FaxPageFormat = FaxPageFormat(),
                             maximumPixelsPerPage: Int, decoderMemoryLimit: Int,
                             pageLimit: Int) throws(DocumentError) -> [FaxBitmap] {
        var pages: [FaxBitmap] = []
        _ = try PictureConverter.decode(
            path, type: type,
            limits: PictureLimits(maximumPixelsPerPage: maximumPixelsPerPage, decoderMemory: decoderMemoryLimit),
            format: format, pageLimit: pageLimit, reportedLimit: pageLimit,
            deadline: PictureDeadline(path: path, seconds: 0)) { (page) throws(DocumentError) in
            pages.append(page)
        }
        return pages
    }
}
