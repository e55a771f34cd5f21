import CTIFF
import FaxTIFF
import Foundation

/// Turns a fax TIFF into a PDF by copying each page's CCITT data into a `/CCITTFaxDecode`
/// image: no decoding, no re-encoding, so the PDF shows exactly the received pixels and is
/// about the size of the TIFF. Each page gets its size from its own resolution, so a fax
/// that mixes standard and fine pages keeps its proportions.
public enum FaxPDFWriter {
    public struct Result: Sendable, Equatable {
        public var pageCount: Int
        /// Pages whose data could not be copied as is and were re-encoded to G4
        /// (uncompressed, Modified Huffman RLE, or split over several strips), 0-based.
        public var reencodedPages: [Int]
    }

    /// Writes the PDF page by page as the TIFF is read, so a fax of any length needs one page
    /// in memory; the file appears at `pdfPath` only when it is complete.
    @discardableResult
    public static func write(tiff tiffPath: String, to pdfPath: String, title: String? = nil) throws(DocumentError) -> Result {
        let reader = try FaxTIFFReader(path: tiffPath)
        let document = try PDFDocumentWriter(path: pdfPath)
        var reencoded: [Int] = []
        for page in reader.pages {
            guard page.isBilevel else {
                throw .damaged(path: tiffPath, reason: "page \(page.index + 1) is not a black and white fax page")
            }
            let image: CCITTImage
            if let passed = try passThrough(page, of: reader) {
                image = passed
            } else {
                image = try reencode(page, of: reader)
                reencoded.append(page.index)
            }
            try document.addPage(image)
        }
        try document.finish(title: title)
        return Result(pageCount: reader.pageCount, reencodedPages: reencoded)
    }

    /// The page's CCITT data in a form a PDF filter decodes directly, or nil when it has none.
    static func passThrough(_ page: FaxTIFFPage, of reader: FaxTIFFReader) throws(DocumentError) -> CCITTImage? {
        // Strips are coded independently (each G4 strip starts from an imaginary white line),
        // so their concatenation is not one valid stream: such pages are re-encoded.
        guard page.stripCount == 1, !page.isTiled else { return nil }
        let k: Int
        var byteAligned = false
        switch page.compression {
        case Int(COMPRESSION_CCITTFAX4):
            k = -1
        case Int(COMPRESSION_CCITTFAX3):
            let options = page.group3Options
            // Uncompressed mode inside T.4 is legal but rare; PDF readers disagree on it.
            if options & Int(GROUP3OPT_UNCOMPRESSED) != 0 { return nil }
            k = options & Int(GROUP3OPT_2DENCODING) != 0 ? 1 : 0
            // T.4 fill bits are zeros before each EOL, so the row data after the EOL (and its
            // 1D/2D tag bit) is not byte aligned as PDF's EncodedByteAlign means it: the file is
            // passed with EncodedByteAlign false, and readers skip the zeros while finding the EOL.
            byteAligned = false
        default:
            return nil
        }
        var data = try reader.rawStrip(page: page.index, strip: 0)
        if page.fillOrder == Int(FILLORDER_LSB2MSB) {
            for i in data.indices { data[i] = bitReversed[Int(data[i])] }
        }
        return CCITTImage(
            width: page.width, height: page.height,
            xResolution: page.xResolution, yResolution: page.yResolution,
            k: k, encodedByteAlign: byteAligned,
            blackIs0: page.photometric == Int(PHOTOMETRIC_MINISBLACK),
            data: data)
    }

    static func reencode(_ page: FaxTIFFPage, of reader: FaxTIFFReader) throws(DocumentError) -> CCITTImage {
        let bitmap = try reader.bitmap(page: page.index)
        return try CCITTImage(g4Encoding: bitmap)
    }

    static let bitReversed: [UInt8] = (0..<256).map { value in
        var input = UInt8(value)
        var output: UInt8 = 0
        for _ in 0..<8 {
            output = (output << 1) | (input & 1)
            input >>= 1
        }
        return output
    }
}

/// One page image in CCITT encoding, with what a PDF `/DecodeParms` needs to know about it.
struct CCITTImage {
    var width: Int
    var height: Int
    var xResolution: Double
    var yResolution: Double
    /// PDF's K: -1 = G4, 0 = G3 1D, > 0 = G3 2D.
    var k: Int
    var encodedByteAlign: Bool
    /// The coded "white" runs mean black pixels (TIFF MinIsBlack).
    var blackIs0: Bool
    var data: [UInt8]

    /// Encodes a bitmap to G4 with libtiff (through a temporary one-page TIFF) and takes its strip.
    init(g4Encoding bitmap: FaxBitmap) throws(DocumentError) {
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("faxline-g4-\(UUID().uuidString).tif").path
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        try FaxTIFFWriter.write([bitmap], to: temporary)
        let reader = try FaxTIFFReader(path: temporary)
        self.init(
            width: bitmap.width, height: bitmap.height,
            xResolution: bitmap.xResolution, yResolution: bitmap.yResolution,
            k: -1, encodedByteAlign: false, blackIs0: false,
            data: try reader.rawStrip(page: 0, strip: 0))
    }

    init(width: Int, height: Int, xResolution: Double, yResolution: Double,
         k: Int, encodedByteAlign: Bool, blackIs0: Bool, data: [UInt8]) {
        self.width = width
        self.height = height
        self.xResolution = xResolution
        self.yResolution = yResolution
        self.k = k
        self.encodedByteAlign = encodedByteAlign
        self.blackIs0 = blackIs0
        self.data = data
    }
}

/// Writes a PDF of CCITT page images straight to a file, recording each object's byte offset
/// for an exact xref table. The page tree, which must list every page, is written last.
final class PDFDocumentWriter {
    private let output: BufferedFileOutput
    private var offsets: [Int: Int] = [:]
    private var pageObjects: [Int] = []
    private var nextObject = 3  // 1 = catalog, 2 = page tree

