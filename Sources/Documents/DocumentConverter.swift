import FaxTIFF
import Foundation
import Logging

/// Limits and page settings for turning documents into fax pages.
public struct ConversionOptions: Sendable, Equatable {
    public var format: FaxPageFormat
    public var pageChop: PageChop
    /// Per document, for each external tool run and for decoding a picture.
    public var timeLimit: Duration
    /// Virtual memory for each Ghostscript run, in bytes.
    public var memoryLimit: Int
    /// Pages per fax (all documents together); a document with more is refused, not cut.
    public var maximumPages: Int
    public var header: PageHeader?
    public var cover: CoverPage?
    /// Pixels a picture's page may have (TIFF, PNG, JPEG), checked before it is decoded.
    public var maximumPixelsPerPage: Int
    /// What a picture decoder may allocate for one image (a progressive JPEG's coefficients)
    /// or at once (a TIFF strip or tile), in bytes.
    public var decoderMemoryLimit: Int
    /// LibreOffice's program: a name looked up on PATH, or a path.
    public var officeCommand: String
    /// Virtual memory for each LibreOffice run, in bytes (it reserves far more than it uses).
    public var officeMemoryLimit: Int

    public init(format: FaxPageFormat = FaxPageFormat(), pageChop: PageChop = PageChop(),
                timeLimit: Duration = .seconds(120), memoryLimit: Int = 1 << 30, maximumPages: Int = 200,
                header: PageHeader? = nil, cover: CoverPage? = nil,
                maximumPixelsPerPage: Int = 150_000_000, decoderMemoryLimit: Int = 128 << 20,
                officeCommand: String = "soffice", officeMemoryLimit: Int = 4 << 30) {
        self.format = format
        self.pageChop = pageChop
        self.timeLimit = timeLimit
        self.memoryLimit = memoryLimit
        self.maximumPages = maximumPages
        self.header = header
        self.cover = cover
        self.maximumPixelsPerPage = maximumPixelsPerPage
        self.decoderMemoryLimit = decoderMemoryLimit
        self.officeCommand = officeCommand
        self.officeMemoryLimit = officeMemoryLimit
    }
}

public struct ConversionResult: Sendable, Equatable {
    public var pageCount: Int
    /// Pages each input file gave, in order (the cover page is not counted here).
    public var pagesPerDocument: [Int]
    public var hasCoverPage: Bool
}

/// Anything a user sends becomes fax pages: PDF, PostScript, TIFF, PNG, JPEG, plain text,
/// and Office documents when LibreOffice is installed.
///
/// Pages flow one at a time: each document becomes a fax TIFF of its own in a private
/// workspace (Ghostscript writes its pages to disk; pictures are decoded page by page), and the
/// final file is assembled from those, page by page, with page chop and the header line — so a
/// document of any length needs about one page in memory.
public struct DocumentConverter: Sendable {
    public var options: ConversionOptions
    public var logger: Logger
    /// Waits out the time limit; tests give one they control.
    var timer: ConversionTimer = .realTime

    public init(options: ConversionOptions = ConversionOptions(), logger: Logger = Logger(label: "faxline.documents")) {
        self.options = options
        self.logger = logger
    }

    /// Checks a file cheaply before anything is queued: readable, not empty, a known type, its
    /// converter installed. (Whether a PDF needs a password shows when it is converted, which
    /// also happens before any call: a PDF with only an owner password converts fine.)
    public func check(_ path: String) throws(DocumentError) -> DocumentType {
        let type = try DocumentType.detect(path: path)
        if type == .office, ToolRunner.locate(options.officeCommand) == nil {
            throw .toolMissing(path: path, tool: "LibreOffice", advice: Self.libreOfficeAdvice)
        }
        return type
    }

    static let libreOfficeAdvice = "Office documents need LibreOffice: install it with `apt-get install libreoffice-core libreoffice-writer libreoffice-calc` (or send a PDF)"

