import CTIFF
import Documents
import Foundation

/// Peak memory of converting and filing documents of any size. Each conversion runs in a child
/// process (this program again, with `--child`), so one conversion's peak is not hidden by an
/// earlier one's. The child reports its own peak resident size (`ru_maxrss`, exact); meanwhile
/// this process samples the resident size of the child and every process below it (the tools
/// it runs) from /proc every 10 ms, for the peak of the whole conversion.
struct MemoryBench {
    let work: String
    let gs: ExternalTool
    let letterPDF: String
    let letterTIFF: String
    /// A child that takes longer than this is stopped and reported as such.
    let timeLimit: Duration

    struct Case {
        var name: String
        var mode: ChildWork.Mode
        var input: String
    }

    func run() throws {
        let inputs = try makeInputs()
        print(String(format: "memory: load average %@ (%d cores)", loadAverage(), ProcessInfo.processInfo.activeProcessorCount))
        let baseline = try measure(Case(name: "idle child (the runtime's floor)", mode: .idle, input: "-"))
        print(baseline.line(name: "idle child (the runtime's floor)"))
        for item in inputs {
            let outcome = try measure(item)
            print(outcome.line(name: item.name))
        }
    }

    // MARK: Inputs

    private func makeInputs() throws -> [Case] {
        let rgb = work + "/rgb-20000x5000.tif"
        try TIFFMaker.colourSingleStrip(path: rgb, width: 20_000, height: 5_000)
        let bilevel = work + "/g4-200x10000x10000.tif"
        try TIFFMaker.bilevelPages(path: bilevel, width: 10_000, height: 10_000, pages: 200)

        // 1000 dpi renderings of the letter's first page: about 8300×11700 pixels (97 million).
        let png = work + "/huge.png"
        let jpeg = work + "/huge.jpg"
        for (device, output) in [("png16m", png), ("jpeg", jpeg)] {
            try gs.run(["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=\(device)", "-r1000", "-dLastPage=1",
                        "-sOutputFile=\(output)", letterPDF])
        }

        let fixed = ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite"]
        let copies = work + "/copies.pdf"
        let pdf = work + "/pdf-200.pdf"
        try gs.run(fixed + ["-sOutputFile=\(copies)"] + Array(repeating: letterPDF, count: 67))
        try gs.run(fixed + ["-dFirstPage=1", "-dLastPage=200", "-sOutputFile=\(pdf)", copies])
        try? FileManager.default.removeItem(atPath: copies)

        // A received fax of 200 pages: 66 copies of the 3-page letter and two pages more.
        guard let tiffcp = ExternalTool("tiffcp") else { throw BenchError("tiffcp is not installed (apt-get install libtiff-tools)") }
        let fax = work + "/fax-200.tif"
        try tiffcp.run(Array(repeating: letterTIFF, count: 66) + [letterTIFF + ",0,1", fax])

        func size(_ path: String) -> String {
            let bytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
            return String(format: "%.1f MB", Double(bytes) / 1e6)
        }
        return [
            Case(name: "convert RGB TIFF 20000x5000 (\(size(rgb)))", mode: .convert, input: rgb),
            Case(name: "convert TIFF 200 pages 10000x10000 (\(size(bilevel)))", mode: .convert, input: bilevel),
            Case(name: "convert PNG 1000 dpi A4 RGB (\(size(png)))", mode: .convert, input: png),
            Case(name: "convert JPEG 1000 dpi A4 (\(size(jpeg)))", mode: .convert, input: jpeg),
            Case(name: "convert PDF 200 pages (\(size(pdf)))", mode: .convert, input: pdf),
            Case(name: "file received fax 200 pages -> PDF + thumbnail (\(size(fax)))", mode: .file, input: fax),
        ]
    }

    private func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    // MARK: Children

    struct Outcome {
        var peakKB: Int
        var treePeakKB: Int
        var seconds: Double
        var result: String