    init(path: String) throws(DocumentError) {
        output = try BufferedFileOutput(path: path)
        try append("%PDF-1.4\n")
        // A comment with high-bit bytes marks the file as binary for transfer programs.
        try output.write([0x25, 0xE2, 0xE3, 0xCF, 0xD3, 0x0A])
    }

    private func append(_ text: String) throws(DocumentError) {
        try output.write(Array(text.utf8))
    }

    private func allocate() -> Int {
        defer { nextObject += 1 }
        return nextObject
    }

    private func beginObject(_ number: Int) throws(DocumentError) {
        offsets[number] = output.offset
        try append("\(number) 0 obj\n")
    }

    private func stream(_ number: Int, dictionary: String, data: [UInt8]) throws(DocumentError) {
        try beginObject(number)
        try append("<< \(dictionary) /Length \(data.count) >>\nstream\n")
        try output.write(data)
        try append("\nendstream\nendobj\n")
    }

    func addPage(_ image: CCITTImage) throws(DocumentError) {
        let pageObject = allocate()
        let contentObject = allocate()
        let imageObject = allocate()
        let widthPoints = Double(image.width) / image.xResolution * 72
        let heightPoints = Double(image.height) / image.yResolution * 72
        let size = "\(Self.number(widthPoints)) 0 0 \(Self.number(heightPoints))"

        try beginObject(pageObject)
        try append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Self.number(widthPoints)) \(Self.number(heightPoints))]"
                   + " /Resources << /XObject << /Im0 \(imageObject) 0 R >> >> /Contents \(contentObject) 0 R >>\nendobj\n")
        try stream(contentObject, dictionary: "", data: Array("q \(size) 0 0 cm /Im0 Do Q\n".utf8))

        var parameters = "/K \(image.k) /Columns \(image.width) /Rows \(image.height)"
        if image.encodedByteAlign { parameters += " /EncodedByteAlign true" }
        let decode = image.blackIs0 ? " /Decode [1 0]" : ""
        try stream(imageObject,
                   dictionary: "/Type /XObject /Subtype /Image /Width \(image.width) /Height \(image.height)"
                       + " /ColorSpace /DeviceGray /BitsPerComponent 1\(decode)"
                       + " /Filter /CCITTFaxDecode /DecodeParms << \(parameters) >>",
                   data: image.data)
        pageObjects.append(pageObject)
    }

    /// Writes the catalog, page tree, info and xref, and moves the file into place.
    func finish(title: String?) throws(DocumentError) {
        try beginObject(1)
        try append("<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
        try beginObject(2)
        try append("<< /Type /Pages /Kids [")
        for (index, object) in pageObjects.enumerated() {
            try append(index == 0 ? "\(object) 0 R" : " \(object) 0 R")
        }
        try append("] /Count \(pageObjects.count) >>\nendobj\n")
        let infoObject = allocate()
        try beginObject(infoObject)
        var info = "/Producer (faxline)"
        if let title { info += " /Title \(Self.textString(title))" }
        try append("<< \(info) >>\nendobj\n")

        let xrefOffset = output.offset
        let objectCount = nextObject
        try append("xref\n0 \(objectCount)\n")
        // Each entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, CR LF.
        try append("0000000000 65535 f\r\n")
        for number in 1..<objectCount {
            let offset = offsets[number] ?? 0
            let digits = String(offset)
            try append(String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n\r\n")
        }
        try append("trailer\n<< /Size \(objectCount) /Root 1 0 R /Info \(infoObject) 0 R >>\nstartxref\n\(xrefOffset)\n%%EOF\n")
        try output.commit()
    }

    /// Rounded down, so a renderer at the page's own resolution gets exactly its pixel count
    /// (1728 / 204 × 72 rounded up would make pdftoppm draw a 1729th column).
    static func number(_ value: Double) -> String {
        String(format: "%.4f", (value * 10_000).rounded(.down) / 10_000)
    }

    /// A PDF text string as UTF-16BE hex, so no character of a title can end the string early.
    static func textString(_ text: String) -> String {
        var hex = "<FEFF"
        for unit in text.utf16 { hex += String(format: "%04X", unit) }
        return hex + ">"
    }
}

/// A file written through a buffer under a temporary name in its destination's directory, and
/// renamed into place by `commit`; dropped without `commit`, it is removed.
final class BufferedFileOutput {
    let path: String
    private let temporary: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private(set) var offset = 0
    private static let bufferSize = 256 << 10

    init(path: String) throws(DocumentError) {
        self.path = path
        temporary = AtomicFile.temporaryPath(for: path)
        // Opened directly: FileManager and Data.write fsync, which cost more wall time than
        // making the whole PDF (DocumentsBench); the rename already keeps readers from seeing
        // half a file.
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw .cannotWrite(path: path, reason: "cannot create a file in its directory (\(String(cString: strerror(errno))))")
        }
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporary)
        }
    }

    func write(_ bytes: [UInt8]) throws(DocumentError) {
        offset += bytes.count
        if buffer.count + bytes.count > Self.bufferSize { try flush() }
        if bytes.count >= Self.bufferSize {
            try writeFully(bytes)
        } else {
            buffer += bytes
        }
    }

    private func flush() throws(DocumentError) {
        guard !buffer.isEmpty else { return }
        try writeFully(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeFully(_ bytes: [UInt8]) throws(DocumentError) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            written += count
        }
    }

    func commit() throws(DocumentError) {
        try flush()
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .cannotWrite(path: path, reason: reason)
        }
        try AtomicFile.commit(temporary, to: path)
    }
}
