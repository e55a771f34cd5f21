import CTIFF
import FaxTIFF
import Foundation

/// Writes fax pages as a TIFF class F file: 1-bit, CCITT G4, MinIsWhite, one strip per page.
/// Pages are encoded as they are appended, so a document of any length needs one page in
/// memory. The file is written next to `path` under a temporary name and renamed into place by
/// `commit`, so readers never see half a file; dropped without `commit`, it leaves nothing.
public final class FaxTIFFWriter {
    public let path: String
    private let temporary: String
    private var file: TIFFFile?
    private var committed = false
    public private(set) var pageCount = 0

    public init(path: String) throws(DocumentError) {
        self.path = path
        temporary = AtomicFile.temporaryPath(for: path)
        do {
            file = try TIFFFile(writing: temporary)
        } catch {
            throw DocumentError(error, path: path)
        }
    }

    deinit {
        file = nil
        if !committed { try? FileManager.default.removeItem(atPath: temporary) }
    }

    /// Appends one page. `total` is the document's page count when known (the TIFF page number
    /// tag says "page n of total"; 0 means not known yet).
    public func append(_ page: FaxBitmap, total: Int = 0, software: String = "faxline") throws(DocumentError) {
        guard let file else { throw .invalidOption("pages appended to \(path) after it was committed") }
        let handle = file.handle
        let number = pageCount + 1
        _ = faxline_tiff_set_u32(handle, UInt32(TIFFTAG_SUBFILETYPE), UInt32(FILETYPE_PAGE))
        _ = faxline_tiff_set_u32(handle, UInt32(TIFFTAG_IMAGEWIDTH), UInt32(page.width))
        _ = faxline_tiff_set_u32(handle, UInt32(TIFFTAG_IMAGELENGTH), UInt32(page.height))
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_BITSPERSAMPLE), 1)
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_SAMPLESPERPIXEL), 1)
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_COMPRESSION), UInt16(COMPRESSION_CCITTFAX4))
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_PHOTOMETRIC), UInt16(PHOTOMETRIC_MINISWHITE))
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_FILLORDER), UInt16(FILLORDER_MSB2LSB))
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_PLANARCONFIG), UInt16(PLANARCONFIG_CONTIG))
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_RESOLUTIONUNIT), UInt16(RESUNIT_INCH))
        _ = faxline_tiff_set_float(handle, UInt32(TIFFTAG_XRESOLUTION), Float(page.xResolution))
        _ = faxline_tiff_set_float(handle, UInt32(TIFFTAG_YRESOLUTION), Float(page.yResolution))
        _ = faxline_tiff_set_u32(handle, UInt32(TIFFTAG_ROWSPERSTRIP), UInt32(page.height))
        _ = faxline_tiff_set_page_number(handle, UInt16(clamping: number - 1), UInt16(clamping: total))
        _ = faxline_tiff_set_string(handle, UInt32(TIFFTAG_SOFTWARE), software)
        var row = [UInt8](repeating: 0, count: page.bytesPerRow)
        for y in 0..<page.height {
            let slice = page.row(y)
            for (offset, byte) in slice.enumerated() { row[offset] = byte }
            let status = row.withUnsafeMutableBytes { buffer in
                TIFFWriteScanline(handle, buffer.baseAddress, UInt32(y), 0)
            }
            guard status == 1 else {
                throw .cannotWrite(path: path, reason: "page \(number) row \(y + 1) cannot be encoded")
            }
        }
        guard TIFFWriteDirectory(handle) == 1 else {
            throw .cannotWrite(path: path, reason: "page \(number) cannot be written (\(file.lastError ?? "disk full?"))")
        }
        pageCount = number
    }

    /// Closes the file and moves it into place.
    public func commit() throws(DocumentError) {
        guard pageCount > 0 else { throw .invalidOption("no pages to write to \(path)") }
        file = nil
        try AtomicFile.commit(temporary, to: path)
        committed = true
    }

    /// Writes `pages` to `path` in one go.
    public static func write(_ pages: [FaxBitmap], to path: String) throws(DocumentError) {
        guard !pages.isEmpty else { throw .invalidOption("no pages to write to \(path)") }
        let writer = try FaxTIFFWriter(path: path)
        for page in pages { try writer.append(page, total: pages.count) }
        try writer.commit()
    }
}

/// Write-to-temporary-then-rename, in the destination's own directory so the rename is atomic.
enum AtomicFile {
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        return directory + "/." + url.lastPathComponent + "." + UUID().uuidString + ".tmp"
    }

    static func commit(_ temporary: String, to path: String) throws(DocumentError) {
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw .cannotWrite(path: path, reason: reason)
        }
    }
}
