import Documents
import FaxTIFF
import FuzzSupport
import PictureFuzzSupport

// A TIFF, read the three ways Faxline reads one: as a picture submitted for faxing
// (TIFFPicture: every page decoded into a fax page), as a fax TIFF (FaxTIFFReader: the page
// walk, then each black-and-white page's rows), and checked before sending
// (TIFFDirectories with its strips checked against the file size). The input is the whole file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTIFF(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let (path, _) = PictureChecks.decode(FuzzInput.bytes(start, count), type: .tiff, suffix: ".tif")

    if let reader = try? FaxTIFFReader(path: path) {
        fuzzCheck(!reader.pages.isEmpty && reader.pageCount <= FaxTIFFReader.maximumPages, "\(reader.pageCount) pages")
        for page in reader.pages.prefix(PictureChecks.pageLimit) {
            fuzzCheck(page.width > 0 && page.height > 0, "page \(page.index + 1) is \(page.width)×\(page.height)")
            // Pages of up to a million pixels are decoded; larger ones only where they must be
            // refused (over the bitmap limit): decoding those in between takes seconds each.
            let (pixels, overflow) = page.width.multipliedReportingOverflow(by: page.height)
            guard overflow || pixels <= PictureChecks.maximumPixelsPerPage || pixels > FaxBitmap.maximumPixels else { continue }
            if let bitmap = try? reader.bitmap(page: page.index) {
                fuzzCheck(bitmap.width == page.width && bitmap.height == page.height, "page \(page.index + 1) decoded at another size")
            }
        }
    }

    if let file = try? TIFFFile(reading: path),
       let pages = try? TIFFDirectories.pages(of: file, limit: PictureChecks.pageLimit, checkData: true) {
        fuzzCheck(!pages.isEmpty && pages.count <= PictureChecks.pageLimit, "\(pages.count) pages")
    }
    return 0
}
