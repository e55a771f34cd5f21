import ArgumentParser
import Documents
import FaxEngine
import Foundation

/// Documents against the tools people would otherwise use, in the same run, on the same files:
/// PDF → fax pages against Ghostscript alone (the converter's own floor, since it renders with
/// it), fax TIFF → PDF against tiff2pdf (and ImageMagick when installed), and the line time
/// page chop saves, measured with the engine's back-to-back call in simulated time.
/// Machines are shared and noisy, so every figure is the best of several rounds.
@main
struct DocumentsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faxline-documents-bench",
        abstract: "Documents benchmark: PDF → fax pages, fax TIFF → PDF against tiff2pdf, page chop line time.")

    @Option(help: "The 3-page letter as a PDF (ps2pdf of letter3.ps).") var letter: String = ""
    @Option(help: "Rounds; the best of each side is compared.") var rounds: Int = 3
    @Option(help: "TIFF → PDF conversions per round and tool (each takes milliseconds).") var repeats: Int = 20
    @Option(help: "Sections to run: speed, memory (comma separated).") var sections: String = "speed,memory"
    @Option(help: "Seconds each memory measurement may take before it is stopped.") var memoryTimeLimit: Int = 900

    // One conversion in a child process, for the memory section (not for use by hand).
    @Option(help: .hidden) var child: String?
    @Option(help: .hidden) var childInput: String?
    @Option(help: .hidden) var childOutput: String?

    func validate() throws {
        guard child == nil else { return }
        guard rounds >= 1, repeats >= 1 else { throw ValidationError("--rounds and --repeats must be at least 1") }
        guard FileManager.default.isReadableFile(atPath: letter) else { throw ValidationError("cannot read \(letter)") }
    }

    func run() async throws {
        if let child, let mode = ChildWork.Mode(rawValue: child), let childInput, let childOutput {
            print(await ChildWork.run(mode: mode, input: childInput, output: childOutput).text, terminator: "")
            return
        }
        let wanted = Set(sections.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-documents-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        guard let gs = ExternalTool("gs") else { throw ValidationError("Ghostscript (gs) is not installed") }

        let fifty = work + "/fifty.pdf"
        try makeFiftyPages(from: letter, to: fifty, in: work, gs: gs)

        let letterTIFF = work + "/letter.tif"
        let fiftyTIFF = work + "/fifty.tif"
        try await pdfToFax(name: "letter", pdf: letter, tiff: letterTIFF, work: work, gs: gs)
        guard wanted.contains("speed") else {
            if wanted.contains("memory") {
                try MemoryBench(work: work, gs: gs, letterPDF: letter, letterTIFF: letterTIFF,
                                timeLimit: .seconds(memoryTimeLimit)).run()
            }
            return
        }
        try await pdfToFax(name: "50-page", pdf: fifty, tiff: fiftyTIFF, work: work, gs: gs)

        try tiffToPDF(name: "letter", tiff: letterTIFF, work: work)
        try tiffToPDF(name: "50-page", tiff: fiftyTIFF, work: work)

        try await pageChop(work: work)
        if wanted.contains("memory") {
            try MemoryBench(work: work, gs: gs, letterPDF: letter, letterTIFF: letterTIFF,
                            timeLimit: .seconds(memoryTimeLimit)).run()
        }
    }

    // MARK: Inputs

    /// 17 copies of the letter through pdfwrite (51 pages), then the first 50 of them.
    private func makeFiftyPages(from letter: String, to output: String, in work: String, gs: ExternalTool) throws {
        let fixed = ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite"]
        let copies = work + "/copies.pdf"
        try gs.run(fixed + ["-sOutputFile=\(copies)"] + Array(repeating: letter, count: 17))
        try gs.run(fixed + ["-dFirstPage=1", "-dLastPage=50", "-sOutputFile=\(output)", copies])
    }

    // MARK: PDF → fax pages

    private func pdfToFax(name: String, pdf: String, tiff: String, work: String, gs: ExternalTool) async throws {
        let format = FaxPageFormat()
        let converter = DocumentConverter(options: ConversionOptions(format: format))
        let bare = work + "/gs-alone.tif"
        // What the converter asks of Ghostscript, without the reading back, chopping and
        // re-encoding around it.
        let arguments = ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOPROMPT", "-sDEVICE=tiffg4",
                         "-r\(Int(format.xDPI))x\(Int(format.yDPI))", "-g\(format.width)x\(format.height)",
                         "-dFIXEDMEDIA", "-sOutputFile=\(bare)", "-dPDFFitPage", "-f", pdf]
        var ours = Timing.infinite
        var reference = Timing.infinite
        var pages = 0
        for round in 1...rounds {
            let (result, converted) = try await Stopwatch.measure { try await converter.convert([pdf], to: tiff) }
            let (_, ghostscript) = try await Stopwatch.measure { try gs.run(arguments) }
            pages = result.pageCount
            let referencePages = try FaxTIFFReader(path: bare).pageCount
            guard referencePages == pages else {
                throw ValidationError("\(name): the converter made \(pages) pages, Ghostscript alone \(referencePages)")
            }
            print(String(format: "pdf->fax %@ round %d: converter %.3f s (%.3f cpu s)  gs alone %.3f s (%.3f cpu s)",
                         name, round, converted.wall, converted.cpu, ghostscript.wall, ghostscript.cpu))
            ours = ours.best(converted)
            reference = reference.best(ghostscript)
        }
        print(String(format: "pdf->fax %@: pages=%d converter pages_per_s=%.2f (cpu %.2f)  gs alone pages_per_s=%.2f (cpu %.2f)  ratio=%.3f",
                     name, pages, Double(pages) / ours.wall, Double(pages) / ours.cpu,
                     Double(pages) / reference.wall, Double(pages) / reference.cpu, reference.wall / ours.wall))
    }

    // MARK: Fax TIFF → PDF

    private func tiffToPDF(name: String, tiff: String, work: String) throws {
        guard let tiff2pdf = ExternalTool("tiff2pdf") else {
            throw ValidationError("tiff2pdf is not installed (apt-get install libtiff-tools)")
        }
        let imageMagick = ExternalTool.imageMagick()
        let pages = try FaxTIFFReader(path: tiff).pageCount
        let oursPDF = work + "/faxline.pdf"
        let tiff2pdfPDF = work + "/tiff2pdf.pdf"
        let imageMagickPDF = work + "/imagemagick.pdf"

        var ours = Timing.infinite
        var reference = Timing.infinite
        var magick = Timing.infinite
        for round in 1...rounds {
            let (_, written) = try Self.perConversion(repeats) {
                let result = try FaxPDFWriter.write(tiff: tiff, to: oursPDF)
                guard result.pageCount == pages else {
                    throw ValidationError("\(name): FaxPDFWriter wrote \(result.pageCount) of \(pages) pages")
                }
            }
            let (_, referenced) = try Self.perConversion(repeats) {
                try tiff2pdf.run(["-o", tiff2pdfPDF, tiff])
            }
            var line = String(format: "tiff->pdf %@ round %d: faxline %.4f s (%.4f cpu s)  tiff2pdf %.4f s (%.4f cpu s)",
                              name, round, written.wall, written.cpu, referenced.wall, referenced.cpu)
            if let imageMagick {
                let (_, converted) = try Self.perConversion(repeats) {
                    try imageMagick.run([tiff, imageMagickPDF])
                }
                line += String(format: "  convert %.4f s (%.4f cpu s)", converted.wall, converted.cpu)
                magick = magick.best(converted)
            }
            print(line)
            ours = ours.best(written)
            reference = reference.best(referenced)
        }
        func size(_ path: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        }
        var summary = String(format: "tiff->pdf %@: pages=%d faxline pages_per_s=%.1f (%d bytes)  tiff2pdf pages_per_s=%.1f (%d bytes)  ratio=%.2f (target >= 1) cpu_ratio=%.2f",
                             name, pages, Double(pages) / ours.wall, size(oursPDF),
                             Double(pages) / reference.wall, size(tiff2pdfPDF), reference.wall / ours.wall,
                             reference.cpu / ours.cpu)
        if imageMagick != nil {
            summary += String(format: "  convert pages_per_s=%.1f (%d bytes) ratio=%.2f",
                              Double(pages) / magick.wall, size(imageMagickPDF), magick.wall / ours.wall)
        } else {
            summary += "  (ImageMagick not installed: no convert figures)"
        }
        print(summary)
    }

    /// Runs `work` `count` times and gives the time of one conversion.
    private static func perConversion(_ count: Int, _ work: () throws -> Void) throws -> (Void, Timing) {
        let clock = ContinuousClock()
        let cpuBefore = Stopwatch.cpuSeconds()
        let start = clock.now
        for _ in 0..<count { try work() }
        let elapsed = clock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return ((), Timing(wall: wall / Double(count), cpu: (Stopwatch.cpuSeconds() - cpuBefore) / Double(count)))
    }

    // MARK: Page chop

    /// One and a half pages of text, converted without and with chopping the last page, each
    /// sent back to back. The last page's line time runs from the previous page's post-page
    /// exchange to its own.
    private func pageChop(work: String) async throws {
        let format = FaxPageFormat()
        let text = work + "/one-and-a-half.txt"
        let sentence = "Please find enclosed the signed contract and the delivery schedule for the second quarter, as agreed."
        let layout = TextLayout()
        let rowsPerPage = layout.pages(of: Array(repeating: "x", count: 500).joined(separator: "\n"), format: format)[0].count
        let lines = (0..<(rowsPerPage + rowsPerPage / 2)).map { "\($0 + 1). " + sentence.prefix(60 + $0 % 17) }
        try lines.joined(separator: "\n").write(toFile: text, atomically: true, encoding: .utf8)

        let unchopped = work + "/chop-none.tif"
        let chopped = work + "/chop-last.tif"
        try await DocumentConverter(options: ConversionOptions(format: format, pageChop: .none)).convert([text], to: unchopped)
        try await DocumentConverter(options: ConversionOptions(format: format, pageChop: PageChop(mode: .last))).convert([text], to: chopped)
        let unchoppedPages = try FaxTIFFReader(path: unchopped).pages
        let choppedPages = try FaxTIFFReader(path: chopped).pages
        print("page chop: \(lines.count) lines of text, \(unchoppedPages.count) pages; last page \(unchoppedPages.last?.height ?? 0) rows unchopped, \(choppedPages.last?.height ?? 0) rows chopped")

        let received = work + "/received.tif"
        // The default first; then what older machines negotiate, where blank rows cost more.
        // The last two: a receiver that asks for a minimum scan line time, as printing G3
        // machines do — the case PageChop exists for.
        let settings: [(String, Bool, FaxCompressions, Int?, Int)] = [
            ("ECM T.6", true, .all, nil, 0),
            ("no ECM T.4 2D", false, [.t4OneDimensional, .t4TwoDimensional], nil, 0),
            ("no ECM T.4 1D", false, [.t4OneDimensional], nil, 0),
            ("no ECM T.4 1D 4800 bit/s", false, [.t4OneDimensional], 4800, 0),
            ("no ECM T.4 2D, receiver 10 ms/line", false, [.t4OneDimensional, .t4TwoDimensional], nil, 10),
            ("no ECM T.4 2D, receiver 20 ms/line", false, [.t4OneDimensional, .t4TwoDimensional], nil, 20),
        ]
        for (label, ecm, compressions, maximumBitRate, scanLineTime) in settings {
            var options = FaxSessionOptions()
            options.ecm = ecm
            options.compressions = compressions
            options.maximumBitRate = maximumBitRate
            var receiverOptions = options
            receiverOptions.minimumScanLineTime = scanLineTime
            let whole = try sendBackToBack(unchopped, to: received, options: options, receiverOptions: receiverOptions)
            let cut = try sendBackToBack(chopped, to: received, options: options, receiverOptions: receiverOptions)
            print(String(format: "page chop %@: call %.1f s -> %.1f s (saves %.1f %%); last page %.1f s -> %.1f s  saving=%.1f %% (target >= 30 %%)",
                         label, whole.call, cut.call, 100 * (1 - cut.call / whole.call),
                         whole.lastPage, cut.lastPage, 100 * (1 - cut.lastPage / whole.lastPage)))
        }
    }

    /// Simulated seconds of the whole call and of its last page.
    private func sendBackToBack(_ tiff: String, to received: String, options: FaxSessionOptions,
                                receiverOptions: FaxSessionOptions) throws -> (call: Double, lastPage: Double) {
        let call = try BackToBackCall(send: .send(path: tiff), receive: .receive(path: received),
                                      senderOptions: options, receiverOptions: receiverOptions)
        let (sent, receivedResult) = call.run()
        guard sent.isSuccess, receivedResult.isSuccess else {
            throw ValidationError("back-to-back call failed: \(sent.statusString) / \(receivedResult.statusString)")
        }
        // Phase D is each page's post-page exchange; before the first page, phase B starts.
        let marks = sent.events.filter { $0.kind == .phaseD || $0.kind == .phaseB }.map(\.time)
        guard marks.count >= 2 else { throw ValidationError("no page events in the sender's log") }
        return (call.simulatedSeconds, marks[marks.count - 1] - marks[marks.count - 2])
    }
}
