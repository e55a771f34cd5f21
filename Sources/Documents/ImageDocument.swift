import CTIFF
import Foundation

/// Wraps pictures in a one-page-per-image PDF so Ghostscript can fit them onto fax pages the
/// same way as any PDF. JPEG and PNG data are copied in unchanged (PDF's DCTDecode and
/// FlateDecode with PNG predictors read them as they are); TIFF pages are decoded with libtiff
/// and reduced to clean black and white first.
enum ImageDocument {
    static let maximumPixels = 100_000_000

    static func writePDF(of path: String, type: DocumentType, to pdf: String, pageLimit: Int) throws(DocumentError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "the file cannot be read")
        }
        var document = PDFDocumentBuilder()
        switch type {
        case .jpeg: try addJPEG([UInt8](data), path: path, to: &document)
        case .png: try addPNG([UInt8](data), path: path, to: &document)
        case .tiff: try addTIFF(path: path, to: &document, pageLimit: pageLimit)
        default: throw .unknownType(path: path)
        }
        try AtomicFile.write(document.finish(title: nil), to: pdf)
    }

    /// Page size in points with the image's own proportions; Ghostscript scales it to fit.
    static func pageSize(width: Int, height: Int) -> (Double, Double) {
        let scale = 72.0 / 150.0
        return (Double(width) * scale, Double(height) * scale)
    }

    // MARK: JPEG

    static func addJPEG(_ bytes: [UInt8], path: String, to document: inout PDFDocumentBuilder) throws(DocumentError) {
        var index = 2
        var adobe = false
        while index + 4 <= bytes.count {
            guard bytes[index] == 0xFF else { throw .damaged(path: path, reason: "JPEG markers are broken") }
            let marker = bytes[index + 1]
            if marker == 0xFF { index += 1; continue }
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            guard length >= 2, index + 2 + length <= bytes.count else { break }
            if marker == 0xEE, length >= 7, bytes[(index + 4)..<(index + 9)].elementsEqual(Array("Adobe".utf8)) {
                adobe = true
            }
            let isFrame = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            if isFrame, length >= 8 {
                let height = Int(bytes[index + 5]) << 8 | Int(bytes[index + 6])
                let width = Int(bytes[index + 7]) << 8 | Int(bytes[index + 8])
                let components = Int(bytes[index + 9])
                guard width > 0, height > 0, width * height <= maximumPixels else {
                    throw .damaged(path: path, reason: "JPEG size \(width)×\(height)")
                }
                let colorSpace: String
                var decode = ""
                switch components {
                case 1: colorSpace = "/DeviceGray"
                case 3: colorSpace = "/DeviceRGB"
                case 4:
                    colorSpace = "/DeviceCMYK"
                    // Adobe writes CMYK JPEGs inverted.
                    if adobe { decode = " /Decode [1 0 1 0 1 0 1 0]" }
                default: throw .damaged(path: path, reason: "JPEG with \(components) colour components")
                }
                let (pageWidth, pageHeight) = pageSize(width: width, height: height)
                document.addImagePage(
                    dictionary: "/Width \(width) /Height \(height) /ColorSpace \(colorSpace) /BitsPerComponent 8\(decode) /Filter /DCTDecode",
                    data: bytes, widthPoints: pageWidth, heightPoints: pageHeight)
                return
            }
            if marker == 0xDA { break }
            index += 2 + length
        }
        throw .damaged(path: path, reason: "no JPEG image frame found")
    }

    // MARK: PNG

    static func addPNG(_ bytes: [UInt8], path: String, to document: inout PDFDocumentBuilder) throws(DocumentError) {
        var index = 8
        var header: (width: Int, height: Int, depth: Int, colorType: Int, interlace: Int)?
        var palette: [UInt8] = []
        var imageData: [UInt8] = []
        func u32(_ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        while index + 12 <= bytes.count {
            let length = u32(index)
            let type = String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self)
            let start = index + 8
            guard length >= 0, start + length + 4 <= bytes.count else {
                throw .damaged(path: path, reason: "PNG chunk \(type) is cut short")
            }
            switch type {
            case "IHDR" where length >= 13:
                header = (u32(start), u32(start + 4), Int(bytes[start + 8]), Int(bytes[start + 9]), Int(bytes[start + 12]))
            case "PLTE":
                palette = Array(bytes[start..<(start + length)])
            case "IDAT":
                imageData += bytes[start..<(start + length)]
            default:
                break
            }
            if type == "IEND" { break }
            index = start + length + 4
        }
        guard let header, !imageData.isEmpty else { throw .damaged(path: path, reason: "PNG without image data") }
        guard header.width > 0, header.height > 0, header.width * header.height <= maximumPixels else {
            throw .damaged(path: path, reason: "PNG size \(header.width)×\(header.height)")
        }
        guard header.interlace == 0 else {
            throw .damaged(path: path, reason: "interlaced PNG is not supported; save it without interlacing")
        }
        let colorSpace: String
        let colors: Int
        switch header.colorType {
        case 0: colorSpace = "/DeviceGray"; colors = 1
        case 2: colorSpace = "/DeviceRGB"; colors = 3
        case 3:
            guard !palette.isEmpty, palette.count % 3 == 0 else { throw .damaged(path: path, reason: "PNG palette missing") }
            let hex = palette.map { String(format: "%02X", $0) }.joined()
            colorSpace = "[/Indexed /DeviceRGB \(palette.count / 3 - 1) <\(hex)>]"
            colors = 1
        default:
            // Colour types 4 and 6 carry an alpha channel interleaved with the colour, which
            // a PDF image cannot take without decoding it.
            throw .damaged(path: path, reason: "PNG with transparency (alpha channel) is not supported; save it without transparency or as JPEG/PDF")
        }
        let (pageWidth, pageHeight) = pageSize(width: header.width, height: header.height)
        document.addImagePage(
            dictionary: "/Width \(header.width) /Height \(header.height) /ColorSpace \(colorSpace) /BitsPerComponent \(header.depth)"
                + " /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors \(colors) /BitsPerComponent \(header.depth) /Columns \(header.width) >>",
            data: imageData, widthPoints: pageWidth, heightPoints: pageHeight)
    }

    // MARK: TIFF

    static func addTIFF(path: String, to document: inout PDFDocumentBuilder, pageLimit: Int) throws(DocumentError) {
        let reader = try FaxTIFFReader(path: path)
        guard reader.pageCount <= pageLimit else { throw .tooManyPages(path: path, limit: pageLimit) }
        let file = try TIFFFile(reading: path)
        for page in reader.pages {
            guard page.width * page.height <= maximumPixels else {
                throw .damaged(path: path, reason: "page \(page.index + 1) is \(page.width)×\(page.height) pixels")
            }
            let bitmap = page.isBilevel ? try reader.bitmap(page: page.index) : try thresholded(page, of: file)
            // The page keeps its physical size; a fax page stays exactly a fax page.
            let widthPoints = Double(page.width) / page.xResolution * 72
            let heightPoints = Double(page.height) / page.yResolution * 72
            document.addImagePage(
                dictionary: "/Width \(bitmap.width) /Height \(bitmap.height) /ColorSpace /DeviceGray /BitsPerComponent 1 /Decode [1 0]",
                data: bitmap.bits, widthPoints: widthPoints, heightPoints: heightPoints)
        }
    }

    /// Any colour or grey page (any compression libtiff knows) as black and white: luminance
    /// over a white background, threshold at half.
    static func thresholded(_ page: FaxTIFFPage, of file: TIFFFile) throws(DocumentError) -> FaxBitmap {
        try file.select(page: page.index)
        var raster = [UInt32](repeating: 0, count: page.width * page.height)
        let status = raster.withUnsafeMutableBufferPointer { buffer in
            TIFFReadRGBAImageOriented(file.handle, UInt32(page.width), UInt32(page.height), buffer.baseAddress,
                                      Int32(ORIENTATION_TOPLEFT), 0)
        }
        guard status == 1 else {
            throw .damaged(path: file.path, reason: "page \(page.index + 1) cannot be decoded")
        }
        var bitmap = FaxBitmap(width: page.width, height: page.height,
                               xResolution: page.xResolution, yResolution: page.yResolution)
        for y in 0..<page.height {
            for x in 0..<page.width {
                let pixel = raster[y * page.width + x]
                let red = Int(pixel & 0xFF), green = Int((pixel >> 8) & 0xFF), blue = Int((pixel >> 16) & 0xFF)
                let alpha = Int(pixel >> 24)
                let luminance = (299 * red + 587 * green + 114 * blue) / 1000
                let composited = (luminance * alpha + 255 * (255 - alpha)) / 255
                if composited < 128 { bitmap.setPixel(x: x, y: y, black: true) }
            }
        }
        return bitmap
    }
}