    /// Converts `files` in order into one fax TIFF at `output` (written atomically).
    @discardableResult
    public func convert(_ files: [String], to output: String) async throws(DocumentError) -> ConversionResult {
        guard !files.isEmpty || options.cover != nil else { throw .invalidOption("no documents to convert") }
        guard options.maximumPages > 0 else { throw .invalidOption("maximum pages must be positive") }
        // Every file is checked before any is converted, so a bad third file fails fast.
        var types: [DocumentType] = []
        for file in files { types.append(try check(file)) }

        let workspace = try Workspace()
        var parts: [FaxPages] = []
        var pageCount = 0
        for (file, type) in zip(files, types) {
            let remaining = options.maximumPages - pageCount
            guard remaining > 0 else { throw .tooManyPages(path: file, limit: options.maximumPages) }
            let part = try await pagesOf(file, type: type, limit: remaining, workspace: workspace)
            logger.debug("converted document", metadata: ["file": "\(file)", "type": "\(type.rawValue)", "pages": "\(part.count)"])
            parts.append(part)
            pageCount += part.count
        }
        var cover: [FaxPages] = []
        if let page = options.cover {
            let program = try page.program(totalPages: pageCount + 1, format: options.format)
            cover = [try await render(program: program, workspace: workspace, reportingAs: "cover page", limit: 1)]
        }
        guard pageCount + cover.count > 0 else { throw .damaged(path: files.first ?? output, reason: "no pages") }
        try await assemble(cover + parts, to: output, workspace: workspace)
        return ConversionResult(pageCount: pageCount + cover.count, pagesPerDocument: parts.map(\.count),
                                hasCoverPage: !cover.isEmpty)
    }

    /// Applies page chop and the header line to fax pages that already exist (e.g. when the
    /// station id is known only at send time). Returns the page count.
    @discardableResult
    public func applyPageOptions(to tiff: String, writingTo output: String) async throws(DocumentError) -> Int {
        let count = try FaxTIFFReader(path: tiff).pageCount
        let workspace = try Workspace()
        try await assemble([FaxPages(path: tiff, count: count)], to: output, workspace: workspace)
        return count
    }

    /// One document's pages as a fax TIFF of its own.
    struct FaxPages {
        var path: String
        var count: Int
    }