        func line(name: String) -> String {
            String(format: "memory %@: faxline process peak %.1f MB, with its tools %.1f MB (sampled), %.1f s, %@",
                   name, Double(peakKB) / 1024, Double(treePeakKB) / 1024, seconds, result)
        }
    }

    private func measure(_ item: Case) throws -> Outcome {
        let output = work + "/out-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: output + ".tif")
            try? FileManager.default.removeItem(atPath: output + ".pdf")
            try? FileManager.default.removeItem(atPath: output + ".png")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["--child", item.mode.rawValue, "--child-input", item.input, "--child-output", output]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let started = ContinuousClock.now
        try process.run()
        let sampler = TreeSampler(root: process.processIdentifier)
        sampler.start()
        let limit = timeLimit
        let watchdog = DispatchWorkItem { [process] in if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(limit.components.seconds)), execute: watchdog)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let treePeak = sampler.stop()
        watchdog.cancel()
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let report = ChildWork.Report.parse(String(decoding: data, as: UTF8.self))
        guard let report else {
            return Outcome(peakKB: 0, treePeakKB: treePeak, seconds: seconds,
                           result: "child ended without a report (status \(process.terminationStatus), \(process.terminationReason == .uncaughtSignal ? "killed by a signal" : "exited"))")
        }
        return Outcome(peakKB: report.peakKB, treePeakKB: max(treePeak, report.peakKB), seconds: seconds, result: report.result)
    }
}

/// What a `--child` run does: one conversion, then its memory report on stdout.
enum ChildWork {
    enum Mode: String {
        case idle
        /// Document → fax TIFF, as a submission does.
        case convert
        /// Received fax TIFF → PDF and thumbnail, as filing a received fax does.
        case file
    }

    struct Report {
        var peakKB: Int
        var result: String

        var text: String { "peak_kb=\(peakKB)\nresult=\(result)\n" }

        static func parse(_ text: String) -> Report? {
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            guard let peak = fields["peak_kb"].flatMap(Int.init) else { return nil }
            return Report(peakKB: peak, result: fields["result"] ?? "")
        }
    }

    static func run(mode: Mode, input: String, output: String) async -> Report {
        var result: String
        do {
            switch mode {
            case .idle:
                result = "ok"
            case .convert:
                let converted = try await DocumentConverter().convert([input], to: output + ".tif")
                result = "ok, \(converted.pageCount) pages"
            case .file:
                let written = try FaxPDFWriter.write(tiff: input, to: output + ".pdf")
                try await FaxPreview().thumbnail(ofPDF: output + ".pdf", to: output + ".png")
                result = "ok, \(written.pageCount) pages"
            }
        } catch {
            result = "refused: \(error)"
        }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Report(peakKB: usage.ru_maxrss, result: result.replacingOccurrences(of: "\n", with: " "))
    }
}

/// Samples the resident memory of a process and all its descendants from /proc.
final class TreeSampler: @unchecked Sendable {
    private let root: Int32
    private let lock = NSLock()
    private var running = true
    private var peakKB = 0
    private var thread: Thread?

    init(root: Int32) {
        self.root = root
    }

