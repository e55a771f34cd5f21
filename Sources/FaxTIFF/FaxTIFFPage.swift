import CTIFF

/// One page (directory) of a TIFF, as its tags describe it.
public struct FaxTIFFPage: Sendable, Equatable {
    public var index: Int
    public var width: Int
    public var height: Int
    /// Dots per inch; a page without resolution tags is taken as a fine fax page (204×196),
    /// the most common mode, and says so in `hasResolution`.
    public var xResolution: Double
    public var yResolution: Double
    public var hasResolution: Bool
    public var bitsPerSample: Int
    public var samplesPerPixel: Int
    public var compression: Int
    public var photometric: Int
    public var fillOrder: Int
    public var group3Options: Int
    public var planarConfiguration: Int
    public var sampleFormat: Int
    /// TIFF orientation 1…8 (the same numbering as EXIF).
    public var orientation: Int
    public var isTiled: Bool
    public var rowsPerStrip: Int
    /// Strips, or tiles when the page is tiled.
    public var stripCount: Int
    public var extraSampleCount: Int
    /// EXTRASAMPLE_* of the first extra sample (associated or unassociated alpha, or unspecified).
    public var firstExtraSample: Int

    public var isBilevel: Bool { bitsPerSample == 1 && samplesPerPixel == 1 }

    /// Fax resolution assumed for pages that do not state one.
    public static let defaultXResolution = 204.0
    public static let defaultYResolution = 196.0
}

/// The one walk over a TIFF's directories, for the engine's check before a call and for the
/// documents module's readers: every page's layout, with the page count capped before any
/// page is decoded.
public enum TIFFDirectories {
    /// The pages of `file` from the first. More than `limit` pages is an error (found without
    /// walking further). With `checkData`, each page's strips (or tiles) must lie inside the
    /// file: a file cut short fails here, cheaply, without decoding anything.
    public static func pages(of file: TIFFFile, limit: Int, checkData: Bool = false) throws(TIFFReadError) -> [FaxTIFFPage] {
        try file.select(page: 0)
        let fileSize = checkData ? file.fileSize : 0
        var pages: [FaxTIFFPage] = []
        repeat {
            guard pages.count < limit else {
                throw TIFFReadError(.tooManyPages(limit: limit), "more than \(limit) pages")
            }
            let page = try layout(of: file, index: pages.count)
            if checkData { try checkChunks(of: file, page: page, fileSize: fileSize) }
            pages.append(page)
        } while TIFFReadDirectory(file.handle) == 1
        return pages
    }

    /// The current directory's layout.
    static func layout(of file: TIFFFile, index: Int) throws(TIFFReadError) -> FaxTIFFPage {
        guard let width = file.u32(TIFFTAG_IMAGEWIDTH), let height = file.u32(TIFFTAG_IMAGELENGTH),
              width > 0, height > 0
        else {
            throw TIFFReadError(.damaged, "page \(index + 1) has no image size")
        }
        var xResolution = Double(file.float(TIFFTAG_XRESOLUTION) ?? 0)
        var yResolution = Double(file.float(TIFFTAG_YRESOLUTION) ?? 0)
        if file.defaultedU16(TIFFTAG_RESOLUTIONUNIT) == UInt16(RESUNIT_CENTIMETER) {
            xResolution *= 2.54
            yResolution *= 2.54
        }
        let hasResolution = xResolution > 0 && xResolution.isFinite && yResolution > 0 && yResolution.isFinite
        var extraCount: UInt16 = 0
        var extraKind: UInt16 = 0
        _ = faxline_tiff_get_extra_samples(file.handle, &extraCount, &extraKind)
        let orientation = Int(file.defaultedU16(TIFFTAG_ORIENTATION))
        return FaxTIFFPage(
            index: index,
            width: Int(width), height: Int(height),
            xResolution: hasResolution ? xResolution : FaxTIFFPage.defaultXResolution,
            yResolution: hasResolution ? yResolution : FaxTIFFPage.defaultYResolution,
            hasResolution: hasResolution,
            bitsPerSample: Int(file.defaultedU16(TIFFTAG_BITSPERSAMPLE)),
            samplesPerPixel: Int(file.defaultedU16(TIFFTAG_SAMPLESPERPIXEL)),
            compression: Int(file.defaultedU16(TIFFTAG_COMPRESSION)),
            photometric: Int(file.u16(TIFFTAG_PHOTOMETRIC) ?? UInt16(PHOTOMETRIC_MINISWHITE)),
            fillOrder: Int(file.defaultedU16(TIFFTAG_FILLORDER)),
            group3Options: Int(file.u32(TIFFTAG_GROUP3OPTIONS) ?? 0),
            planarConfiguration: Int(file.defaultedU16(TIFFTAG_PLANARCONFIG)),
            sampleFormat: Int(file.defaultedU16(TIFFTAG_SAMPLEFORMAT)),
            orientation: (1...8).contains(orientation) ? orientation : 1,
            isTiled: TIFFIsTiled(file.handle) != 0,
            rowsPerStrip: Int(min(file.defaultedU32(TIFFTAG_ROWSPERSTRIP), height)),
            stripCount: Int(faxline_tiff_chunk_count(file.handle)),
            extraSampleCount: Int(extraCount),
            firstExtraSample: Int(extraKind))
    }

    /// Every strip (or tile) of the current page has data, and all of it lies inside the file.
    static func checkChunks(of file: TIFFFile, page: FaxTIFFPage, fileSize: UInt64) throws(TIFFReadError) {
        let number = page.index + 1
        guard page.stripCount > 0,
              let offsets = file.chunkTable(TIFFTAG_STRIPOFFSETS),
              let counts = file.chunkTable(TIFFTAG_STRIPBYTECOUNTS)
        else {
            throw TIFFReadError(.damaged, "page \(number) has no image data")
        }
        for chunk in 0..<page.stripCount {
            let (end, overflow) = offsets[chunk].addingReportingOverflow(counts[chunk])
            guard counts[chunk] > 0, !overflow, end <= fileSize else {
                throw TIFFReadError(.damaged, "page \(number) is damaged (its image data is cut short)")
            }
        }
    }
}
