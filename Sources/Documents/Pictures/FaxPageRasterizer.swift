/// Reduces a picture to one clean black and white fax page while it is decoded, row by row.
///
/// Each decoded pixel's darkness (255 − grey) is added to the cell of the page it falls in, so
/// the picture is scaled by area averaging and never held whole: memory is one page of
/// cells (at most 1728 × 4573 sums at superfine) whatever the picture's size. Pixels may come in
/// any order (Adam7 passes, tiles, rows of a picture that is turned), so the same code serves
/// every decoder. Along an axis where the picture is smaller than its place on the page, cells
/// are source pixels and are repeated on output (pixel replication, as an upscaling renderer
/// without interpolation does). A cell whose average is darker than half is black: pictures
/// become clean black and white, not a halftone screen that blurs scanned text.
final class FaxPageRasterizer {
    let format: FaxPageFormat
    let placement: PicturePlacement
    let sourceWidth: Int
    let sourceHeight: Int

    private let gridWidth: Int
    private let gridHeight: Int
    private var sums: [UInt32]
    /// Source pixels per grid column / row.
    private let columnCounts: [UInt32]
    private let rowCounts: [UInt32]
    /// Page pixel → grid column / row.
    private let gridColumnOfOutput: [Int]
    private let gridRowOfOutput: [Int]
    /// Grid index of source pixel (x, y) = rowTerm(y) + columnTerm[x].
    private let columnTerm: [Int]
    private let rowTerms: [Int]

    /// `sourceWidth` × `sourceHeight` is the size the decoder delivers (a JPEG may be decoded
    /// at a fraction of its size); the placement was made from the picture's own size and
    /// keeps its proportions.
    init(placement: PicturePlacement, sourceWidth: Int, sourceHeight: Int, format: FaxPageFormat) {
        self.format = format
        self.placement = placement
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        let transform = placement.transform
        let seen = transform.size(width: sourceWidth, height: sourceHeight)
        let xAxis = Axis(source: seen.width, output: placement.width)
        let yAxis = Axis(source: seen.height, output: placement.height)
        gridWidth = xAxis.grid
        gridHeight = yAxis.grid
        sums = [UInt32](repeating: 0, count: xAxis.grid * yAxis.grid)
        columnCounts = xAxis.counts
        rowCounts = yAxis.counts
        gridColumnOfOutput = xAxis.gridOfOutput
        gridRowOfOutput = yAxis.gridOfOutput

        // A stored row is a row of the page picture, or (turned) a column of it.
        let gridWidth = xAxis.grid
        if transform.transposed {
            columnTerm = (0..<sourceWidth).map { x in
                let seenY = transform.mirroredY ? sourceWidth - 1 - x : x
                return yAxis.cellOfSource[seenY] * gridWidth
            }
            rowTerms = (0..<sourceHeight).map { y in
                let seenX = transform.mirroredX ? sourceHeight - 1 - y : y
                return xAxis.cellOfSource[seenX]
            }
        } else {
            columnTerm = (0..<sourceWidth).map { x in
                xAxis.cellOfSource[transform.mirroredX ? sourceWidth - 1 - x : x]
            }
            rowTerms = (0..<sourceHeight).map { y in
                yAxis.cellOfSource[transform.mirroredY ? sourceHeight - 1 - y : y] * gridWidth
            }
        }
    }

    /// Adds `grey.count` pixels (0 black … 255 white) of stored row `y`, at x = `firstX`,
    /// `firstX + stepX`, …
    func add(row y: Int, grey: UnsafeBufferPointer<UInt8>, firstX: Int = 0, stepX: Int = 1) {
        guard !grey.isEmpty, y >= 0, y < sourceHeight, firstX >= 0,
              firstX + (grey.count - 1) * stepX < sourceWidth else { return }
        let rowTerm = rowTerms[y]
        sums.withUnsafeMutableBufferPointer { sums in
            columnTerm.withUnsafeBufferPointer { columnTerm in
                var x = firstX
                for value in grey {
                    sums[rowTerm + columnTerm[x]] &+= UInt32(255 - value)
                    x += stepX
                }
            }
        }
    }

    /// Adds a whole black and white row of packed bits (most significant first). White adds
    /// nothing, so only black pixels are visited: a page of text costs little whatever its size.
    func add(row y: Int, bits: UnsafeBufferPointer<UInt8>, blackIsOne: Bool) {
        guard y >= 0, y < sourceHeight, bits.count * 8 >= sourceWidth else { return }
        let rowTerm = rowTerms[y]
        let width = sourceWidth
        sums.withUnsafeMutableBufferPointer { sums in
            columnTerm.withUnsafeBufferPointer { columnTerm in
                for index in 0..<((width + 7) / 8) {
                    var black = blackIsOne ? bits[index] : ~bits[index]
                    let spare = (index + 1) * 8 - width
                    if spare > 0 { black &= UInt8(truncatingIfNeeded: 0xFF << spare) }
                    while black != 0 {
                        let bit = black.leadingZeroBitCount
                        sums[rowTerm + columnTerm[index * 8 + bit]] &+= 255
                        black &= ~(0x80 >> UInt8(bit))
                    }
                }
            }
        }
    }

    /// The finished page: the picture in its place, white around it.
    func page() -> FaxBitmap {
        var bitmap = FaxBitmap(width: format.width, height: format.height, xResolution: format.xDPI, yResolution: format.yDPI)
        var row = [UInt8](repeating: 0, count: bitmap.bytesPerRow)
        for outputY in 0..<placement.height {
            let gridRow = gridRowOfOutput[outputY]
            let rowCount = rowCounts[gridRow]
            let base = gridRow * gridWidth
            for i in row.indices { row[i] = 0 }
            for outputX in 0..<placement.width {
                let gridColumn = gridColumnOfOutput[outputX]
                let pixels = UInt64(rowCount) * UInt64(columnCounts[gridColumn])
                // Darker than half: 2 × average darkness > 255.
                if 2 * UInt64(sums[base + gridColumn]) > 255 * pixels {
                    let x = placement.left + outputX
                    row[x >> 3] |= 0x80 >> UInt8(x & 7)
                }
            }
            bitmap.setRow(placement.top + outputY, row)
        }
        return bitmap
    }

    /// Grid cells along one axis: a picture larger than its place is averaged down into the
    /// place's pixels; a smaller one keeps its own pixels, repeated on output.
    struct Axis {
        var grid: Int
        var cellOfSource: [Int]
        var counts: [UInt32]
        var gridOfOutput: [Int]

        init(source: Int, output: Int) {
            if source >= output {
                grid = output
                cellOfSource = (0..<source).map { $0 * output / source }
                gridOfOutput = Array(0..<output)
            } else {
                grid = source
                cellOfSource = Array(0..<source)
                gridOfOutput = (0..<output).map { $0 * source / output }
            }
            var counts = [UInt32](repeating: 0, count: grid)
            for cell in cellOfSource { counts[cell] += 1 }
            self.counts = counts
        }
    }
}
