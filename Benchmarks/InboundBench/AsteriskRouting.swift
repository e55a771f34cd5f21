import ArgumentParser
import FaxTestSupport
import Foundation

/// `InboundBench route`: FastAGI alone. Calls to a device whose caller hangs up as soon as the
/// audio is asked for: routing, a line, the record, the answer, the filing of an empty fax and
/// the FAX* variables. Counts only calls the server really routed to the device.
struct AsteriskRouting: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route", abstract: "FastAGI routing load (run by the benchmark itself).")

    struct Report: Codable {
        var routed = 0
        var refused = 0
        var seconds = 0.0
    }

    @Option var agiPort: Int
    @Option var calls: Int
    @Option var concurrency: Int
    @Option var document: String

    func run() async throws {
        let emulator = AsteriskEmulator(agiPort: agiPort)
        let (calls, concurrency, document) = (self.calls, self.concurrency, self.document)
        let start = ContinuousClock.now
        let counts = await withTaskGroup(of: (Int, Int).self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var routed = 0
                    var refused = 0
                    for _ in 0..<(calls / concurrency) {
                        var call = EmulatedInboundCall(machine: EmulatedFaxMachine(role: .send(document: document)))
                        call.audio = .callerHangsUpFirst
                        let outcome = try? await emulator.placeInboundCall(call)
                        if let outcome, outcome.answered, outcome.variables["FAXLINE_ID"] != nil { routed += 1 } else { refused += 1 }
                    }
                    return (routed, refused)
                }
            }
            return await group.reduce(into: (0, 0)) { $0.0 += $1.0; $0.1 += $1.1 }
        }
        let report = Report(routed: counts.0, refused: counts.1, seconds: (ContinuousClock.now - start).seconds)
        FileHandle.standardOutput.write(try JSONEncoder().encode(report))
    }
}
