import CJPEG

/// Owner of one libjpeg decompressor (its C state, file and last error), freed when dropped.
final class JPEGReader {
    private let state: UnsafeMutablePointer<faxline_jpeg>
    let path: String
    /// Progressive scans allowed: real files have a few dozen, a hostile one thousands (each a
    /// pass over the whole image).
    static let maximumScans: Int32 = 1000

    init(path: String, maximumMemory: Int) throws(DocumentError) {
        guard let state = faxline_jpeg_open(path, maximumMemory, Self.maximumScans) else {
            throw .unreadable(path: path, reason: "out of memory")
        }
        self.state = state
        self.path = path
        if let message { throw .unreadable(path: path, reason: message) }
    }

    deinit {
        faxline_jpeg_close(state)
    }

    var message: String? {
        let text = withUnsafeBytes(of: state.pointee.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return text.isEmpty ? nil : text
    }

    private func failure(_ fallback: String) -> DocumentError {
        .damaged(path: path, reason: "JPEG: \(message ?? fallback)")
    }

    func header() throws(DocumentError) -> faxline_jpeg_header {
        var header = faxline_jpeg_header()
        guard faxline_jpeg_read_header(state, &header) == 0 else { throw failure("unreadable header") }
        return header
    }

    /// The orientation from the EXIF block, 1 when there is none.
    func orientation() -> Int {
        var length: UInt32 = 0
        guard let data = faxline_jpeg_exif(state, &length) else { return 1 }
        return ExifOrientation.parse(UnsafeBufferPointer(start: data, count: Int(length)))
    }

    func start(grey: Bool, scaleDenominator: Int) throws(DocumentError) -> faxline_jpeg_output {
        var output = faxline_jpeg_output()
        guard faxline_jpeg_start(state, grey ? 1 : 0, UInt32(scaleDenominator), &output) == 0 else {
            throw failure("cannot decode")
        }
        return output
    }

    func readRow(into row: UnsafeMutableBufferPointer<UInt8>) throws(DocumentError) {
        guard faxline_jpeg_read_row(state, row.baseAddress) == 0 else { throw failure("the image data is broken") }
    }
}

/// A JPEG as one fax page, decoded by libjpeg-turbo scanline by scanline into the page
/// rasterizer: baseline or progressive, grey, YCbCr/RGB or CMYK (Adobe's inverted CMYK too),
/// turned as its EXIF orientation says. A photo far larger than the page is decoded at 1/2,
/// 1/4 or 1/8 of its size inside the IDCT, which costs a fraction of a full decode.
struct JPEGPicture {
    let path: String
    let limits: PictureLimits
    let format: FaxPageFormat
    let deadline: PictureDeadline

    func page() throws(DocumentError) -> FaxBitmap {
        let reader = try JPEGReader(path: path, maximumMemory: limits.decoderMemory)
        let header = try reader.header()
        let width = Int(header.width)
        let height = Int(header.height)
        try limits.check(width: width, height: height, page: 1, path: path)
        let colourSpace = J_COLOR_SPACE(rawValue: UInt32(header.color_space))
        let grey: Bool
        if header.components == 1 && colourSpace == JCS_GRAYSCALE
            || header.components == 3 && (colourSpace == JCS_YCbCr || colourSpace == JCS_RGB) {
            grey = true
        } else if header.components == 4 && (colourSpace == JCS_CMYK || colourSpace == JCS_YCCK) {
            grey = false
        } else {
            throw .damaged(path: path, reason: "JPEG with \(header.components) colour components")
        }
        let (xDPI, yDPI): (Double, Double) = switch header.density_unit {
        case 1: (Double(header.x_density), Double(header.y_density))
        case 2: (Double(header.x_density) * 2.54, Double(header.y_density) * 2.54)
        default: (Double(max(header.x_density, 1)), Double(max(header.y_density, 1)))
        }
        let placement = PicturePlacement(width: width, height: height, xDPI: xDPI, yDPI: yDPI,
                                         orientation: reader.orientation(), format: format)
        let needed = placement.storedSize
        let scale = Self.scaleDenominator(width: width, height: height, atLeast: needed)

        let output: faxline_jpeg_output
        do throws(DocumentError) {
            output = try reader.start(grey: grey, scaleDenominator: scale)
        } catch {
            // libjpeg's own words for "the image does not fit the memory it may use".
            if let message = reader.message, message.contains("Backing store") || message.contains("Insufficient memory") {
                let kind = header.progressive != 0 ? "progressive JPEG" : "JPEG"
                throw .tooLarge(path: path, reason: "a \(kind) of \(width)×\(height) pixels needs more than \(limits.decoderMemory >> 20) MB to decode, the decoder memory limit")
            }
            throw error
        }
        let rowWidth = Int(output.width)
        let components = Int(output.components)
        let rasterizer = FaxPageRasterizer(placement: placement, sourceWidth: rowWidth, sourceHeight: Int(output.height), format: format)
        let row = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: rowWidth * components)
        defer { row.deallocate() }
        let luminance = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: rowWidth)
        defer { luminance.deallocate() }
        for y in 0..<Int(output.height) {
            if y & 63 == 0 { try deadline.check() }
            try reader.readRow(into: row)
            if components == 1 {
                rasterizer.add(row: y, grey: UnsafeBufferPointer(rebasing: row[0..<rowWidth]))
            } else {
                Self.cmykToGrey(row, count: rowWidth, inverted: header.adobe != 0, into: luminance)
                rasterizer.add(row: y, grey: UnsafeBufferPointer(luminance))
            }
        }
        return rasterizer.page()
    }

    /// The largest reduction (1/8, 1/4, 1/2) that still leaves at least the picture's size on the page.
    static func scaleDenominator(width: Int, height: Int, atLeast needed: (width: Int, height: Int)) -> Int {
        for denominator in [8, 4, 2] {
            let scaledWidth = (width + denominator - 1) / denominator
            let scaledHeight = (height + denominator - 1) / denominator
            if scaledWidth >= needed.width && scaledHeight >= needed.height { return denominator }
        }
        return 1
    }

    /// Ink to light: each colour is what its ink and black leave of white. Adobe's CMYK JPEGs
    /// store the inks inverted (255 = no ink).
    static func cmykToGrey(_ cmyk: UnsafeMutableBufferPointer<UInt8>, count: Int, inverted: Bool,
                           into grey: UnsafeMutableBufferPointer<UInt8>) {
        for x in 0..<count {
            var ink = (Int(cmyk[4 * x]), Int(cmyk[4 * x + 1]), Int(cmyk[4 * x + 2]), Int(cmyk[4 * x + 3]))
            if inverted { ink = (255 - ink.0, 255 - ink.1, 255 - ink.2, 255 - ink.3) }
            let white = 255 - ink.3
            grey[x] = UInt8(RGBAConversion.luminance((255 - ink.0) * white / 255, (255 - ink.1) * white / 255,
                                                     (255 - ink.2) * white / 255))
        }
    }
}
