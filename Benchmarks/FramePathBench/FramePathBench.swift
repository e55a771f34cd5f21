import ArgumentParser
import BenchSupport
import CallMedia
import FaxEngine
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServerSupport
import Synchronization
import Telephony

/// The cost of a call's audio alone: the server's frame path (the AudioSocket server, the
/// decoder, the idle timer, ``FaxMediaCall`` with its 20 ms clock and spandsp receiver — the
/// code `faxline serve` runs for every frame) in this process, and the far ends (Asterisk's
/// side, a spandsp sender per call on a fixed 20 ms schedule) in a child process. No AGI, no
/// database, no filing: what is left is what each 20 ms frame costs, in a module small enough
/// to build in release in minutes and to run under `valgrind --tool=callgrind`
/// (instructions per call-second; "Benchmarks" in the README).
@main
struct FramePathBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frame-path-bench", subcommands: [FramePathRun.self, FarEnds.self], defaultSubcommand: FramePathRun.self)
}

struct FramePathRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "The frame-path benchmark.")

    @Option(help: "One-page fax TIFF each call sends.") var document: String
    @Option(help: "Concurrent calls.") var calls: Int = 1
    @Option(help: "The compiled reference_b2b_audio program (the C reference's fax work).") var reference: String?
    @Option(help: "The compiled reference_audiosocket_server program (Benchmarks/References): the same calls served by C with the same socket I/O, in the same run.")
    var ioReference: String?

    func run() async throws {
        ProcessMemory.limitArenas()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-frame-path-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let logger = Logger(label: "frame-path") { _ in SwiftLogNoOpLogHandler() }
        let registry = AudioSocketSessionRegistry()
        var configuration = AudioSocketServer.Configuration(port: 0)
        configuration.maximumConnections = calls + 8
        let server = AudioSocketServer(configuration: configuration, registry: registry, logger: logger)
        let running = Task { try await server.run() }
        let port = try await server.localAddress.port ?? 0

        let referencePerTerminal = try reference.map { try ReferenceFaxWork.measure(program: $0, document: document) }
        let outcomes = Outcomes()
        let clock = EventLoopMediaClock()
        var uuids: [UUID] = []
        var registrations: [AudioSocketRegistration] = []
        for index in 0..<calls {
            let uuid = UUID()
            let path = folder.appendingPathComponent("\(index).tif").path
            let media = FaxMediaCall(
                uuid: uuid, sending: false, clock: clock, logger: logger,
                makeSession: { try AudioFaxSession(role: .answering, document: .receive(path: path)) }
            ) { event in
                if case .ended(let outcome) = event { outcomes.add(outcome) }
            }
            registrations.append(try registry.register(uuid, endpoint: media))
            uuids.append(uuid)
        }
        try await Task.sleep(for: .seconds(1))
        let idle = ProcessUsage.resident()
        let peak = PeakMemory()
        let sampler = Task {
            while !Task.isCancelled {
                peak.note(ProcessUsage.resident())
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        let loadBefore = ProcessUsage.loadAverage()
        let cpuBefore = ProcessUsage.cpuSeconds()
        // A profiler attached to this process (callgrind_control -z) starts counting here.
        FileHandle.standardOutput.write(Data("measuring: \(calls) calls on port \(port)\n".utf8))
        let output = try await FarEnds.spawn(port: port, document: document, uuids: uuids)
        for _ in 0..<300 where outcomes.count < calls { try await Task.sleep(for: .milliseconds(100)) }
        let serverCPU = ProcessUsage.cpuSeconds() - cpuBefore
        // Decoded after the CPU is read: the latency histogram is thousands of numbers.
        let report = try JSONDecoder().decode(FarEnds.Report.self, from: output)
        FileHandle.standardOutput.write(Data("measured\n".utf8))
        sampler.cancel()
        running.cancel()
        _ = await running.result
        withExtendedLifetime(registrations) {}

        let succeeded = outcomes.all.count(where: \.fax.isSuccess)
        let farEndOK = report.calls.count(where: \.farEndSucceeded)
        let callSeconds = report.calls.reduce(0) { $0 + $1.wallSeconds }
        let perCall = serverCPU / max(callSeconds, 1)
        let late = report.replies.count(over: 20)
        print("== \(calls) concurrent calls, frame path only (load average \(loadBefore) before, \(ProcessUsage.loadAverage()) after) ==")
        print("calls: \(succeeded) received by the server, \(farEndOK) confirmed by the far end, of \(calls)")
        print(String(format: "frame to the server's next frame: p50 %.1f ms, p99 %.1f ms; late (> 20 ms) %d of %d",
                     report.replies.percentile(0.5), report.replies.percentile(0.99), late, report.replies.count))
        print(String(format: "call-seconds: %.1f (%.1f s a call)", callSeconds, callSeconds / Double(max(calls, 1))))
        var cpuLine = String(format: "server CPU: %.2f s: %.4f %% of a core per active call", serverCPU, perCall * 100)
        if let referencePerTerminal {
            cpuLine += String(format: ", %.2f× the C reference's fax work (%.4f %%)", perCall / referencePerTerminal, referencePerTerminal * 100)
        }
        print(cpuLine)
        let (peakTotal, peakAnonymous) = peak.value
        print(String(format: "server memory, own anonymous: idle %.1f MB, peak %.1f MB: %.0f KB per active call",
                     Double(idle.anonymous) / 1_048_576, Double(peakAnonymous) / 1_048_576,
                     Double(max(peakAnonymous - idle.anonymous, 0)) / 1024 / Double(max(calls, 1))))
        _ = peakTotal
        let logs = outcomes.all.map(\.fax.events)
        let lines = logs.reduce(0) { $0 + $1.count }
        let bytes = logs.reduce(0) { $0 + $1.reduce(0) { $0 + $1.text.utf8.count } }
        print(String(format: "T.30 event log kept: %.0f lines, %.1f KB of text a call",
                     Double(lines) / Double(max(logs.count, 1)), Double(bytes) / 1024 / Double(max(logs.count, 1))))
        if let path = ProcessInfo.processInfo.environment["FRAME_PATH_BENCH_LOG"], let first = logs.first {
            try first.map(\.description).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        if let ioReference {
            for mode in ["event", "tick"] {
                let (figures, farEnds) = try await CReferenceServer(program: ioReference, mode: mode).run(calls: calls, document: document)
                let seconds = farEnds.calls.reduce(0) { $0 + $1.wallSeconds }
                let cPerCall = figures.cpuSeconds / max(seconds, 1)
                var line = String(format: "C server with the same I/O (%@: %@): %d of %d calls received, CPU %.2f s: %.4f %% of a core per active call; the Swift server is %.2f× it",
                                  mode, mode == "event" ? "a read per frame when epoll says readable" : "every call read once a tick",
                                  figures.succeeded, calls, figures.cpuSeconds, cPerCall * 100, perCall / cPerCall)
                if let referencePerTerminal {
                    line += String(format: "; it is %.2f× the fax work", cPerCall / referencePerTerminal)
                }
                print(line)
                print(String(format: "  its frame to the server's next frame: p50 %.1f ms, p99 %.1f ms; late (> 20 ms) %d of %d; memory (resident, peak over idle) %.0f KB per active call",
                             farEnds.replies.percentile(0.5), farEnds.replies.percentile(0.99),
                             farEnds.replies.count(over: 20), farEnds.replies.count, figures.kilobytesPerCall))
            }
        }
    }
}

/// The outcomes the server's calls reported.
final class Outcomes: Sendable {
    private let outcomes = Mutex<[MediaCallOutcome]>([])
    func add(_ outcome: MediaCallOutcome) { outcomes.withLock { $0.append(outcome) } }
    var all: [MediaCallOutcome] { outcomes.withLock { $0 } }
    var count: Int { outcomes.withLock { $0.count } }
}

/// `FramePathBench farends`: Asterisk's side in a process of its own, each call's frames on a
/// fixed 20 ms schedule whatever the server sends back; prints a JSON ``Report``.
struct FarEnds: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "farends", abstract: "The far ends (run by the benchmark itself).")

    struct Report: Codable {
        var calls: [ScheduledFarEndHandler.Result] = []
        var replies = LatencyHistogram()
        var cpuSeconds = 0.0
    }

    @Option var port: Int
    @Option var document: String
    @Option(parsing: .upToNextOption) var uuid: [String]
    @Option var spreadMs: Int = 1_000

    func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let (document, port, spreadMs, uuids) = (self.document, self.port, self.spreadMs, uuid.compactMap(UUID.init(uuidString:)))
        var report = Report()
        report.calls = await withTaskGroup(of: ScheduledFarEndHandler.Result.self) { tasks in
            for (index, uuid) in uuids.enumerated() {
                tasks.addTask {
                    try? await Task.sleep(for: .milliseconds(index * spreadMs / max(uuids.count, 1)))
                    return await ScheduledFarEndHandler.run(uuid: uuid, host: "127.0.0.1", port: port, document: document, group: group)
                }
            }
            var all: [ScheduledFarEndHandler.Result] = []
            for await call in tasks { all.append(call) }
            return all
        }
        report.replies = try await FarEndSchedule.collectFigures().replies
        report.cpuSeconds = ProcessUsage.cpuSeconds()
        FileHandle.standardOutput.write(try JSONEncoder().encode(report))
    }

    /// Runs the far ends in a child process (this program again) and returns their JSON ``Report``.
    static func spawn(port: Int, document: String, uuids: [UUID]) async throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["farends", "--port", "\(port)", "--document", document, "--uuid"] + uuids.map(\.uuidString)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = try await Task.detached { try pipe.fileHandleForReading.readToEnd() ?? Data() }.value
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("the far ends failed with status \(process.terminationStatus)")
        }
        return data
    }
}
