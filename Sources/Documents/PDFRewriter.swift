import Foundation

/// Ghostscript's `pdfwrite`, for what a printed document needs before it becomes fax pages:
/// PostScript made into PDF (so that its text can be read), and boxes painted white on a PDF's
/// pages (so that what they covered is not sent).
///
/// White boxes are painted by the page device's `EndPage` procedure, over everything the page
/// drew, in the page's default coordinates — the ones `pdftotext -bbox` reports (turned upside
/// down: PDF counts from the bottom). The text stays in the PDF underneath; what matters is that
/// the pages Ghostscript renders from it for the fax show white there.
public struct PDFRewriter: Sendable {
    public var options: ConversionOptions

    public init(options: ConversionOptions = ConversionOptions()) {
        self.options = options
    }

    /// Writes `postScript` as a PDF to `output`.
    public func pdf(fromPostScript postScript: String, writingTo output: String, reportingAs path: String) async throws(DocumentError) {
        try await rewrite(postScript, prologue: nil, writingTo: output, reportingAs: path)
    }

    /// Copies `pdf` to `output` with the boxes of each page painted white: `boxes[n]` are page
    /// n's (0-based), in `pdftotext -bbox` coordinates of a page `heights[n]` points high.
    /// Each box grows by `margin` points on every side, for glyphs that reach past their box.
    public func whitingOut(_ boxes: [[PDFTextLayout.Box]], pageHeights heights: [Double], in pdf: String, margin: Double = 1.5,
                           writingTo output: String, reportingAs path: String) async throws(DocumentError) {
        guard boxes.count == heights.count else { throw .invalidOption("\(boxes.count) pages of boxes for \(heights.count) pages") }
        try await rewrite(pdf, prologue: Self.whiteBoxProgram(boxes, pageHeights: heights, margin: margin),
                          writingTo: output, reportingAs: path)
    }

    /// The PostScript that paints the boxes: only numbers of our own making, never text from
    /// the document.
    static func whiteBoxProgram(_ boxes: [[PDFTextLayout.Box]], pageHeights heights: [Double], margin: Double) -> String {
        func number(_ value: Double) -> String { String(format: "%.2f", value.isFinite ? value : 0) }
        let pages = zip(boxes, heights).map { pageBoxes, height in
            "[" + pageBoxes.map { box in
                let x = box.xMin - margin, y = height - box.yMax - margin
                return [x, y, box.xMax - box.xMin + 2 * margin, box.yMax - box.yMin + 2 * margin].map(number).joined(separator: " ")
            }.joined(separator: " ") + "]"
        }
        // EndPage gets the count of pages shown before this one and the reason (0 showpage,
        // 1 copypage, 2 the device going away); it paints this page's boxes and says whether
        // to emit the page, as the default procedure does.
        return """
            /FaxlineWhiteBoxes [
            \(pages.joined(separator: "\n"))
            ] def
            << /EndPage {
              dup 2 lt {
                exch dup FaxlineWhiteBoxes length lt {
                  FaxlineWhiteBoxes exch get dup length 0 gt { gsave initgraphics 1 setgray rectfill grestore } { pop } ifelse
                } { pop } ifelse
              } { exch pop } ifelse
              2 ne
            } >> setpagedevice

            """
    }

    private func rewrite(_ input: String, prologue: String?, writingTo output: String, reportingAs path: String) async throws(DocumentError) {
        let ghostscript = Ghostscript(runner: ToolRunner(timeLimit: options.timeLimit, memoryLimit: options.memoryLimit))
        let sandbox = try ToolSandbox()
        defer { sandbox.remove() }
        let result = sandbox.file("result.pdf")
        var arguments = ["-sDEVICE=pdfwrite", "-dUseCropBox", "-dLastPage=\(options.maximumPages + 1)", "-sOutputFile=\(result)"]
        if let prologue {
            let program = sandbox.file("white-boxes.ps")
            guard FileManager.default.createFile(atPath: program, contents: Data(prologue.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw .cannotWrite(path: program, reason: "cannot write the PostScript program")
            }
            arguments += ["--permit-file-read=\(program)", "-f", program]
        }
        let outcome = try await ghostscript.run(arguments, input: input, reportingAs: path)
        guard outcome.status == 0, FileManager.default.fileExists(atPath: result) else {
            if outcome.output.lowercased().contains("password") { throw .encrypted(path: path) }
            if Ghostscript.refusedFileAccess(outcome.output) { throw .fileAccessRefused(path: path) }
            throw .damaged(path: path, reason: outcome.status != 0 ? Ghostscript.summary(outcome.output) : "no pages could be read")
        }
        do {
            if FileManager.default.fileExists(atPath: output) { try FileManager.default.removeItem(atPath: output) }
            try FileManager.default.moveItem(atPath: result, toPath: output)
        } catch {
            throw .cannotWrite(path: output, reason: error.localizedDescription)
        }
    }
}
