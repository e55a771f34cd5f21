import Foundation

/// The size checks every picture decoder makes before it allocates anything for the image.
struct PictureLimits: Sendable {
    var maximumPixelsPerPage: Int
    /// Neither side may be longer (libpng refuses such a header itself).
    var maximumSide = 100_000
    /// What a decoder may allocate for a whole image (a progressive JPEG's coefficients) or at
    /// once (a TIFF strip or tile).
    var decoderMemory: Int

    /// Refuses a `width` × `height` page over the limits, with the limit named; computed
    /// without overflow whatever the header says.
    func check(width: Int, height: Int, page: Int, path: String) throws(DocumentError) {
        guard width > 0, height > 0 else {
            throw .damaged(path: path, reason: "page \(page) has no image size")
        }
        guard width <= maximumSide, height <= maximumSide else {
            throw .tooLarge(path: path, reason: "page \(page) is \(width)×\(height) pixels; a side may have at most \(maximumSide)")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maximumPixelsPerPage else {
            throw .tooLarge(path: path, reason: "page \(page) is \(width)×\(height) = \(Self.millions(width, height)) million pixels; "
                                + "the limit is \(Self.millions(maximumPixelsPerPage, 1)) million pixels per page")
        }
    }

    private static func millions(_ a: Int, _ b: Int) -> String {
        let value = Double(a) * Double(b) / 1e6
        return value >= 10 ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }
}
