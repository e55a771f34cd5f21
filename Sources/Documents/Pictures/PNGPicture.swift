import CPNG

/// Owner of one libpng reader (its C state, file and last error), freed when dropped.
final class PNGReader {
    private let state: UnsafeMutablePointer<faxline_png>
    let path: String

    init(path: String) throws(DocumentError) {
        guard let state = faxline_png_open(path) else {
            throw .unreadable(path: path, reason: "out of memory")
        }
        self.state = state
        self.path = path
        if let message { throw .unreadable(path: path, reason: message) }
    }

    deinit {
        faxline_png_close(state)
    }

    /// libpng's last error, in its words.
    var message: String? {
        let text = withUnsafeBytes(of: state.pointee.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return text.isEmpty ? nil : text
    }

    /// libpng's first warning since the file was opened.
    var warning: String? {
        let text = withUnsafeBytes(of: state.pointee.warning) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return text.isEmpty ? nil : text
    }

    func header(limits: PictureLimits) throws(DocumentError) -> faxline_png_header {
        var header = faxline_png_header()
        guard faxline_png_read_header(state, UInt32(limits.maximumSide), UInt32(limits.maximumSide),
                                      1 << 20, &header) == 0 else {
            let reason = warning ?? message ?? "unreadable header"
            if reason.contains("exceeds user limit") {
                throw .tooLarge(path: path, reason: "the picture is longer than \(limits.maximumSide) pixels on a side")
            }
            throw .damaged(path: path, reason: "PNG: \(reason)")
        }
        return header
    }

    /// Starts row decoding; every row then comes as 8-bit RGBA. Returns the bytes per row.
    func startRGBARows() throws(DocumentError) -> Int {
        var rowBytes = 0
        guard faxline_png_start_rgba_rows(state, &rowBytes) == 0 else {
            throw .damaged(path: path, reason: "PNG: \(message ?? "cannot decode")")
        }
        return rowBytes
    }

    func readRow(into row: UnsafeMutableBufferPointer<UInt8>) throws(DocumentError) {
        guard faxline_png_read_row(state, row.baseAddress) == 0 else {
            throw .damaged(path: path, reason: "PNG: \(message ?? "the image data is broken")")
        }
    }
}

/// A PNG as one fax page, decoded by libpng row by row (each Adam7 pass on its own for an
/// interlaced file) straight into the page rasterizer: any colour type and bit depth, with
/// transparency composited on white.
struct PNGPicture {
    let path: String
    let limits: PictureLimits
    let format: FaxPageFormat
    let deadline: PictureDeadline

    func page() throws(DocumentError) -> FaxBitmap {
        let reader = try PNGReader(path: path)
        let header = try reader.header(limits: limits)
        let width = Int(header.width)
        let height = Int(header.height)
        try limits.check(width: width, height: height, page: 1, path: path)
        let (xDPI, yDPI) = header.x_pixels_per_metre > 0 && header.y_pixels_per_metre > 0
            ? (Double(header.x_pixels_per_metre) * 0.0254, Double(header.y_pixels_per_metre) * 0.0254)
            : (1, 1)
        let placement = PicturePlacement(width: width, height: height, xDPI: xDPI, yDPI: yDPI, orientation: 1, format: format)
        let rasterizer = FaxPageRasterizer(placement: placement, sourceWidth: width, sourceHeight: height, format: format)

        let rowBytes = try reader.startRGBARows()
        guard rowBytes >= width * 4 else { throw .damaged(path: path, reason: "PNG: unexpected row size") }
        let rgba = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: rowBytes)
        defer { rgba.deallocate() }
        let grey = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: width)
        defer { grey.deallocate() }

        // Without interlacing there is one "pass": every row, every column.
        let passes = header.interlaced != 0 ? (0..<7).map { Pass(adam7: Int32($0), header: header) } : [Pass(width: width, height: height)]
        for pass in passes where pass.columns > 0 && pass.rows > 0 {
            for row in 0..<pass.rows {
                if row & 63 == 0 { try deadline.check() }
                try reader.readRow(into: rgba)
                RGBAConversion.greyOnWhite(rgba: UnsafeRawBufferPointer(rgba), count: pass.columns, into: grey, premultiplied: false)
                rasterizer.add(row: pass.firstY + row * pass.stepY, grey: UnsafeBufferPointer(rebasing: grey[0..<pass.columns]),
                               firstX: pass.firstX, stepX: pass.stepX)
            }
        }
        return rasterizer.page()
    }
}

/// Where the pixels of one pass land: every `stepX`-th column from `firstX`, every `stepY`-th row from `firstY`.
private struct Pass {
    var columns: Int
    var rows: Int
    var firstX = 0
    var stepX = 1
    var firstY = 0
    var stepY = 1

    init(width: Int, height: Int) {
        columns = width
        rows = height
    }

    init(adam7 pass: Int32, header: faxline_png_header) {
        columns = Int(faxline_png_pass_columns(header.width, pass))
        rows = Int(faxline_png_pass_rows(header.height, pass))
        firstX = Int(faxline_png_pass_start_column(pass))
        stepX = Int(faxline_png_pass_column_step(pass))
        firstY = Int(faxline_png_pass_start_row(pass))
        stepY = Int(faxline_png_pass_row_step(pass))
    }
}

/// Colour to grey for fax pages: luminance (ITU-R BT.601 weights), with transparency over white.
enum RGBAConversion {
    static func luminance(_ red: Int, _ green: Int, _ blue: Int) -> Int {
        (299 * red + 587 * green + 114 * blue + 500) / 1000
    }

    /// `count` pixels of 8-bit RGBA to grey on a white background. `premultiplied`: the colour
    /// is already multiplied by alpha (libtiff's RGBA images), else it is straight (PNG).
    static func greyOnWhite(rgba: UnsafeRawBufferPointer, count: Int, into grey: UnsafeMutableBufferPointer<UInt8>,
                            premultiplied: Bool) {
        for x in 0..<count {
            let base = 4 * x
            let value = luminance(Int(rgba[base]), Int(rgba[base + 1]), Int(rgba[base + 2]))
            let alpha = Int(rgba[base + 3])
            grey[x] = UInt8(clamping: premultiplied ? value + 255 - alpha : (value * alpha + 255 * (255 - alpha) + 127) / 255)
        }
    }
}