    func start() {
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                let sample = residentKB()
                lock.withLock { peakKB = max(peakKB, sample) }
                usleep(10_000)
            }
        }
        self.thread = thread
        thread.start()
    }

    /// Stops sampling; the peak seen, in kilobytes.
    func stop() -> Int {
        lock.withLock {
            running = false
            return peakKB
        }
    }

    private func residentKB() -> Int {
        var parents: [Int32: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parents[pid] = parent }
        }
        var total = 0
        let page = Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
        for pid in parents.keys {
            var ancestor: Int32? = pid
            while let current = ancestor, current != root, current > 1 { ancestor = parents[current] }
            guard ancestor == root,
                  let statm = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { continue }
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { total += pages * page }
        }
        return total
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Large TIFFs written row by row with libtiff, so making them costs no memory either.
enum TIFFMaker {
    /// An RGB picture in one deflate strip (the layout that made whole-strip decoders allocate
    /// the full image): white, with coloured blocks and dark bars like lines of text.
    static func colourSingleStrip(path: String, width: Int, height: Int) throws {
        guard let tiff = TIFFOpen(path, "w") else { throw BenchError("cannot create \(path)") }
        defer { TIFFClose(tiff) }
        _ = faxline_tiff_set_u32(tiff, UInt32(TIFFTAG_IMAGEWIDTH), UInt32(width))
        _ = faxline_tiff_set_u32(tiff, UInt32(TIFFTAG_IMAGELENGTH), UInt32(height))
        _ = faxline_tiff_set_u16(tiff, UInt32(TIFFTAG_BITSPERSAMPLE), 8)
        _ = faxline_tiff_set_u16(tiff, UInt32(TIFFTAG_SAMPLESPERPIXEL), 3)
        _ = faxline_tiff_set_u16(tiff, UInt32(TIFFTAG_PHOTOMETRIC), UInt16(PHOTOMETRIC_RGB))
        _ = faxline_tiff_set_u16(tiff, UInt32(TIFFTAG_PLANARCONFIG), UInt16(PLANARCONFIG_CONTIG))
        _ = faxline_tiff_set_u16(tiff, UInt32(TIFFTAG_COMPRESSION), UInt16(COMPRESSION_ADOBE_DEFLATE))
        _ = faxline_tiff_set_u32(tiff, UInt32(TIFFTAG_ROWSPERSTRIP), UInt32(height))
        _ = faxline_tiff_set_u16(tiff, UInt32(TIFFTAG_RESOLUTIONUNIT), UInt16(RESUNIT_INCH))
        _ = faxline_tiff_set_float(tiff, UInt32(TIFFTAG_XRESOLUTION), 600)
        _ = faxline_tiff_set_float(tiff, UInt32(TIFFTAG_YRESOLUTION), 600)
        var row = [UInt8](repeating: 255, count: width * 3)
        for y in 0..<height {
            for x in 0..<width {
                let block = (x / 2000 + y / 1000) % 5 == 0
                let bar = (y % 120) < 40 && (x % 900) < 700 && (y / 120) % 3 != 2
                let value: (UInt8, UInt8, UInt8) = bar ? (20, 20, 20) : block ? (200, 60, 40) : (255, 255, 255)
                row[3 * x] = value.0
                row[3 * x + 1] = value.1
                row[3 * x + 2] = value.2
            }
            let status = row.withUnsafeMutableBytes { TIFFWriteScanline(tiff, $0.baseAddress, UInt32(y), 0) }
            guard status == 1 else { throw BenchError("cannot write row \(y) of \(path)") }
        }
    }

    /// Black and white G4 pages at 1200 dpi, each a frame and a diagonal, written by the
    /// product's own fax TIFF writer.
    static func bilevelPages(path: String, width: Int, height: Int, pages: Int) throws {
        var page = FaxBitmap(width: width, height: height, xResolution: 1200, yResolution: 1200)
        var row = [UInt8](repeating: 0, count: page.bytesPerRow)
        for y in 0..<height {
            let edge = y < 40 || y >= height - 40
            for i in row.indices { row[i] = edge ? 0xFF : 0 }
            if !edge {
                for x in [0, 8, 16, 24, width - 32, width - 24, width - 16, width - 8] { row[x / 8] = 0xFF }
                let diagonal = y * width / height
                for x in diagonal..<min(width, diagonal + 24) { row[x / 8] |= 0x80 >> UInt8(x % 8) }
            }
            page.setRow(y, row)
        }
        let writer = try FaxTIFFWriter(path: path)
        for _ in 0..<pages { try writer.append(page, total: pages) }
        try writer.commit()
    }
}
