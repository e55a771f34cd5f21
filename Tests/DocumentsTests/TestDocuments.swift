import Documents
import Foundation
import Testing

/// Documents made by the tests themselves, and the tools to look at results independently.
enum TestDocuments {
    static let benchDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/bench")

    static var letterPostScript: String { benchDirectory.appendingPathComponent("letter3.ps").path }

    /// One directory for the whole run; each test makes its own subdirectory.
    static let root: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-documents-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static func directory(_ name: String = #function) -> URL {
        let url = root.appendingPathComponent("\(name.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// letter3.ps rendered the way the bench README does: A4, fine, G4, 3 pages. Made once.
    static let letterTIFF: String = {
        let output = root.appendingPathComponent("letter3.tif").path
        let status = runTool("gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffg4", "-r204x196",
                                    "-dFIXEDMEDIA", "-sPAPERSIZE=a4", "-dPSFitPage", "-g1728x2292",
                                    "-sOutputFile=\(output)", letterPostScript])
        precondition(status == 0, "gs could not render letter3.ps")
        return output
    }()

    /// letter3.ps through ps2pdf, as a user would send it. Made once.
    static let letterPDF: String = {
        let output = root.appendingPathComponent("letter3.pdf").path
        let status = runTool("ps2pdf", ["-sPAPERSIZE=a4", letterPostScript, output])
        precondition(status == 0, "ps2pdf could not convert letter3.ps")
        return output
    }()

    @discardableResult
    static func runTool(_ program: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Renders one PDF page to 1-bit pixels with an independent renderer, at the given resolution.
    static func renderWithPdftoppm(_ pdf: String, page: Int, xDPI: Double, yDPI: Double) throws -> FaxBitmap {
        let prefix = root.appendingPathComponent("render-\(UUID().uuidString)").path
        let status = runTool("pdftoppm", ["-mono", "-f", "\(page)", "-l", "\(page)",
                                          "-rx", "\(xDPI)", "-ry", "\(yDPI)", "-singlefile", pdf, prefix])
        try #require(status == 0)
        defer { try? FileManager.default.removeItem(atPath: prefix + ".pbm") }
        return try readPBM(prefix + ".pbm")
    }

    static func renderWithGhostscript(_ pdf: String, page: Int, xDPI: Double, yDPI: Double) throws -> FaxBitmap {
        let output = root.appendingPathComponent("render-\(UUID().uuidString).pbm").path
        let status = runTool("gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pbmraw",
                                    "-r\(xDPI)x\(yDPI)", "-dFirstPage=\(page)", "-dLastPage=\(page)",
                                    "-sOutputFile=\(output)", pdf])
        try #require(status == 0)
        defer { try? FileManager.default.removeItem(atPath: output) }
        return try readPBM(output)
    }

    /// Binary PBM (P4): 1 = black, rows padded to bytes, the same layout as FaxBitmap.
    static func readPBM(_ path: String) throws -> FaxBitmap {
        let data = try #require(FileManager.default.contents(atPath: path))
        var fields: [Int] = []
        var index = 2
        try #require(data.prefix(2) == Data("P4".utf8))
        while fields.count < 2 {
            while index < data.count, data[index] == 0x20 || data[index] == 0x0A || data[index] == 0x0D || data[index] == 0x09 { index += 1 }
            if index < data.count, data[index] == UInt8(ascii: "#") {
                while index < data.count, data[index] != 0x0A { index += 1 }
                continue
            }
            var value = 0
            while index < data.count, (0x30...0x39).contains(data[index]) {
                value = value * 10 + Int(data[index] - 0x30)
                index += 1
            }
            fields.append(value)
        }
        index += 1
        var bitmap = FaxBitmap(width: fields[0], height: fields[1], xResolution: 0, yResolution: 0)
        let rowBytes = bitmap.bytesPerRow
        for y in 0..<bitmap.height {
            let start = index + y * rowBytes
            bitmap.setRow(y, data[start..<(start + rowBytes)])
        }
        return bitmap
    }
}
