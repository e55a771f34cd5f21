import CTIFF
import Foundation

/// Owner of one open libtiff handle; closes it when dropped.
final class TIFFFile {
    let handle: OpaquePointer
    let path: String

    init(reading path: String) throws(DocumentError) {
        TIFFMessages.silence()
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .unreadable(path: path, reason: "the file does not exist or cannot be read")
        }
        guard let handle = TIFFOpen(path, "r") else {
            throw .damaged(path: path, reason: "not a readable TIFF file")
        }
        self.handle = handle
        self.path = path
    }

    init(writing path: String) throws(DocumentError) {
        TIFFMessages.silence()
        guard let handle = TIFFOpen(path, "w") else {
            throw .cannotWrite(path: path, reason: "libtiff cannot create the file")
        }
        self.handle = handle
        self.path = path
    }

    deinit {
        TIFFClose(handle)
    }

    var directoryCount: Int { Int(TIFFNumberOfDirectories(handle)) }

    func select(page index: Int) throws(DocumentError) {
        guard TIFFSetDirectory(handle, tdir_t(index)) == 1 else {
            throw .damaged(path: path, reason: "page \(index + 1) cannot be read")
        }
    }

    func u32(_ tag: Int32) -> UInt32? {
        var value: UInt32 = 0
        return faxline_tiff_get_u32(handle, UInt32(tag), &value) == 1 ? value : nil
    }

    func defaultedU32(_ tag: Int32) -> UInt32 {
        var value: UInt32 = 0
        _ = faxline_tiff_get_defaulted_u32(handle, UInt32(tag), &value)
        return value
    }

    func defaultedU16(_ tag: Int32) -> UInt16 {
        var value: UInt16 = 0
        _ = faxline_tiff_get_defaulted_u16(handle, UInt32(tag), &value)
        return value
    }

    func u16(_ tag: Int32) -> UInt16? {
        var value: UInt16 = 0
        return faxline_tiff_get_u16(handle, UInt32(tag), &value) == 1 ? value : nil
    }

    func float(_ tag: Int32) -> Float? {
        var value: Float = 0
        return faxline_tiff_get_float(handle, UInt32(tag), &value) == 1 ? value : nil
    }

    /// The current page's tags that decide how its pixels are stored.
    func pageLayout(index: Int) throws(DocumentError) -> FaxTIFFPage {
        guard let width = u32(TIFFTAG_IMAGEWIDTH), let height = u32(TIFFTAG_IMAGELENGTH),
              width > 0, height > 0
        else {
            throw .damaged(path: path, reason: "page \(index + 1) has no image size")
        }
        guard width <= 20_000, height <= 100_000 else {
            throw .damaged(path: path, reason: "page \(index + 1) is \(width)×\(height) pixels, too large")
        }
        var xResolution = Double(float(TIFFTAG_XRESOLUTION) ?? 0)
        var yResolution = Double(float(TIFFTAG_YRESOLUTION) ?? 0)
        let unit = defaultedU16(TIFFTAG_RESOLUTIONUNIT)
        if unit == UInt16(RESUNIT_CENTIMETER) {
            xResolution *= 2.54
            yResolution *= 2.54
        }
        // A fax page without resolution tags is taken as fine, the most common mode.
        if !(xResolution > 0) || !xResolution.isFinite { xResolution = FaxResolution.horizontalDPI }
        if !(yResolution > 0) || !yResolution.isFinite { yResolution = FaxResolution.fine.verticalDPI }
        return FaxTIFFPage(
            index: index,
            width: Int(width), height: Int(height),
            xResolution: xResolution, yResolution: yResolution,
            bitsPerSample: Int(defaultedU16(TIFFTAG_BITSPERSAMPLE)),
            samplesPerPixel: Int(defaultedU16(TIFFTAG_SAMPLESPERPIXEL)),
            compression: Int(defaultedU16(TIFFTAG_COMPRESSION)),
            photometric: Int(u16(TIFFTAG_PHOTOMETRIC) ?? UInt16(PHOTOMETRIC_MINISWHITE)),
            fillOrder: Int(defaultedU16(TIFFTAG_FILLORDER)),
            group3Options: Int(u32(TIFFTAG_GROUP3OPTIONS) ?? 0),
            stripCount: Int(TIFFNumberOfStrips(handle)))
    }

    /// The raw (still compressed) bytes of one strip of the current page.
    func rawStrip(_ strip: Int) throws(DocumentError) -> [UInt8] {
        var counts: UnsafeMutablePointer<UInt64>?
        guard faxline_tiff_get_strips(handle, UInt32(TIFFTAG_STRIPBYTECOUNTS), &counts) == 1,
              let counts
        else {
            throw .damaged(path: path, reason: "no strip byte counts")
        }
        let size = Int(counts[strip])
        guard size > 0, size < 256 << 20 else {
            throw .damaged(path: path, reason: "strip \(strip) has \(size) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        let read = bytes.withUnsafeMutableBytes { buffer in
            TIFFReadRawStrip(handle, UInt32(strip), buffer.baseAddress, tmsize_t(size))
        }
        guard read == size else {
            throw .damaged(path: path, reason: "strip \(strip) is cut short")
        }
        return bytes
    }
}

/// One page of a TIFF, as its tags describe it.
public struct FaxTIFFPage: Sendable, Equatable {
    public var index: Int
    public var width: Int
    public var height: Int
    /// Dots per inch.
    public var xResolution: Double
    public var yResolution: Double
    public var bitsPerSample: Int
    public var samplesPerPixel: Int
    public var compression: Int
    public var photometric: Int
    public var fillOrder: Int
    public var group3Options: Int
    public var stripCount: Int

    public var isBilevel: Bool { bitsPerSample == 1 && samplesPerPixel == 1 }
}

/// libtiff reports to stderr unless told otherwise; this module reports through DocumentError.
enum TIFFMessages {
    static func silence() {
        faxline_tiff_route_messages(nil)
    }
}
