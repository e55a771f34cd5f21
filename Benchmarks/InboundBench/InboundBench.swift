import ArgumentParser
import BenchSupport
import FaxCore
import FaxlineServer
import Foundation
import Logging
import Mail
import ServerSupport
import Store

/// Inbound calls in real time through the real FastAGI and AudioSocket servers on loopback:
/// the server (the one `faxline serve` runs, with its memory settings) in this process, the
/// Asterisk side with a spandsp fax machine per call in a child process of its own
/// (``AsteriskLoad``) that sends every call's frames on a fixed 20 ms schedule whatever the
/// server does. Per level of concurrent calls: calls that really reached the device and
/// succeeded, how long each frame waited for the server's next one, each call's wall time
/// against its line time, the server's CPU per active call against the C reference's fax work,
/// and the server's memory idle, per active call and after. Then FastAGI alone.
@main
struct InboundBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbound-bench", subcommands: [BenchmarkRun.self, AsteriskLoad.self, AsteriskRouting.self],
        defaultSubcommand: BenchmarkRun.self)
}

struct BenchmarkRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "The inbound benchmark.")

    @Option(help: "One-page fax TIFF each call sends.") var document: String
    @Option(parsing: .upToNextOption, help: "Numbers of concurrent calls to try, in order.") var levels: [Int] = [50, 100, 200]
    @Option(help: "The compiled reference_b2b_audio program (the C reference's fax work).") var reference: String?
    @Option(help: "AGI calls for the routing figure.") var agiCalls: Int = 5_000
    @Option(help: "Concurrent AGI connections.") var agiConcurrency: Int = 100
    @Option(help: "The calls' starts are spread over this many milliseconds (all start within a second by default, so their pages end together too).")
    var spreadMs: Int = 1_000
    @Option(help: "Independent 20 ms clocks the Asterisk side's calls follow, per event loop of its own (Asterisk's channels each have their own timing; 1: all calls of a loop send at the same moment).")
    var channelClocks: Int = 10

    func run() async throws {
        ProcessMemory.limitArenas()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-inbound-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = FaxlineConfiguration(dataDirectory: folder.path)
        configuration.agi = .init(host: "127.0.0.1", port: 0)
        configuration.audioSocket = .init(host: "127.0.0.1", port: 0)
        configuration.web.host = nil
        configuration.mailIn.host = nil
        configuration.lines = max(levels.max() ?? 1, agiConcurrency) + 8
        configuration.minimumFreeBytes = 0
        configuration.smtp = .init(host: "127.0.0.1", port: 25, tlsMode: .none, fromAddress: "bench@example.com")
        var logger = Logger(label: "bench")
        logger.logLevel = ProcessInfo.processInfo.environment["FAXLINE_BENCH_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = try FaxDatabase(path: configuration.databasePath)
        let mail = DiscardedMail()
        let server = try FaxlineServer(configuration: configuration, logger: logger, mailSender: mail, store: database)
        _ = try await database.addDevice(
            FaxDevice(extensionNumber: "201", name: "Bench", emailAddresses: ["bench@example.com"]))
        let running = Task { try await server.run(signals: []) }
        let agiPort = try await server.agiServer.localAddress.port ?? 0
        _ = try await server.audioSocketServer.localAddress

        let referencePerTerminal = try reference.map { try ReferenceFaxWork.measure(program: $0, document: document) }
        if let referencePerTerminal {
            print(String(format: "C reference (reference_b2b_audio, same document): fax work per terminal %.3f %% of a core",
                         referencePerTerminal * 100))
        }
        try await Task.sleep(for: .seconds(2))
        let idle = ProcessUsage.resident()
        print(String(format: "server memory idle: %.1f MB resident, of which %.1f MB its own (anonymous; the rest is shared library code) (load average %@)",
                     Self.megabytes(idle.total), Self.megabytes(idle.anonymous), ProcessUsage.loadAverage()))

        for level in levels {
            try await runLevel(level, agiPort: agiPort, server: server, mail: mail, idle: idle, referencePerTerminal: referencePerTerminal)
        }
        let mailed = mail.count
        let routing = try JSONDecoder().decode(AsteriskRouting.Report.self, from: try await runChild(
            ["route", "--agi-port", "\(agiPort)", "--calls", "\(agiCalls)", "--concurrency", "\(agiConcurrency)",
             "--document", document]))
        print(String(format: "fastagi: %d calls routed to the device (%d not) at %d concurrent connections in %.2f s: %.0f routed calls/s",
                     routing.routed, routing.refused, agiConcurrency, routing.seconds, Double(routing.routed) / routing.seconds))
        print("mails composed for the received faxes (not sent): \(mailed)")
        running.cancel()
        _ = await running.result
    }

    private func runLevel(_ level: Int, agiPort: Int, server: FaxlineServer, mail: DiscardedMail,
                          idle: (total: Int, anonymous: Int), referencePerTerminal: Double?) async throws {
        let mailedBefore = mail.count
        let loadBefore = ProcessUsage.loadAverage()
        let cpuBefore = ProcessUsage.cpuSeconds()
        let childrenBefore = ProcessUsage.childrenCPUSeconds()
        let peak = PeakMemory()
        let sampler = Task {
            while !Task.isCancelled {
                peak.note(ProcessUsage.resident())
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        let output = try await runChild(["emulate", "--agi-port", "\(agiPort)", "--calls", "\(level)", "--document", document,
                                       "--spread-ms", "\(spreadMs)", "--channel-clocks", "\(channelClocks)"])
        sampler.cancel()
        let serverCPU = ProcessUsage.cpuSeconds() - cpuBefore
        // Decoded after the CPU is read: its latency histograms are thousands of numbers.
        let report = try JSONDecoder().decode(LoadReport.self, from: output)
        let loadAfter = ProcessUsage.loadAverage()
        // Calls end on Asterisk's side a moment before the server has released their lines.
        for _ in 0..<300 where server.lines.heldLines > 0 { try await Task.sleep(for: .milliseconds(100)) }
        let callsEnded = ContinuousClock.now
        try await Task.sleep(for: .seconds(3))
        let after = ProcessUsage.resident()
        // The work after the calls — pages, PDFs, previews, mails — is done once every fax is
        // mailed; the server gives memory back once it has been quiet for its settle time (10 s).
        let succeeded = report.calls.filter(\.succeeded).count
        for _ in 0..<1_200 where mail.count - mailedBefore < succeeded { try await Task.sleep(for: .milliseconds(100)) }
        let mailedWithin = ContinuousClock.now - callsEnded
        try await Task.sleep(until: callsEnded + .seconds(12))
        let quiet = ProcessUsage.resident()
        // The Asterisk side is a child process too: its own CPU is not the previews'.
        let previewCPU = max(0, ProcessUsage.childrenCPUSeconds() - childrenBefore - report.cpuSeconds)

        let routed = report.calls.filter(\.routed)
        let media = routed.map(\.media)
        let callSeconds = media.reduce(0) { $0 + $1.wallSeconds }
        let serverLine = Double(media.reduce(0) { $0 + $1.serverFrames }) * 0.02
        let farEndLine = Double(media.reduce(0) { $0 + $1.framesSent }) * 0.02
        let longest = media.map { $0.wallSeconds / max(Double($0.serverFrames) * 0.02, 0.02) }.max() ?? 0
        let refusals = Dictionary(grouping: report.calls.compactMap(\.refusal), by: { $0 }).mapValues(\.count)
        let late = report.replies.count(over: 20)
        let perCall = serverCPU / max(callSeconds, 1)
        print("== \(level) concurrent calls, their starts spread over \(spreadMs) ms, the Asterisk side on \(channelClocks) channel clocks a loop (load average \(loadBefore) before, \(loadAfter) after) ==")
        print("calls: \(level) placed, \(routed.count) routed to the device, \(succeeded) succeeded"
              + (refusals.isEmpty ? "" : ", refused: \(refusals)"))
        print(String(format: "frame to the server's next frame: p50 %.1f ms, p99 %.1f ms, max %.0f ms; late (> 20 ms) %d of %d (%.2f %%)",
                     report.replies.percentile(0.5), report.replies.percentile(0.99), report.replies.maximum,
                     late, report.replies.count, 100 * Double(late) / Double(max(report.replies.count, 1))))
        print(String(format: "the Asterisk side's own lateness sending on its schedule: p50 %.1f ms, p99 %.1f ms, max %.0f ms",
                     report.sendLateness.percentile(0.5), report.sendLateness.percentile(0.99), report.sendLateness.maximum))
        print(String(format: "call length: %.1f s of wall time a call on average; line time sent %.1f s, answered by the server %.1f s (%.2f %% of the wall time missing; worst call %.3f× its line time)",
                     callSeconds / Double(max(media.count, 1)), farEndLine / Double(max(media.count, 1)),
                     serverLine / Double(max(media.count, 1)), 100 * (1 - serverLine / max(callSeconds, 0.001)), longest))
        var cpuLine = String(format: "server CPU: %.1f s for %.0f call-seconds: %.3f %% of a core per active call",
                             serverCPU, callSeconds, perCall * 100)
        if let referencePerTerminal {
            cpuLine += String(format: ", %.1f× the C reference's fax work (target <= 2×)", perCall / referencePerTerminal)
        }
        print(cpuLine)
        print(String(format: "previews of the received faxes (Ghostscript, child processes of the server): %.1f CPU s, %.2f s a fax",
                     previewCPU, previewCPU / Double(max(routed.count, 1))))
        print(String(format: "Asterisk side (other process, far-end fax machines included): %.1f CPU s, %.3f %% of a core per call",
                     report.cpuSeconds, 100 * report.cpuSeconds / max(callSeconds, 1)))
        let (peakTotal, peakAnonymous) = peak.value
        print(String(format: "server memory, resident (own anonymous): idle %.1f MB (%.1f), peak %.1f MB (%.1f): %.0f KB (%.0f) per active call; %.1f MB (%.1f) 3 s after the calls ended",
                     Self.megabytes(idle.total), Self.megabytes(idle.anonymous), Self.megabytes(peakTotal), Self.megabytes(peakAnonymous),
                     Double(max(peakTotal - idle.total, 0)) / 1024 / Double(max(level, 1)),
                     Double(max(peakAnonymous - idle.anonymous, 0)) / 1024 / Double(max(level, 1)),
                     Self.megabytes(after.total), Self.megabytes(after.anonymous)))
        print(String(format: "every fax mailed within %.1f s of the calls' end (%d of %d); 12 s after it (the server quiet for 10 s): %.1f MB (%.1f)",
                     mailedWithin / .seconds(1), mail.count - mailedBefore, succeeded,
                     Self.megabytes(quiet.total), Self.megabytes(quiet.anonymous)))
    }

    static func megabytes(_ bytes: Int) -> Double { Double(bytes) / 1_048_576 }

    /// Runs this program in one of its child modes and returns the JSON it prints.
    private func runChild(_ arguments: [String]) async throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = try await Task.detached { try pipe.fileHandleForReading.readToEnd() ?? Data() }.value
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("the Asterisk side (\(arguments.first ?? "")) failed with status \(process.terminationStatus)")
        }
        return data
    }
}

/// Keeps the mails the server composes for received faxes instead of sending them: the mail
/// work is the server's, the SMTP server's is not.
final class DiscardedMail: MailSender {
    private let sent = Mutex(0)
    var count: Int { sent.withLock { $0 } }
    func send(_ message: MailMessage, from: String, to: [String]) async throws(MailError) {
        sent.withLock { $0 += 1 }
    }
}

import Synchronization
