import Foundation

/// PNG previews of a fax: a thumbnail of page 1 (for lists and the `inline` mail) and any
/// page at full size (for the web viewer).
///
/// Rendered by Ghostscript from the fax's PDF rather than decoded here: Ghostscript is already
/// a dependency, writes PNG, and scales the page with anti-aliasing, which a thumbnail needs to
/// stay legible; hand-written scaling plus a PNG encoder would duplicate it.
public struct FaxPreview: Sendable {
    public var timeLimit: Duration

    public init(timeLimit: Duration = .seconds(60)) {
        self.timeLimit = timeLimit
    }

    /// Page 1 of `pdf` as a greyscale PNG about `width` pixels wide.
    public func thumbnail(ofPDF pdf: String, to png: String, width: Int = 240) async throws(DocumentError) {
        guard width >= 16, width <= 4000 else { throw .invalidOption("thumbnail width \(width)") }
        let size = try PDFPageSize.first(of: pdf)
        let dpi = Double(width) / (size.width / 72)
        try await render(pdf: pdf, page: 1, resolution: "\(String(format: "%.3f", dpi))", to: png, antialias: true)
    }

    /// Page `page` (1-based) of `pdf` at the fax's horizontal resolution with square pixels,
    /// so a standard-resolution page is shown at its true proportions.
    public func fullPage(_ page: Int, ofPDF pdf: String, to png: String) async throws(DocumentError) {
        guard page >= 1 else { throw .invalidOption("page \(page)") }
        try await render(pdf: pdf, page: page, resolution: "204", to: png, antialias: false)
    }

    /// Convenience for a fax TIFF: writes its PDF to a temporary file first.
    public func thumbnail(ofTIFF tiff: String, to png: String, width: Int = 240) async throws(DocumentError) {
        let pdf = try temporaryPDF(of: tiff)
        defer { try? FileManager.default.removeItem(atPath: pdf) }
        try await thumbnail(ofPDF: pdf, to: png, width: width)
    }

    public func fullPage(_ page: Int, ofTIFF tiff: String, to png: String) async throws(DocumentError) {
        let pdf = try temporaryPDF(of: tiff)
        defer { try? FileManager.default.removeItem(atPath: pdf) }
        try await fullPage(page, ofPDF: pdf, to: png)
    }

    private func temporaryPDF(of tiff: String) throws(DocumentError) -> String {
        let pdf = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-preview-\(UUID().uuidString).pdf").path
        try FaxPDFWriter.write(tiff: tiff, to: pdf)
        return pdf
    }

    private func render(pdf: String, page: Int, resolution: String, to png: String, antialias: Bool) async throws(DocumentError) {
        let pageCount = try PDFPageSize.pageCount(of: pdf)
        guard page <= pageCount else {
            throw .invalidOption("page \(page) requested; \(pdf) has \(pageCount) page\(pageCount == 1 ? "" : "s")")
        }
        let temporary = AtomicFile.temporaryPath(for: png)
        var arguments = [
            "-sDEVICE=pnggray", "-r\(resolution)",
            "-dFirstPage=\(page)", "-dLastPage=\(page)",
            "-sOutputFile=\(temporary)",
        ]
        if antialias { arguments += ["-dInterpolateControl=-1", "-dGraphicsAlphaBits=4"] }
        let gs = Ghostscript(runner: ToolRunner(timeLimit: timeLimit, memoryLimit: 1 << 30))
        let outcome = try await gs.run(arguments, input: pdf, reportingAs: pdf)
        guard outcome.status == 0, FileManager.default.fileExists(atPath: temporary) else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw .toolFailed(path: pdf, tool: "gs", reason: Ghostscript.summary(outcome.output))
        }
        try AtomicFile.commit(temporary, to: png)
    }
}

/// Reads just enough of a PDF this module wrote to know its page sizes.
enum PDFPageSize {
    struct Size { var width: Double; var height: Double }

    /// Reads the file in pieces (a received fax's PDF can be large), looking for `/MediaBox [`.
    static func boxes(of pdf: String) throws(DocumentError) -> [Size] {
        guard let handle = FileHandle(forReadingAtPath: pdf) else {
            throw .unreadable(path: pdf, reason: "the file does not exist or cannot be read")
        }
        defer { try? handle.close() }
        let marker = Array("/MediaBox [".utf8)
        // A box is a few dozen bytes; carrying the last 256 bytes over keeps one that straddles pieces.
        let overlap = 256
        var sizes: [Size] = []
        var carried: [UInt8] = []
        while true {
            let piece = (try? handle.read(upToCount: 1 << 20)) ?? Data()
            let window = carried + [UInt8](piece)
            var searchFrom = 0
            var consumed = 0
            while let start = window.firstIndex(ofBytes: marker, from: searchFrom) {
                let boxStart = start + marker.count
                guard let end = window[boxStart...].firstIndex(of: UInt8(ascii: "]")) else { break }
                let numbers = String(decoding: window[boxStart..<end], as: UTF8.self)
                    .split(separator: " ").compactMap { Double($0) }
                if numbers.count == 4 {
                    sizes.append(Size(width: numbers[2] - numbers[0], height: numbers[3] - numbers[1]))
                }
                searchFrom = end
                consumed = end
            }
            if piece.isEmpty { break }
            carried = Array(window[max(consumed, window.count - overlap)...])
        }
        guard !sizes.isEmpty else {
            throw .damaged(path: pdf, reason: "no page sizes found")
        }
        return sizes
    }

    static func first(of pdf: String) throws(DocumentError) -> Size {
        try boxes(of: pdf)[0]
    }

    static func pageCount(of pdf: String) throws(DocumentError) -> Int {
        try boxes(of: pdf).count
    }
}
