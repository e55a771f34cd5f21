import ArgumentParser
import BenchSupport
import FaxTestSupport
import Foundation
import NIOPosix

/// `InboundBench emulate`: the Asterisk side in a process of its own, so that its work and the
/// server's are measured apart. Places `calls` inbound calls through FastAGI (their starts spread
/// over `spread-ms`); each call's audio goes out on a fixed 20 ms schedule whatever the server
/// sends back.
struct AsteriskLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate", abstract: "The Asterisk side of the inbound benchmark (run by the benchmark itself).")

    @Option var agiPort: Int
    @Option var calls: Int
    @Option var document: String
    @Option var spreadMs: Int = 1_000
    @Option var channelClocks: Int = 1
    @Option var calledExtension: String = "201"

    func run() async throws {
        let started = ContinuousClock.now
        let emulator = AsteriskEmulator(agiPort: agiPort)
        let group = MultiThreadedEventLoopGroup.singleton
        let (calls, spreadMs, document, calledExtension) = (self.calls, self.spreadMs, self.document, self.calledExtension)
        let channelClocks = max(self.channelClocks, 1)
        var report = LoadReport()
        report.calls = await withTaskGroup(of: LoadReport.Call.self) { tasks in
            for index in 0..<calls {
                tasks.addTask {
                    try? await Task.sleep(for: .milliseconds(index * spreadMs / max(calls, 1)))
                    let media = MediaResultBox()
                    var call = EmulatedInboundCall(machine: EmulatedFaxMachine(role: .send(document: document)))
                    call.calledExtension = calledExtension
                    call.dnid = calledExtension
                    call.callerID = "555\(String(format: "%04d", index))"
                    call.audio = .runBy { uuid, host, port in
                        let result = await ScheduledFarEndHandler.run(
                            uuid: uuid, clock: index % channelClocks, host: host, port: port, document: document, group: group)
                        media.set(result)
                        return result.farEndHungUp
                    }
                    var summary = LoadReport.Call()
                    guard let outcome = try? await emulator.placeInboundCall(call) else { return summary }
                    let error = outcome.variables["FAXERROR"] ?? ""
                    summary.routed = outcome.answered && outcome.variables["FAXLINE_ID"] != nil
                    if !summary.routed { summary.refusal = error.isEmpty ? "no answer" : error }
                    summary.media = media.value ?? ScheduledFarEndHandler.Result()
                    summary.succeeded = summary.routed && outcome.variables["FAXSTATUS"] == "SUCCESS"
                        && summary.media.farEndSucceeded
                    return summary
                }
            }
            var all: [LoadReport.Call] = []
            for await call in tasks { all.append(call) }
            return all
        }
        let figures = try await FarEndSchedule.collectFigures()
        report.replies = figures.replies
        report.sendLateness = figures.sendLateness
        report.cpuSeconds = ProcessUsage.cpuSeconds()
        report.wallSeconds = (ContinuousClock.now - started).seconds
        FileHandle.standardOutput.write(try JSONEncoder().encode(report))
    }
}

/// The media result of a call, handed from its audio task to its AGI task.
final class MediaResultBox: Sendable {
    private let result = Mutex<ScheduledFarEndHandler.Result?>(nil)
    func set(_ value: ScheduledFarEndHandler.Result) { result.withLock { $0 = value } }
    var value: ScheduledFarEndHandler.Result? { result.withLock { $0 } }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

import Synchronization
