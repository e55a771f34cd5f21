import Documents

/// The pages of a fax TIFF as bitmaps, to compare what was sent with what was received: the
/// product's own reader, so tests and server decode pages the same way.
public enum FaxPageRaster {
    public static func pages(of path: String) throws -> [FaxBitmap] {
        try FaxTIFFReader(path: path).bitmaps()
    }
}
