import ArgumentParser
import FaxEngine
import Foundation

/// Runs a sender and a receiver back to back in one process: a newcomer's first proof that the
/// engine works on this machine.
struct Loopback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a fax TIFF to a receiver in this process and report the results.",
        discussion: "Prints one line of key=value results per call.")

    enum TransportName: String, ExpressibleByArgument, CaseIterable {
        case audio, t38
    }

    @Argument(help: "Fax TIFF to send.") var input: String
    @Argument(help: "Where the receiver writes the fax it receives.") var output: String
    @Option(help: "audio (G.711-style linear audio) or t38.") var transport: TransportName = .audio
    @Flag(help: "T.38 without pacing: as fast as the CPU allows.") var unpaced = false
    @Flag(help: "Turn error correction mode off.") var noEcm = false
    @Option(help: "Number of calls to run.") var `repeat`: Int = 1
    @Option(help: "T.38 packet loss on the link, in percent.") var loss: Double = 0
    @Option(help: "Earlier T.38 packets repeated in each transmission (UDPTL redundancy).") var redundancy: Int = 0
    @Flag(help: "Print the receiver's T.30 event log after the results.") var log = false

    func validate() throws {
        guard `repeat` >= 1, `repeat` <= 10_000 else { throw ValidationError("--repeat must be 1...10000") }
        guard (0...100).contains(loss) else { throw ValidationError("--loss must be 0...100") }
        guard (0...8).contains(redundancy) else { throw ValidationError("--redundancy must be 0...8") }
        if unpaced && transport != .t38 { throw ValidationError("--unpaced applies to --transport t38 only") }
    }

    func run() async throws {
        var options = FaxSessionOptions()
        options.ecm = !noEcm
        var senderOptions = options
        senderOptions.localStationID = "+1 555 0100"
        var receiverOptions = options
        receiverOptions.localStationID = "+1 555 0199"
        let transport: BackToBackCall.Transport = self.transport == .audio ? .audio : .t38(paced: !unpaced)

        var failures = 0
        for call in 1...`repeat` {
            let pair = try BackToBackCall(
                send: .send(path: input), receive: .receive(path: output), transport: transport,
                senderOptions: senderOptions, receiverOptions: receiverOptions,
                packetLoss: loss / 100, redundancy: redundancy, seed: UInt64(call))
            let start = CPUClock.threadSeconds()
            let (sent, received) = pair.run()
            let cpu = CPUClock.threadSeconds() - start
            if !(sent.isSuccess && received.isSuccess) { failures += 1 }
            let fields: [(String, String)] = [
                ("call", "\(call)"),
                ("transport", self.transport.rawValue + (unpaced ? "-unpaced" : "")),
                ("status", received.isSuccess && sent.isSuccess ? "SUCCESS" : "FAILED"),
                ("sender", sent.statusString.replacingOccurrences(of: " ", with: "_")),
                ("receiver", received.statusString.replacingOccurrences(of: " ", with: "_")),
                ("pages", "\(received.pagesConfirmed)"),
                ("rate", "\(received.bitRate)"),
                ("ecm", received.ecm ? "1" : "0"),
                ("compression", received.compression.rawValue.replacingOccurrences(of: " ", with: "-")),
                ("resolution", received.resolution.name),
                ("sim_s", String(format: "%.2f", pair.simulatedSeconds)),
                ("cpu_s", String(format: "%.3f", cpu)),
                ("realtime_factor", String(format: "%.1f", pair.simulatedSeconds / max(cpu, 1e-9))),
            ]
            print(fields.map { "\($0)=\($1)" }.joined(separator: " "))
            if log {
                for event in received.events { print("  \(event)") }
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
