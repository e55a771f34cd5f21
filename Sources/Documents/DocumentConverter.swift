import Foundation
import Logging

/// Limits and page settings for turning documents into fax pages.
public struct ConversionOptions: Sendable, Equatable {
    public var format: FaxPageFormat
    public var pageChop: PageChop
    /// Per document, for each external tool run.
    public var timeLimit: Duration
    /// Virtual memory for each external tool run, in bytes.
    public var memoryLimit: Int
    public var maximumPages: Int
    public var header: PageHeader?
    public var cover: CoverPage?

    public init(format: FaxPageFormat = FaxPageFormat(), pageChop: PageChop = PageChop(),
                timeLimit: Duration = .seconds(120), memoryLimit: Int = 1 << 30, maximumPages: Int = 200,
                header: PageHeader? = nil, cover: CoverPage? = nil) {
        self.format = format
        self.pageChop = pageChop
        self.timeLimit = timeLimit
        self.memoryLimit = memoryLimit
        self.maximumPages = maximumPages
        self.header = header
        self.cover = cover
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
public struct DocumentConverter: Sendable {
    public var options: ConversionOptions
    public var logger: Logger

    public init(options: ConversionOptions = ConversionOptions(), logger: Logger = Logger(label: "faxline.documents")) {
        self.options = options
        self.logger = logger
    }

    /// Checks a file cheaply before anything is queued: readable, not empty, a known type, its
    /// converter installed. (Whether a PDF needs a password shows when it is converted, which
    /// also happens before any call: a PDF with only an owner password converts fine.)
    public func check(_ path: String) throws(DocumentError) -> DocumentType {
        let type = try DocumentType.detect(path: path)
        if type == .office, ToolRunner.locate("soffice") == nil {
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
        var pages: [FaxBitmap] = []
        var counts: [Int] = []
        for (file, type) in zip(files, types) {
            let remaining = options.maximumPages - pages.count
            guard remaining > 0 else { throw .tooManyPages(path: file, limit: options.maximumPages) }
            let documentPages = try await pagesOf(file, type: type, limit: remaining, workspace: workspace)
            logger.debug("converted document", metadata: ["file": "\(file)", "type": "\(type.rawValue)", "pages": "\(documentPages.count)"])
            counts.append(documentPages.count)
            pages += documentPages
        }
        if let cover = options.cover {
            let program = try cover.program(totalPages: pages.count + 1, format: options.format)
            let coverPages = try await render(program: program, workspace: workspace, reportingAs: "cover page", limit: 1)
            pages.insert(contentsOf: coverPages.prefix(1), at: 0)
        }
        guard !pages.isEmpty else { throw .damaged(path: files.first ?? output, reason: "no pages") }
        PageChopper(chop: options.pageChop).apply(to: &pages)
        if let header = options.header {
            try await stamp(header, on: &pages, workspace: workspace)
        }
        try FaxTIFFWriter.write(pages, to: output)
        return ConversionResult(pageCount: pages.count, pagesPerDocument: counts, hasCoverPage: options.cover != nil)
    }

    /// Applies page chop and the header line to fax pages that already exist (e.g. when the
    /// station id is known only at send time). Returns the page count.
    @discardableResult
    public func applyPageOptions(to tiff: String, writingTo output: String) async throws(DocumentError) -> Int {
        var pages = try FaxTIFFReader(path: tiff).bitmaps()
        guard !pages.isEmpty else { throw .damaged(path: tiff, reason: "no pages") }
        PageChopper(chop: options.pageChop).apply(to: &pages)
        if let header = options.header {
            let workspace = try Workspace()
            try await stamp(header, on: &pages, workspace: workspace)
        }
        try FaxTIFFWriter.write(pages, to: output)
        return pages.count
    }

    func pagesOf(_ file: String, type: DocumentType, limit: Int, workspace: Workspace) async throws(DocumentError) -> [FaxBitmap] {
        switch type {
        case .pdf:
            return try await renderWithGhostscript(file, fit: "-dPDFFitPage", limit: limit, workspace: workspace, reportingAs: file)
        case .postScript:
            return try await renderWithGhostscript(file, fit: "-dPSFitPage", limit: limit, workspace: workspace, reportingAs: file)
        case .text:
            guard let data = FileManager.default.contents(atPath: file) else {
                throw .unreadable(path: file, reason: "the file cannot be read")
            }
            // UTF-8 when it is valid, else the single-byte code page most mail clients use.
            let decoded = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) ?? ""
            let layout = TextLayout()
            let textPages = layout.pages(of: decoded, format: options.format)
            guard textPages.count <= limit else { throw .tooManyPages(path: file, limit: options.maximumPages) }
            return try await render(program: layout.program(pages: textPages, format: options.format),
                                    workspace: workspace, reportingAs: file, limit: limit)
        case .tiff, .png, .jpeg:
            let pdf = workspace.file("image.pdf")
            try ImageDocument.writePDF(of: file, type: type, to: pdf, pageLimit: limit)
            return try await renderWithGhostscript(pdf, fit: "-dPDFFitPage", limit: limit, workspace: workspace,
                                                   reportingAs: file, threshold: true)
        case .office:
            let pdf = try await officeToPDF(file, workspace: workspace)
            return try await renderWithGhostscript(pdf, fit: "-dPDFFitPage", limit: limit, workspace: workspace, reportingAs: file)
        }
    }

    private var ghostscript: Ghostscript {
        Ghostscript(runner: ToolRunner(timeLimit: options.timeLimit, memoryLimit: options.memoryLimit))
    }

    /// Ghostscript renders straight to G4 fax pages of the configured geometry, fitting each
    /// page inside without cropping.
    func renderWithGhostscript(_ input: String, fit: String?, limit: Int, workspace: Workspace,
                               reportingAs path: String, geometry: (width: Int, height: Int)? = nil,
                               threshold: Bool = false) async throws(DocumentError) -> [FaxBitmap] {
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
            // Pictures become clean black and white (grey below half is black) instead of a
            // halftone screen, which blurs scanned text and costs line time.
            + (threshold ? ["-c", "{ 0.5 lt { 0 } { 1 } ifelse } bind settransfer"] : [])
        let outcome = try await ghostscript.run(arguments, input: input, reportingAs: path)
        let produced = FileManager.default.fileExists(atPath: output)
        if outcome.status != 0 || !produced {
            // A PDF with only an owner password (print/copy restrictions) renders fine; one
            // that needs a user password gives no pages, and Ghostscript says why.
            let asksForPassword = outcome.output.lowercased().contains("password")
            if asksForPassword || (try? PDFInspection.isEncrypted(path: input)) == true {
                throw .encrypted(path: path)
            }
            throw .damaged(path: path, reason: outcome.status != 0 ? Ghostscript.summary(outcome.output) : "no pages could be read")
        }
        let reader = try FaxTIFFReader(path: output)
        guard reader.pageCount <= limit else { throw .tooManyPages(path: path, limit: options.maximumPages) }
        // -dFIXEDMEDIA holds the page size, but a PostScript program may still ask for another
        // resolution; a page that is not exactly a fax page is refused rather than sent wrong.
        if let odd = reader.pages.first(where: { $0.width != size.width || $0.height != size.height }) {
            throw .damaged(path: path, reason: "page \(odd.index + 1) came out \(odd.width)×\(odd.height), not a fax page")
        }
        let pages = try reader.bitmaps()
        try? FileManager.default.removeItem(atPath: output)
        return pages.map { page in
            var page = page
            page.xResolution = format.xDPI
            page.yResolution = format.yDPI
            return page
        }
    }

    func render(program: String, workspace: Workspace, reportingAs path: String, limit: Int,
                geometry: (width: Int, height: Int)? = nil) async throws(DocumentError) -> [FaxBitmap] {
        let source = workspace.file("program-\(UUID().uuidString).ps")
        guard FileManager.default.createFile(atPath: source, contents: Data(program.utf8)) else {
            throw .cannotWrite(path: source, reason: "cannot write the PostScript program")
        }
        return try await renderWithGhostscript(source, fit: nil, limit: limit, workspace: workspace,
                                               reportingAs: path, geometry: geometry)
    }

    /// Replaces the top band of every page with its header line.
    func stamp(_ header: PageHeader, on pages: inout [FaxBitmap], workspace: Workspace) async throws(DocumentError) {
        let rows = header.bandRows(yDPI: options.format.yDPI)
        let strips = try await render(program: header.program(pageCount: pages.count), workspace: workspace,
                                      reportingAs: "page header", limit: pages.count,
                                      geometry: (options.format.width, rows))
        guard strips.count == pages.count else {
            throw .toolFailed(path: "page header", tool: "gs", reason: "\(strips.count) header lines for \(pages.count) pages")
        }
        for index in pages.indices {
            pages[index].overlay(strips[index], top: 0)
        }
    }

    func officeToPDF(_ file: String, workspace: Workspace) async throws(DocumentError) -> String {
        guard ToolRunner.locate("soffice") != nil else {
            throw .toolMissing(path: file, tool: "LibreOffice", advice: Self.libreOfficeAdvice)
        }
        // LibreOffice names its output after the input; a copy with a fixed name avoids
        // anything in the user's file name reaching its command line.
        let input = workspace.file("document")
        let outputDirectory = workspace.file("office")
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: file, toPath: input)
        } catch {
            throw .cannotWrite(path: workspace.path, reason: "cannot prepare the conversion")
        }
        let runner = ToolRunner(timeLimit: options.timeLimit, memoryLimit: nil)
        let environment = ["HOME": workspace.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let outcome: ToolRunner.Outcome
        do {
            outcome = try await runner.run("soffice", ["--headless", "--norestore", "--convert-to", "pdf",
                                                       "--outdir", outputDirectory, input], environment: environment)
        } catch {
            switch error {
            case .missing: throw .toolMissing(path: file, tool: "LibreOffice", advice: Self.libreOfficeAdvice)
            case .timedOut: throw .timedOut(path: file, seconds: Int(options.timeLimit.components.seconds))
            case .cannotStart(let reason): throw .toolFailed(path: file, tool: "soffice", reason: reason)
            }
        }
        let pdf = outputDirectory + "/document.pdf"
        guard outcome.status == 0, FileManager.default.fileExists(atPath: pdf) else {
            throw .damaged(path: file, reason: "LibreOffice could not open it")
        }
        return pdf
    }
}

/// A private temporary directory for one conversion, removed when the conversion ends.
final class Workspace: Sendable {
    let path: String

    init() throws(DocumentError) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-convert-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .cannotWrite(path: path, reason: "cannot create a temporary directory")
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
        if head.firstRange(of: marker) != nil { return true }
        if size > 1 << 20 {
            try? handle.seek(toOffset: max(0, size - (1 << 20)))
            let tail = [UInt8]((try? handle.read(upToCount: 1 << 20)) ?? Data())
            if tail.firstRange(of: marker) != nil { return true }
        }
        return false
    }
}
