import ArgumentParser
import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Logging
import Store

/// Inbound calls through the real FastAGI and AudioSocket servers on loopback, each paced in
/// real time (a frame every 20 ms) by the Asterisk emulator with a spandsp fax machine behind
/// it, in this one process: how many calls at once all succeed on this machine, how late the
/// server's frames come against their 20 ms cadence (p50, p99), and memory per active call
/// (emulator included). Then
/// FastAGI alone: routed calls per second at 100 concurrent connections.
@main
struct InboundBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inbound-bench")

    @Option(help: "One-page fax TIFF each call sends.") var document: String
    @Option(parsing: .upToNextOption, help: "Numbers of concurrent calls to try, in order.") var levels: [Int] = [50, 100, 200]
    @Option(help: "AGI calls for the routing figure.") var agiCalls: Int = 5_000
    @Option(help: "Concurrent AGI connections.") var agiConcurrency: Int = 100

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-inbound-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let smtp = TestSMTPServer()
        let smtpPort = try await smtp.start()
        var configuration = FaxlineConfiguration(dataDirectory: folder.path)
        configuration.agi = .init(host: "127.0.0.1", port: 0)
        configuration.audioSocket = .init(host: "127.0.0.1", port: 0)
        configuration.lines = max(levels.max() ?? 1, 1) + 8
        configuration.minimumFreeBytes = 0
        configuration.smtp = .init(host: "127.0.0.1", port: smtpPort, tlsMode: .none, fromAddress: "bench@example.com")
        var logger = Logger(label: "bench")
        logger.logLevel = ProcessInfo.processInfo.environment["FAXLINE_BENCH_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = try FaxDatabase(path: configuration.databasePath)
        let server = try FaxlineServer(configuration: configuration, logger: logger, store: database)
        _ = try await database.addDevice(
            FaxDevice(extensionNumber: "201", name: "Bench", emailAddresses: ["bench@example.com"]))
        let running = Task { try await server.run(signals: []) }
        let agiPort = try await server.agiServer.localAddress.port ?? 0
        _ = try await server.audioSocketServer.localAddress
        let emulator = AsteriskEmulator(agiPort: agiPort)

        let baseline = Self.residentBytes()
        print("baseline resident memory: \(baseline / 1_048_576) MB")
        var best = 0
        for level in levels {
            let result = try await concurrentCalls(level, emulator: emulator, baseline: baseline)
            print(String(format: "calls=%d succeeded=%d wall_s=%.1f frame_p50_ms=%.2f frame_p99_ms=%.2f frame_max_ms=%.1f memory_per_call_kb=%.0f",
                         level, result.succeeded, result.wall, result.p50, result.p99, result.maximum, result.memoryPerCall / 1024))
            if result.succeeded == level { best = level } else { break }
        }
        print("most concurrent real-time calls that all succeeded: \(best) (target >= 200, emulator included)")

        let routed = try await routingRate(emulator: emulator)
        print(String(format: "fastagi: %d routed calls at %d concurrent connections in %.2f s: %.0f calls/s",
                     agiCalls, agiConcurrency, routed, Double(agiCalls) / routed))
        running.cancel()
        _ = await running.result
        await smtp.stop()
    }

    private func concurrentCalls(_ count: Int, emulator: AsteriskEmulator, baseline: Int)
        async throws -> (succeeded: Int, wall: Double, p50: Double, p99: Double, maximum: Double, memoryPerCall: Double)
    {
        let start = ContinuousClock.now
        let peak = PeakMemory()
        let sampler = Task {
            while !Task.isCancelled {
                peak.note(Self.residentBytes())
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        let outcomes = await withTaskGroup(of: EmulatedCallOutcome?.self) { group in
            for index in 0..<count {
                group.addTask {
                    var call = EmulatedInboundCall(machine: EmulatedFaxMachine(role: .send(document: document)))
                    call.pacing = .realTime
                    call.callerID = "555\(String(format: "%04d", index))"
                    // Spread the starts over a second, as calls arrive.
                    try? await Task.sleep(for: .milliseconds(index * 1000 / max(count, 1)))
                    return try? await emulator.placeInboundCall(call)
                }
            }
            var all: [EmulatedCallOutcome] = []
            for await outcome in group { if let outcome { all.append(outcome) } }
            return all
        }
        sampler.cancel()
        let wall = ContinuousClock.now - start
        let latencies = outcomes.flatMap(\.frameLatencies).map { Double($0.components.attoseconds) / 1e15 + Double($0.components.seconds) * 1000 }.sorted()
        func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        let succeeded = outcomes.filter { $0.variables["FAXSTATUS"] == "SUCCESS" }.count
        return (succeeded, Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18,
                percentile(0.5), percentile(0.99), latencies.last ?? 0,
                Double(max(peak.value - baseline, 0)) / Double(max(count, 1)))
    }

    /// Calls to an extension with no device: route, record, answer with the FAX* variables.
    private func routingRate(emulator: AsteriskEmulator) async throws -> Double {
        let start = ContinuousClock.now
        let perWorker = agiCalls / agiConcurrency
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<agiConcurrency {
                group.addTask {
                    for index in 0..<perWorker {
                        var call = EmulatedInboundCall(machine: EmulatedFaxMachine(role: .send(document: document)))
                        call.calledExtension = "9\(worker)\(index)"
                        call.dnid = call.calledExtension
                        _ = try? await emulator.placeInboundCall(call)
                    }
                }
            }
        }
        let wall = ContinuousClock.now - start
        return Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
    }

    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes * 1024
    }
}

final class PeakMemory: Sendable {
    private let peak = Mutex(0)
    func note(_ bytes: Int) { peak.withLock { $0 = max($0, bytes) } }
    var value: Int { peak.withLock { $0 } }
}

import Synchronization
