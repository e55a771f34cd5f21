import ArgumentParser
import FaxEngine
import Foundation

/// The engine against the plain C reference on the same spandsp, in the same run, on the same
/// TIFF. Machines are shared and noisy, so the runs alternate and the figure that counts is the
/// ratio of the best rounds.
@main
struct FaxBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faxline-bench",
        abstract: "Fax engine benchmark: back-to-back audio against reference_b2b_audio, and unpaced T.38.")

    @Option(help: "Fax TIFF to send (the 3-page letter).") var document: String
    @Option(help: "The compiled reference_b2b_audio program.") var reference: String
    @Option(help: "Calls per round.") var calls: Int = 5
    @Option(help: "Rounds; the best of each side is compared.") var rounds: Int = 3
    @Option(help: "Event log detail of the engine: flow (what the server keeps), summary, debug.") var log: String = "flow"

    func run() throws {
        guard let detail = FaxLogDetail(rawValue: log) else { throw ValidationError("--log is flow, summary or debug") }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-bench-\(getpid()).tif").path
        defer { try? FileManager.default.removeItem(atPath: output) }

        var engineBest = 0.0
        var referenceBest = 0.0
        var simulatedPerPage = 0.0
        for round in 1...rounds {
            let reference = try runReference(output: output)
            let engine = try runEngine(output: output, detail: detail)
            print(String(format: "round %d: engine realtime_factor=%.1f (%.3f cpu s, %d calls ok)  reference realtime_factor=%.1f (%.3f cpu s)",
                         round, engine.factor, engine.cpu, engine.ok, reference.factor, reference.cpu))
            engineBest = max(engineBest, engine.factor)
            referenceBest = max(referenceBest, reference.factor)
            simulatedPerPage = engine.simulatedPerPage
        }
        print(String(format: "audio back to back: engine realtime_factor=%.1f reference realtime_factor=%.1f ratio=%.3f (target >= 0.9) sim_s_per_page=%.2f",
                     engineBest, referenceBest, engineBest / referenceBest, simulatedPerPage))

        let t38 = try runUnpacedT38(output: output, detail: detail)
        print(String(format: "t38 unpaced: cpu_s_per_page=%.4f sim_s_per_page=%.3f pages=%d ok=%d/%d",
                      t38.cpuPerPage, t38.simulatedPerPage, t38.pages, t38.ok, calls))
    }

    private struct Calls {
        var cpu = 0.0
        var simulated = 0.0
        var pages = 0
        var ok = 0
    }

    /// `calls` back-to-back calls of the letter over `transport`, timed on this thread's CPU.
    private func runCalls(_ transport: BackToBackCall.Transport, output: String, detail: FaxLogDetail) throws -> Calls {
        var options = FaxSessionOptions()
        options.logDetail = detail
        var totals = Calls()
        for _ in 0..<calls {
            let call = try BackToBackCall(send: .send(path: document), receive: .receive(path: output),
                                          transport: transport, senderOptions: options, receiverOptions: options)
            let start = CPUClock.threadSeconds()
            let (sent, received) = call.run()
            totals.cpu += CPUClock.threadSeconds() - start
            totals.simulated += call.simulatedSeconds
            totals.pages += received.pagesConfirmed
            if sent.isSuccess && received.isSuccess { totals.ok += 1 }
        }
        return totals
    }

    private func runEngine(output: String, detail: FaxLogDetail) throws -> (factor: Double, cpu: Double, ok: Int, simulatedPerPage: Double) {
        let totals = try runCalls(.audio, output: output, detail: detail)
        return (totals.simulated / totals.cpu, totals.cpu, totals.ok, totals.simulated / Double(max(totals.pages, 1)))
    }

    private func runUnpacedT38(output: String, detail: FaxLogDetail) throws -> (cpuPerPage: Double, simulatedPerPage: Double, pages: Int, ok: Int) {
        let totals = try runCalls(.t38(paced: false), output: output, detail: detail)
        let pages = Double(max(totals.pages, 1))
        return (totals.cpu / pages, totals.simulated / pages, totals.pages, totals.ok)
    }

    /// Runs the reference program and reads its own CPU measurement.
    private func runReference(output: String) throws -> (factor: Double, cpu: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: reference)
        process.arguments = [document, output, "1", "0x0E", "\(calls)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        func value(_ key: String) -> Double? {
            text.split(separator: " ").first { $0.hasPrefix(key + "=") }
                .flatMap { Double($0.dropFirst(key.count + 1).trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        guard process.terminationStatus == 0, let factor = value("realtime_factor"), let cpu = value("cpu_s") else {
            throw ValidationError("reference failed: \(text)")
        }
        return (factor, cpu)
    }
}
