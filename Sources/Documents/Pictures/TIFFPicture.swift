import CTIFF
import FaxTIFF

/// Every page of a TIFF as a fax page, one page at a time, each decoded by libtiff row by row
/// (scanlines; tiles, or strips for the rarer layouts, through libtiff's RGBA interface, one
/// tile or strip at a time) into the page rasterizer. The page count and each page's size are
/// checked against the limits before anything is decoded.
struct TIFFPicture {
    let path: String
    let limits: PictureLimits
    let format: FaxPageFormat
    let deadline: PictureDeadline

    /// Walks the pages (at most `pageLimit`, else `tooManyPages` with `reportedLimit`) and
    /// hands each finished page to `emit`.
    func pages(pageLimit: Int, reportedLimit: Int, emit: (FaxBitmap) throws(DocumentError) -> Void) throws(DocumentError) {
        let file: TIFFFile
        let pages: [FaxTIFFPage]
        do {
            // Not memory-mapped: a large uncompressed file read through a mapping would count
            // in full towards the process's resident memory.
            file = try TIFFFile(reading: path, maximumAllocation: limits.decoderMemory, mapped: false)
            pages = try TIFFDirectories.pages(of: file, limit: pageLimit)
        } catch {
            if case .tooManyPages = error.kind { throw .tooManyPages(path: path, limit: reportedLimit) }
            throw DocumentError(error, path: path)
        }
        for page in pages {
            try limits.check(width: page.width, height: page.height, page: page.index + 1, path: path)
        }
        for page in pages {
            try emit(try decode(page, of: file))
        }
    }

    private func decode(_ page: FaxTIFFPage, of file: TIFFFile) throws(DocumentError) -> FaxBitmap {
        do {
            try file.select(page: page.index)
        } catch {
            throw DocumentError(error, path: path)
        }
        let placement = PicturePlacement(width: page.width, height: page.height,
                                         xDPI: page.hasResolution ? page.xResolution : 1,
                                         yDPI: page.hasResolution ? page.yResolution : 1,
                                         orientation: page.orientation, format: format)
        let rasterizer = FaxPageRasterizer(placement: placement, sourceWidth: page.width, sourceHeight: page.height, format: format)
        if let converter = TIFFRowConverter(page: page, file: file) {
            try scanlines(page, of: file, converter: converter, into: rasterizer)
        } else {
            try rgbaChunks(page, of: file, into: rasterizer)
        }
        return rasterizer.page()
    }

    private func failure(_ page: FaxTIFFPage, _ what: String, _ file: TIFFFile) -> DocumentError {
        .damaged(path: path, reason: "page \(page.index + 1) \(what)" + (file.lastError.map { ": \($0)" } ?? ""))
    }

    private func scanlines(_ page: FaxTIFFPage, of file: TIFFFile, converter: TIFFRowConverter,
                           into rasterizer: FaxPageRasterizer) throws(DocumentError) {
        let size = Int(TIFFScanlineSize(file.handle))
        guard size >= converter.rowBytes(width: page.width) else {
            throw failure(page, "has rows shorter than its width", file)
        }
        let row = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: size)
        defer { row.deallocate() }
        let grey = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: page.width)
        defer { grey.deallocate() }
        let bilevel = converter.bilevelBlackIsOne
        for y in 0..<page.height {
            if y & 63 == 0 { try deadline.check() }
            guard TIFFReadScanline(file.handle, row.baseAddress, UInt32(y), 0) == 1 else {
                throw failure(page, "row \(y + 1) cannot be decoded", file)
            }
            if let blackIsOne = bilevel {
                rasterizer.add(row: y, bits: UnsafeBufferPointer(row), blackIsOne: blackIsOne)
            } else {
                converter.convert(UnsafeBufferPointer(row), width: page.width, into: grey)
                rasterizer.add(row: y, grey: UnsafeBufferPointer(grey))
            }
        }
    }

    /// Any other layout libtiff knows, one tile (or strip) at a time as premultiplied RGBA.
    /// libtiff's RGBA rasters have their first row at the bottom.
    private func rgbaChunks(_ page: FaxTIFFPage, of file: TIFFFile, into rasterizer: FaxPageRasterizer) throws(DocumentError) {
        let chunkWidth: Int
        let chunkHeight: Int
        if page.isTiled {
            chunkWidth = Int(file.u32(TIFFTAG_TILEWIDTH) ?? 0)
            chunkHeight = Int(file.u32(TIFFTAG_TILELENGTH) ?? 0)
        } else {
            chunkWidth = page.width
            chunkHeight = max(1, page.rowsPerStrip)
        }
        guard chunkWidth > 0, chunkHeight > 0 else { throw failure(page, "has no tile size", file) }
        let (pixels, overflow) = chunkWidth.multipliedReportingOverflow(by: chunkHeight)
        guard !overflow, pixels <= limits.decoderMemory / 4 else {
            throw .tooLarge(path: path, reason: "page \(page.index + 1) is stored in pieces of \(chunkWidth)×\(chunkHeight) pixels that need more than \(limits.decoderMemory >> 20) MB each to decode, the decoder memory limit")
        }
        let raster = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: pixels)
        defer { raster.deallocate() }
        let grey = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunkWidth)
        defer { grey.deallocate() }
        for top in stride(from: 0, to: page.height, by: chunkHeight) {
            try deadline.check()
            for left in stride(from: 0, to: page.width, by: chunkWidth) {
                let status = page.isTiled
                    ? TIFFReadRGBATile(file.handle, UInt32(left), UInt32(top), raster.baseAddress)
                    : TIFFReadRGBAStrip(file.handle, UInt32(top), raster.baseAddress)
                guard status == 1 else { throw failure(page, "cannot be decoded", file) }
                let rows = min(chunkHeight, page.height - top)
                let columns = min(chunkWidth, page.width - left)
                // A tile keeps its full height with the image's rows at its bottom-up end; a
                // strip's raster holds only the rows it has.
                let rasterRows = page.isTiled ? chunkHeight : rows
                for row in 0..<rows {
                    let start = (rasterRows - 1 - row) * chunkWidth
                    let rgba = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(raster)[(4 * start)..<(4 * (start + columns))])
                    RGBAConversion.greyOnWhite(rgba: rgba, count: columns, into: grey, premultiplied: true)
                    rasterizer.add(row: top + row, grey: UnsafeBufferPointer(rebasing: grey[0..<columns]), firstX: left)
                }
            }
        }
    }
}