    func pagesOf(_ file: String, type: DocumentType, limit: Int, workspace: Workspace) async throws(DocumentError) -> FaxPages {
        switch type {
        case .pdf:
            return try await renderWithGhostscript(file, fit: "-dPDFFitPage", limit: limit, workspace: workspace, reportingAs: file)
        case .postScript:
            return try await renderWithGhostscript(file, fit: "-dPSFitPage", limit: limit, workspace: workspace, reportingAs: file)
        case .text:
            let layout = TextLayout()
            // A page holds at most rows × columns characters of up to 4 bytes, a line end (2
            // bytes) per row and a form feed: a longer file has more pages than allowed, and is
            // not read whole.
            let grid = layout.grid(for: options.format)
            let most = limit * (grid.rows * (4 * grid.columns + 2) + 1)
            guard let handle = FileHandle(forReadingAtPath: file),
                  let data = try? handle.read(upToCount: most + 1) else {
                throw .unreadable(path: file, reason: "the file cannot be read")
            }
            try? handle.close()
            guard data.count <= most else { throw .tooManyPages(path: file, limit: options.maximumPages) }
            // UTF-8 when it is valid, else the single-byte code page most mail clients use.
            let decoded = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) ?? ""
            let textPages = layout.pages(of: decoded, format: options.format)
            guard textPages.count <= limit else { throw .tooManyPages(path: file, limit: options.maximumPages) }
            return try await render(program: layout.program(pages: textPages, format: options.format),
                                    workspace: workspace, reportingAs: file, limit: limit)
        case .tiff, .png, .jpeg:
            let writer = try FaxTIFFWriter(path: workspace.file("pictures-\(UUID().uuidString).tif"))
            let count = try await PictureConverter(options: options, timer: timer)
                .convert(file, type: type, pageLimit: limit, to: writer)
            try writer.commit()
            return FaxPages(path: writer.path, count: count)
        case .office:
            let pdf = try await officeToPDF(file, workspace: workspace)
            return try await renderWithGhostscript(pdf, fit: "-dPDFFitPage", limit: limit, workspace: workspace, reportingAs: file)
        }
    }

    private var ghostscript: Ghostscript {
        Ghostscript(runner: ToolRunner(timeLimit: options.timeLimit, memoryLimit: options.memoryLimit, timer: timer))
    }

    /// Ghostscript renders straight to G4 fax pages of the configured geometry, fitting each
    /// page inside without cropping, into a file in the workspace; the pages are checked from
    /// their directories here and decoded only when the fax is assembled.
    func renderWithGhostscript(_ input: String, fit: String?, limit: Int, workspace: Workspace,
                               reportingAs path: String, geometry: (width: Int, height: Int)? = nil) async throws(DocumentError) -> FaxPages {
        let format = options.format
        let size = geometry ?? (format.width, format.height)
        let output = workspace.file("pages-\(UUID().uuidString).tif")
        let arguments = [
            "-sDEVICE=tiffg4",
            "-r\(Int(format.xDPI))x\(Int(format.yDPI))",
            "-g\(size.width)x\(size.height)",
            "-dFIXEDMEDIA",
            // One page more than allowed tells "too many" from "exactly the limit".
            "-dLastPage=\(limit + 1)",
            "-sOutputFile=\(output)",
        ] + (fit.map { [$0] } ?? [])
        let outcome = try await ghostscript.run(arguments, input: input, reportingAs: path)
        let produced = FileManager.default.fileExists(atPath: output)
        if outcome.status != 0 || !produced {
            // A PDF with only an owner password (print/copy restrictions) renders fine; one
            // that needs a user password gives no pages, and Ghostscript says why.
            let asksForPassword = outcome.output.lowercased().contains("password")
            if asksForPassword || (try? PDFInspection.isEncrypted(path: input)) == true {
                throw .encrypted(path: path)
            }
            if Ghostscript.refusedFileAccess(outcome.output) { throw .fileAccessRefused(path: path) }
            throw .damaged(path: path, reason: outcome.status != 0 ? Ghostscript.summary(outcome.output) : "no pages could be read")
        }
        let pages: [FaxTIFFPage]
        do {
            pages = try FaxTIFFReader(path: output, pageLimit: limit + 1).pages
        } catch {
            throw .damaged(path: path, reason: "Ghostscript's pages cannot be read (\(error))")
        }
        guard pages.count <= limit else { throw .tooManyPages(path: path, limit: options.maximumPages) }
        // -dFIXEDMEDIA holds the page size, but a PostScript program may still ask for another
        // resolution; a page that is not exactly a fax page is refused rather than sent wrong.
        if let odd = pages.first(where: { $0.width != size.width || $0.height != size.height || !$0.isBilevel }) {
            throw .damaged(path: path, reason: "page \(odd.index + 1) came out \(odd.width)×\(odd.height), not a fax page")
        }
        return FaxPages(path: output, count: pages.count)
    }

    func render(program: String, workspace: Workspace, reportingAs path: String, limit: Int,
                geometry: (width: Int, height: Int)? = nil) async throws(DocumentError) -> FaxPages {
        let source = workspace.file("program-\(UUID().uuidString).ps")
        guard FileManager.default.createFile(atPath: source, contents: Data(program.utf8)) else {
            throw .cannotWrite(path: source, reason: "cannot write the PostScript program")
        }
        return try await renderWithGhostscript(source, fit: nil, limit: limit, workspace: workspace,
                                               reportingAs: path, geometry: geometry)
    }

    /// Writes the pages of `parts` in order into one fax TIFF, one page at a time: page chop,
    /// then the header line over the top band.
    func assemble(_ parts: [FaxPages], to output: String, workspace: Workspace) async throws(DocumentError) {
        let total = parts.reduce(0) { $0 + $1.count }
        var headers: FaxTIFFReader?
        if let header = options.header {
            let rows = header.bandRows(yDPI: options.format.yDPI)
            let strips = try await render(program: header.program(pageCount: total), workspace: workspace,
                                          reportingAs: "page header", limit: total, geometry: (options.format.width, rows))
            guard strips.count == total else {
                throw .toolFailed(path: "page header", tool: "gs", reason: "\(strips.count) header lines for \(total) pages")
            }
            headers = try FaxTIFFReader(path: strips.path)
        }
        let chopper = PageChopper(chop: options.pageChop)
        let writer = try FaxTIFFWriter(path: output)
        var number = 0
        for part in parts {
            let reader = try FaxTIFFReader(path: part.path)
            for index in reader.pages.indices {
                var page = try reader.bitmap(page: index)
                chopper.apply(to: &page, isLast: number == total - 1)
                if let headers { page.overlay(try headers.bitmap(page: number), top: 0) }
                try writer.append(page, total: total)
                number += 1
            }
        }
        try writer.commit()
    }

    func officeToPDF(_ file: String, workspace: Workspace) async throws(DocumentError) -> String {
        guard ToolRunner.locate(options.officeCommand) != nil else {
            throw .toolMissing(path: file, tool: "LibreOffice", advice: Self.libreOfficeAdvice)
        }
        let sandbox = try ToolSandbox()
        defer { sandbox.remove() }
        // LibreOffice names its output after the input; a copy with a fixed name avoids
        // anything in the user's file name reaching its command line.
        let input = sandbox.file("document")
        let outputDirectory = sandbox.file("office")
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: file, toPath: input)
        } catch {
            throw .cannotWrite(path: sandbox.path, reason: "cannot prepare the conversion")
        }
        let runner = ToolRunner(timeLimit: options.timeLimit, memoryLimit: options.officeMemoryLimit, timer: timer)
        // Its profile, too, goes in the sandbox: nothing of a user's or the server's home is read.
        let profile = URL(fileURLWithPath: sandbox.scratch + "/profile").absoluteString
        let outcome: ToolRunner.Outcome
        do {
            outcome = try await runner.run(options.officeCommand,
                                           ["--headless", "--norestore", "-env:UserInstallation=\(profile)",
                                            "--convert-to", "pdf", "--outdir", outputDirectory, input],
                                           sandbox: sandbox)
        } catch {
            switch error {
            case .missing: throw .toolMissing(path: file, tool: "LibreOffice", advice: Self.libreOfficeAdvice)
            case .timedOut: throw .timedOut(path: file, seconds: Int(options.timeLimit.components.seconds))
            case .cannotStart(let reason): throw .toolFailed(path: file, tool: "soffice", reason: reason)
            }
        }
        let produced = outputDirectory + "/document.pdf"
        guard outcome.status == 0, FileManager.default.fileExists(atPath: produced) else {
            throw .damaged(path: file, reason: "LibreOffice could not open it")
        }
        let pdf = workspace.file("office-\(UUID().uuidString).pdf")
        do {
            try FileManager.default.moveItem(atPath: produced, toPath: pdf)
        } catch {
            throw .cannotWrite(path: pdf, reason: "cannot keep LibreOffice's PDF")
        }
        return pdf
    }
}

/// A private temporary directory for one conversion's intermediate fax pages, removed when
/// the conversion ends.
final class Workspace: Sendable {
    let path: String

    init() throws(DocumentError) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-convert-\(UUID().uuidString)").path
        guard mkdir(path, 0o700) == 0 else {
            throw .cannotWrite(path: path, reason: "cannot create a temporary directory (\(String(cString: strerror(errno))))")
        }
        self.path = path
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Looks for an /Encrypt entry, to name the reason when Ghostscript gives no pages.
enum PDFInspection {
    static func isEncrypted(path: String) throws(DocumentError) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: "the file cannot be read")
        }
        defer { try? handle.close() }
        let marker = Array("/Encrypt".utf8)
        // The trailer is at the end; linearized files put it at the start. Read both ends.
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: 0)
        let head = [UInt8]((try? handle.read(upToCount: 1 << 20)) ?? Data())
        if head.firstIndex(ofBytes: marker) != nil { return true }
        if size > 1 << 20 {
            try? handle.seek(toOffset: max(0, size - (1 << 20)))
            let tail = [UInt8]((try? handle.read(upToCount: 1 << 20)) ?? Data())
            if tail.firstIndex(ofBytes: marker) != nil { return true }
        }
        return false
    }
}
