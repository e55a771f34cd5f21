@testable import FaxEngine
import Testing

@Suite("Packed rows: a received page kept run-length packed until it is written")
struct PackedRowsTests {
    /// Rows of every kind a fax page has, and the edges of the packing: runs of 1, 2, 3, 127,
    /// 128 and 129 equal bytes, literal stretches longer than 128, a run at either end.
    static func rows(bytesPerRow: Int) -> [[UInt8]] {
        var generator = SplitMix64(seed: UInt64(bytesPerRow))
        var rows: [[UInt8]] = [
            Array(repeating: 0, count: bytesPerRow),
            Array(repeating: 0xFF, count: bytesPerRow),
            (0..<bytesPerRow).map { UInt8(truncatingIfNeeded: $0) },
            (0..<bytesPerRow).map { _ in UInt8(truncatingIfNeeded: generator.next()) },
            // Text: white with a few short strokes.
            (0..<bytesPerRow).map { $0 % 37 < 2 ? 0x3C : 0 },
        ]
        for run in [1, 2, 3, 127, 128, 129, 130, 257] where run <= bytesPerRow {
            var row = (0..<bytesPerRow).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            row.replaceSubrange(0..<run, with: repeatElement(0, count: run))
            rows.append(row)
            row.reverse()
            rows.append(row)
        }
        return rows
    }

    @Test("every row reads back as it was, whatever its length", arguments: [1, 2, 3, 4, 127, 128, 129, 216, 255, 256, 257, 432, 1000])
    func roundTrip(bytesPerRow: Int) {
        let rows = Self.rows(bytesPerRow: bytesPerRow)
        var packed = PackedRows(bytesPerRow: bytesPerRow)
        for row in rows {
            row.withUnsafeBufferPointer { packed.append($0) }
        }
        #expect(packed.count == rows.count)
        var unpacked: [[UInt8]] = []
        packed.forEachRow { unpacked.append(Array($0)) }
        #expect(unpacked == rows)
    }

    @Test("a white fine page packs into a few kilobytes; a page of text into a fraction of its size")
    func fineWhiteAndTextPagesPackSmall() {
        let bytesPerRow = 216
        var white = PackedRows(bytesPerRow: bytesPerRow)
        var text = PackedRows(bytesPerRow: bytesPerRow)
        let blank = [UInt8](repeating: 0, count: bytesPerRow)
        let written = (0..<bytesPerRow).map { $0 % 37 < 2 ? UInt8(0x3C) : 0 }
        for index in 0..<2_300 {
            blank.withUnsafeBufferPointer { white.append($0) }
            (index % 3 == 0 ? written : blank).withUnsafeBufferPointer { text.append($0) }
        }
        // Two runs a row (128 + 88 bytes), two bytes each.
        #expect(white.bytes.count == 2_300 * 4)
        #expect(text.bytes.count < 2_300 * bytesPerRow / 5, "\(text.bytes.count) bytes")
    }
}
