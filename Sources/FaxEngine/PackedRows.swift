/// A page's rows kept PackBits-compressed (TIFF's run-length scheme, row by row) between
/// spandsp's decoder and the page writer. A fine page raw is about 0.5 MB; a fax page is mostly
/// white, so the dense test letter's first page packs into 141 KB (a blank page into 9 KB), in
/// 0.4 ms at the end of the page — against 3.3 ms spandsp spends there. Two hundred pages
/// ending together wait for the writer in a third of the memory.
struct PackedRows: Sendable {
    let bytesPerRow: Int
    private(set) var count = 0
    private(set) var bytes: [UInt8] = []

    init(bytesPerRow: Int) {
        precondition(bytesPerRow > 0, "a row has at least one byte")
        self.bytesPerRow = bytesPerRow
    }

    /// Packs `row`, which must be `bytesPerRow` long: runs of three or more equal bytes as a
    /// count and the byte, the rest as literal stretches of at most 128.
    mutating func append(_ row: UnsafeBufferPointer<UInt8>) {
        precondition(row.count == bytesPerRow, "every row of a page has the same length")
        count += 1
        let length = row.count
        var start = 0
        var literalStart = 0
        while start < length {
            let value = row[start]
            var end = start + 1
            while end < length, end - start < 128, row[end] == value { end += 1 }
            let run = end - start
            if run >= 3 {
                appendLiteral(row, from: literalStart, to: start)
                // A run of n is the header 257 - n (as a signed byte, 1 - n), then the byte.
                bytes.append(UInt8(257 - run))
                bytes.append(value)
                literalStart = end
            }
            start = end
        }
        appendLiteral(row, from: literalStart, to: length)
    }

    private mutating func appendLiteral(_ row: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        var position = start
        while position < end {
            let chunk = min(128, end - position)
            bytes.append(UInt8(chunk - 1))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: row[position..<position + chunk]))
            position += chunk
        }
    }

    /// Gives each row in order, unpacked into one buffer that `body` may change (libtiff's
    /// encoder takes it as mutable) but not keep.
    func forEachRow(_ body: (UnsafeMutableBufferPointer<UInt8>) throws -> Void) rethrows {
        let row = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytesPerRow)
        defer { row.deallocate() }
        try bytes.withUnsafeBufferPointer { packed in
            var input = 0
            for _ in 0..<count {
                var output = 0
                while output < bytesPerRow {
                    let header = Int(Int8(bitPattern: packed[input]))
                    input += 1
                    if header >= 0 {
                        let literal = header + 1
                        for offset in 0..<literal { row[output + offset] = packed[input + offset] }
                        input += literal
                        output += literal
                    } else {
                        let run = 1 - header
                        row[output..<output + run].update(repeating: packed[input])
                        input += 1
                        output += run
                    }
                }
                try body(row)
            }
        }
    }
}
