import ArgumentParser
import Foundation

/// `reference_audiosocket_server` (Benchmarks/References): the same calls served by plain C on
/// spandsp with the same socket I/O per frame, the floor an AudioSocket fax server can reach.
/// The benchmark points its far ends at it, in the same run as at the Swift server.
struct CReferenceServer {
    struct Figures {
        var calls = 0
        var succeeded = 0
        var cpuSeconds = 0.0
        /// Resident memory at the peak over before the first call, per call.
        var kilobytesPerCall = 0.0
    }

    let program: String
    /// `event`: a read when epoll says readable (as NIO does); `tick`: every call read once a tick.
    let mode: String

    /// Starts the server for `calls` calls, runs the far ends against it, and returns its figures
    /// with the far ends' report.
    func run(calls: Int, document: String) async throws -> (Figures, FarEnds.Report) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-c-server-\(getpid())-\(mode)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["\(calls)", folder.path, mode]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let reader = pipe.fileHandleForReading
        // "port N" comes first, in one small write; the figures when the calls have ended.
        let first = String(decoding: await Task.detached { reader.availableData }.value, as: UTF8.self)
        guard first.hasPrefix("port "), let port = Int(first.dropFirst(5).prefix { $0.isNumber }) else {
            process.terminate()
            throw ValidationError("the C reference server did not say its port: \(first)")
        }
        let output = Task.detached { try reader.readToEnd() ?? Data() }
        let farEnds = try await FarEnds.spawn(port: port, document: document, uuids: (0..<calls).map { _ in UUID() })
        let text = String(decoding: try await output.value, as: UTF8.self)
        process.waitUntilExit()
        func value(_ key: String) -> Double? {
            text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix(key + "=") }.flatMap { Double($0.dropFirst(key.count + 1)) }
        }
        guard process.terminationStatus == 0, let cpu = value("cpu_s"), let ended = value("calls"), let ok = value("ok") else {
            throw ValidationError("the C reference server failed: \(text)")
        }
        let report = try JSONDecoder().decode(FarEnds.Report.self, from: farEnds)
        let perCall = max((value("rss_peak_kb") ?? 0) - (value("rss_idle_kb") ?? 0), 0) / Double(max(calls, 1))
        return (Figures(calls: Int(ended), succeeded: Int(ok), cpuSeconds: cpu, kilobytesPerCall: perCall), report)
    }
}
