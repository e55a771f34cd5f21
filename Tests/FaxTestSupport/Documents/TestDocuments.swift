import Foundation

/// Fax documents the tests make for themselves, from `../shared/bench/letter3.ps` (a dense
/// 3-page business letter) rendered with Ghostscript, once per test process.
public enum TestDocuments {
    /// The repository's root, found from this file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    public static let letterPostScript: URL = repositoryRoot
        .deletingLastPathComponent().appendingPathComponent("shared/bench/letter3.ps")

    /// A scratch folder for this test process.
    public static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("faxline-tests-\(getpid())", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// A fresh folder for one test.
    public static func makeTemporaryDirectory(_ label: String = "t") throws -> URL {
        let url = scratch.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The 3-page letter as a fax TIFF: A4, fine resolution (204x196), G4, 1728 wide.
    public static let letterTIFF: Result<URL, TestDocumentError> = renderLetter(resolution: "204x196", height: 2292, name: "letter3-fine.tif")

    /// The same letter at standard resolution (204x98).
    public static let letterStandardTIFF: Result<URL, TestDocumentError> = renderLetter(resolution: "204x98", height: 1146, name: "letter3-standard.tif")

    public static func letter() throws -> URL { try letterTIFF.get() }

    private static func renderLetter(resolution: String, height: Int, name: String) -> Result<URL, TestDocumentError> {
        let output = scratch.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: letterPostScript.path) else {
            return .failure(.missingInput(letterPostScript.path))
        }
        do {
            try run("/usr/bin/gs", [
                "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffg4", "-r\(resolution)",
                "-dFIXEDMEDIA", "-sPAPERSIZE=a4", "-dPDFFitPage", "-g1728x\(height)",
                "-sOutputFile=\(output.path)", letterPostScript.path,
            ])
            return .success(output)
        } catch let error as TestDocumentError {
            return .failure(error)
        } catch {
            return .failure(.toolFailed("gs", "\(error)"))
        }
    }

    /// Runs a tool and fails with its output when it does not exit 0.
    public static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestDocumentError.toolFailed(tool, String(decoding: message, as: UTF8.self))
        }
    }
}

public enum TestDocumentError: Error, CustomStringConvertible {
    case missingInput(String)
    case toolFailed(String, String)

    public var description: String {
        switch self {
        case .missingInput(let path): "test input \(path) is missing (is ../shared beside the repository?)"
        case .toolFailed(let tool, let output): "\(tool) failed: \(output)"
        }
    }
}
