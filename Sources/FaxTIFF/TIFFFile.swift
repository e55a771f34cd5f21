import CTIFF
import Foundation

/// Owner of one open libtiff handle; closes it when dropped. Files are opened with libtiff's
/// cap on any single allocation, so a header that declares a huge strip or tile table fails
/// cleanly instead of allocating it, and each handle keeps its own last error for messages.
public final class TIFFFile {
    public let handle: OpaquePointer
    public let path: String
    private let messages: UnsafeMutablePointer<faxline_tiff_messages>

    /// What libtiff may allocate at once for one file (a strip, a tile, a directory's arrays).
    public static let defaultMaximumAllocation = 64 << 20

    /// `mapped`: libtiff may read the file through a memory mapping (fast for fax pages; for a
    /// large uncompressed picture the mapped pages would count as the process's own memory).
    public init(reading path: String, maximumAllocation: Int = TIFFFile.defaultMaximumAllocation,
                mapped: Bool = true) throws(TIFFReadError) {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw TIFFReadError(.unreadable, "the file does not exist or cannot be read")
        }
        let messages = Self.makeMessages()
        guard let handle = faxline_tiff_open(path, mapped ? "r" : "rm", messages, Int64(maximumAllocation)) else {
            messages.deallocate()
            throw TIFFReadError(.notTIFF, "not a readable TIFF file")
        }
        self.handle = handle
        self.path = path
        self.messages = messages
    }

    public init(writing path: String) throws(TIFFReadError) {
        let messages = Self.makeMessages()
        guard let handle = faxline_tiff_open(path, "w", messages, Int64(Self.defaultMaximumAllocation)) else {
            let reason = String(cString: strerror(errno))
            messages.deallocate()
            throw TIFFReadError(.cannotCreate, "libtiff cannot create the file (\(reason))")
        }
        self.handle = handle
        self.path = path
        self.messages = messages
    }

    private static func makeMessages() -> UnsafeMutablePointer<faxline_tiff_messages> {
        let messages = UnsafeMutablePointer<faxline_tiff_messages>.allocate(capacity: 1)
        messages.initialize(to: faxline_tiff_messages())
        return messages
    }

    deinit {
        TIFFClose(handle)
        messages.deallocate()
    }

    /// libtiff's last complaint about this file, for an error message; nil when it had none.
    public var lastError: String? {
        let text = withUnsafeBytes(of: messages.pointee.last_error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return text.isEmpty ? nil : text
    }

    /// Size of the file on disk, for checking that image data lies inside it.
    public var fileSize: UInt64 {
        var status = stat()
        guard fstat(TIFFFileno(handle), &status) == 0 else { return 0 }
        return UInt64(status.st_size)
    }

    public func select(page index: Int) throws(TIFFReadError) {
        guard TIFFSetDirectory(handle, tdir_t(index)) == 1 else {
            throw TIFFReadError(.damaged, "page \(index + 1) cannot be read")
        }
    }

    public func u32(_ tag: Int32) -> UInt32? {
        var value: UInt32 = 0
        return faxline_tiff_get_u32(handle, UInt32(tag), &value) == 1 ? value : nil
    }

    public func u16(_ tag: Int32) -> UInt16? {
        var value: UInt16 = 0
        return faxline_tiff_get_u16(handle, UInt32(tag), &value) == 1 ? value : nil
    }

    public func float(_ tag: Int32) -> Float? {
        var value: Float = 0
        return faxline_tiff_get_float(handle, UInt32(tag), &value) == 1 ? value : nil
    }

    public func defaultedU16(_ tag: Int32) -> UInt16 {
        var value: UInt16 = 0
        _ = faxline_tiff_get_defaulted_u16(handle, UInt32(tag), &value)
        return value
    }

    public func defaultedU32(_ tag: Int32) -> UInt32 {
        var value: UInt32 = 0
        _ = faxline_tiff_get_defaulted_u32(handle, UInt32(tag), &value)
        return value
    }

    /// Offsets and byte counts of the current page's strips (or tiles), owned by libtiff.
    func chunkTable(_ tag: Int32) -> UnsafeMutablePointer<UInt64>? {
        var values: UnsafeMutablePointer<UInt64>?
        return faxline_tiff_get_strips(handle, UInt32(tag), &values) == 1 ? values : nil
    }

    /// The raw (still compressed) bytes of one strip of the current page, at most `limit` bytes.
    public func rawStrip(_ strip: Int, limit: Int = TIFFFile.defaultMaximumAllocation) throws(TIFFReadError) -> [UInt8] {
        guard let counts = chunkTable(TIFFTAG_STRIPBYTECOUNTS), strip < Int(faxline_tiff_chunk_count(handle)) else {
            throw TIFFReadError(.damaged, "no strip byte counts")
        }
        let size = counts[strip]
        guard size > 0, size <= UInt64(limit) else {
            throw TIFFReadError(.damaged, "strip \(strip) has \(size) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        let read = bytes.withUnsafeMutableBytes { buffer in
            TIFFReadRawStrip(handle, UInt32(strip), buffer.baseAddress, tmsize_t(size))
        }
        guard read == tmsize_t(size) else {
            throw TIFFReadError(.damaged, "strip \(strip) is cut short")
        }
        return bytes
    }
}

/// Why a TIFF cannot be read, in plain words; each module turns it into its own error.
public struct TIFFReadError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case unreadable
        case notTIFF
        case damaged
        case tooManyPages(limit: Int)
        case cannotCreate
    }

    public var kind: Kind
    public var reason: String

    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { reason }
}

extension TIFFFile {
    /// The tags of a fax page about to be written: 1-bit, CCITT G4, MinIsWhite, one strip.
    /// `number` counts from 1; `total` 0 means not known yet.
    public func setFaxPageTags(width: Int, height: Int, xResolution: Float, yResolution: Float,
                               number: Int, total: Int, software: String) {
        _ = faxline_tiff_set_u32(handle, UInt32(TIFFTAG_SUBFILETYPE), UInt32(FILETYPE_PAGE))
        _ = faxline_tiff_set_u32(handle, UInt32(TIFFTAG_IMAGEWIDTH), UInt32(width))
        _ = faxline_tiff_set_u32(handle, UInt32(TIFFTAG_IMAGELENGTH), UInt32(height))
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_BITSPERSAMPLE), 1)
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_SAMPLESPERPIXEL), 1)
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_COMPRESSION), UInt16(COMPRESSION_CCITTFAX4))
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_PHOTOMETRIC), UInt16(PHOTOMETRIC_MINISWHITE))
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_FILLORDER), UInt16(FILLORDER_MSB2LSB))
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_PLANARCONFIG), UInt16(PLANARCONFIG_CONTIG))
        _ = faxline_tiff_set_u16(handle, UInt32(TIFFTAG_RESOLUTIONUNIT), UInt16(RESUNIT_INCH))
        _ = faxline_tiff_set_float(handle, UInt32(TIFFTAG_XRESOLUTION), xResolution)
        _ = faxline_tiff_set_float(handle, UInt32(TIFFTAG_YRESOLUTION), yResolution)
        _ = faxline_tiff_set_u32(handle, UInt32(TIFFTAG_ROWSPERSTRIP), UInt32(height))
        _ = faxline_tiff_set_page_number(handle, UInt16(clamping: number - 1), UInt16(clamping: total))
        _ = faxline_tiff_set_string(handle, UInt32(TIFFTAG_SOFTWARE), software)
    }
}
