import ArgumentParser
import Foundation

/// A reference program (gs, tiff2pdf, ImageMagick) run with an argument vector, no shell.
struct ExternalTool {
    let executable: String

    /// Finds `name` on PATH; nil when it is not installed.
    init?(_ name: String) {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        guard let found = searchPath.split(separator: ":").map({ "\($0)/\(name)" })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        executable = found
    }

    /// Runs the tool to its end; throws with its output when it fails.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(executable) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(output.prefix(500))")
        }
        return output
    }

    /// ImageMagick's `convert`, only when it is the real one: the machine may have a stand-in
    /// of the same name that does something else.
    static func imageMagick() -> ExternalTool? {
        guard let tool = ExternalTool("convert"),
              let version = try? tool.run(["-version"]),
              version.hasPrefix("Version: ImageMagick") else { return nil }
        return tool
    }
}
