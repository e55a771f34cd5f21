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
        file.setFaxPageTags(width: page.width, height: page.height, xResolution: Float(page.xResolution),
                            yResolution: Float(page.yResolution), number: number, total: total, software: software)
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
