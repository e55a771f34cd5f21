/// One fax page as packed 1-bit rows, most significant bit first, 1 = black.
///
/// Equality compares the pixels only (size and bits), not the resolution: a receiver writes
/// the resolution it negotiated (e.g. 203.2 dpi for R8), the sender wrote 204.
public struct FaxBitmap: Sendable, Equatable {
    public let width: Int
    public private(set) var height: Int
    public var xResolution: Double
    public var yResolution: Double
    public let bytesPerRow: Int
    /// The largest page the readers decode whole (12.5 MB of bits); fax pages are under 12 million.
    public static let maximumPixels = 100_000_000
    /// `height` rows of `bytesPerRow` bytes; the padding bits after `width` are always 0.
    public private(set) var bits: [UInt8]

    public init(width: Int, height: Int, xResolution: Double, yResolution: Double) {
        self.width = width
        self.height = height
        self.xResolution = xResolution
        self.yResolution = yResolution
        self.bytesPerRow = (width + 7) / 8
        self.bits = [UInt8](repeating: 0, count: bytesPerRow * height)
    }

    public static func == (lhs: FaxBitmap, rhs: FaxBitmap) -> Bool {
        lhs.width == rhs.width && lhs.height == rhs.height && lhs.bits == rhs.bits
    }

    public func isBlack(x: Int, y: Int) -> Bool {
        bits[y * bytesPerRow + x / 8] & (0x80 >> UInt8(x % 8)) != 0
    }

    public mutating func setPixel(x: Int, y: Int, black: Bool) {
        let index = y * bytesPerRow + x / 8
        let mask = UInt8(0x80) >> UInt8(x % 8)
        if black { bits[index] |= mask } else { bits[index] &= ~mask }
    }

    public func row(_ y: Int) -> ArraySlice<UInt8> {
        bits[(y * bytesPerRow)..<((y + 1) * bytesPerRow)]
    }

    /// Replaces row `y` with packed bits (1 = black); padding bits are cleared.
    public mutating func setRow(_ y: Int, _ packed: some Collection<UInt8>) {
        precondition(packed.count >= bytesPerRow)
        var offset = y * bytesPerRow
        for byte in packed.prefix(bytesPerRow) {
            bits[offset] = byte
            offset += 1
        }
        clearPadding(row: y)
    }

    mutating func clearPadding(row y: Int) {
        let spare = bytesPerRow * 8 - width
        if spare > 0 {
            bits[y * bytesPerRow + bytesPerRow - 1] &= UInt8(0xFF) << UInt8(spare)
        }
    }

    public func isBlankRow(_ y: Int) -> Bool {
        row(y).allSatisfy { $0 == 0 }
    }

    public var blackPixelCount: Int {
        bits.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// Number of blank rows at the bottom of the page.
    public var trailingBlankRows: Int {
        var count = 0
        while count < height, isBlankRow(height - 1 - count) { count += 1 }
        return count
    }

    /// Keeps the first `rows` rows.
    public mutating func truncate(toRows rows: Int) {
        precondition(rows > 0 && rows <= height)
        height = rows
        bits.removeSubrange((rows * bytesPerRow)...)
    }

    /// Copies `other` over this page with its top-left corner at row `top`; rows beyond the page are dropped.
    public mutating func overlay(_ other: FaxBitmap, top: Int) {
        let columns = min(bytesPerRow, other.bytesPerRow)
        for y in 0..<other.height where top + y < height && top + y >= 0 {
            for column in 0..<columns {
                bits[(top + y) * bytesPerRow + column] = other.bits[y * other.bytesPerRow + column]
            }
            clearPadding(row: top + y)
        }
    }
}
