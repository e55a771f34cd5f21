import CTIFF
import Foundation

/// Writes fax pages as a TIFF class F file: 1-bit, CCITT G4, MinIsWhite, one strip per page.
public enum FaxTIFFWriter {
    /// Writes to a temporary file next to `path`, then renames it, so readers never see half a file.
    public static func write(_ pages: [FaxBitmap], to path: String) throws(DocumentError) {
        guard !pages.isEmpty else { throw .invalidOption("no pages to write to \(path)") }
        let temporary = AtomicFile.temporaryPath(for: path)
        do {
            try writeDirectly(pages, to: temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        try AtomicFile.commit(temporary, to: path)
    }

    static func writeDirectly(_ pages: [FaxBitmap], to path: String, software: String = "faxline") throws(DocumentError) {
        let file = try TIFFFile(writing: path)
        let handle = file.handle
        for (number, page) in pages.enumerated() {
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
            _ = faxline_tiff_set_page_number(handle, UInt16(number), UInt16(pages.count))
            _ = faxline_tiff_set_string(handle, UInt32(TIFFTAG_SOFTWARE), software)
            var row = [UInt8](repeating: 0, count: page.bytesPerRow)
            for y in 0..<page.height {
                let slice = page.row(y)
                for (offset, byte) in slice.enumerated() { row[offset] = byte }
                let status = row.withUnsafeMutableBytes { buffer in
                    TIFFWriteScanline(handle, buffer.baseAddress, UInt32(y), 0)
                }
                guard status == 1 else {
                    throw .cannotWrite(path: path, reason: "page \(number + 1) row \(y + 1) cannot be encoded")
                }
            }
            guard TIFFWriteDirectory(handle) == 1 else {
                throw .cannotWrite(path: path, reason: "page \(number + 1) cannot be written")
            }
        }
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

    static func write(_ bytes: [UInt8], to path: String) throws(DocumentError) {
        let temporary = temporaryPath(for: path)
        // Not FileManager.createFile or Data.write: they fsync, which cost more wall time than
        // making the whole PDF (DocumentsBench); the rename below already keeps readers from
        // seeing half a file.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw .cannotWrite(path: path, reason: "cannot create a file in its directory (\(String(cString: strerror(errno))))")
        }
        do {
            try FileHandle(fileDescriptor: descriptor, closeOnDealloc: true).write(contentsOf: Data(bytes))
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw .cannotWrite(path: path, reason: "cannot write (\(error.localizedDescription))")
        }
        try commit(temporary, to: path)
    }
}
