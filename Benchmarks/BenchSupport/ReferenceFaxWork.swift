import Foundation

/// The C reference's fax work (`reference_b2b_audio` in `../shared/bench`): two spandsp
/// terminals back to back on the same document, ECM on, T.4 1D/2D and T.6, five calls — as the
/// server and the far end negotiate. The yardstick every audio benchmark divides by.
package enum ReferenceFaxWork {
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// CPU per fax terminal as a fraction of a core: the program's CPU divided by the call time
    /// it simulated, halved.
    package static func measure(program: String, document: String) throws -> Double {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-bench-reference-\(getpid()).tif").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = [document, output, "1", "0x0E", "5"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = try pipe.fileHandleForReading.readToEnd() ?? Data()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        func value(_ key: String) -> Double? {
            text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix(key + "=") }.flatMap { Double($0.dropFirst(key.count + 1)) }
        }
        guard process.terminationStatus == 0, let cpu = value("cpu_s"), let simulated = value("sim_s"), simulated > 0 else {
            throw Failure(description: "the C reference failed: \(text)")
        }
        return cpu / simulated / 2
    }
}
