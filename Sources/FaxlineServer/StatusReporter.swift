import FaxCore
import FaxEngine
import Foundation
import Logging
import ServiceLifecycle

/// Writes the server's status snapshot every second; removes it on a clean stop, so that
/// `faxline status` can tell a stopped server from a running one.
struct StatusReporter: Service {
    let path: String
    let lines: LinePool
    let diskGuard: DiskGuard
    let refusals: RefusedCalls
    let clock: any Clock<Duration>
    let logger: Logger
    let startedAt = Date()
    let listeners: @Sendable () async -> (agi: String, audioSocket: String)
    var outbound: @Sendable () -> String = { "off (no [ami] username in faxline.conf)" }
    var warnings: [String] = []

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await snapshot().write(to: path)
                } catch {
                    logger.warning("cannot write the status file", metadata: ["path": "\(path)", "error": "\(ErrorWords.describe(error))"])
                }
                try? await clock.sleep(for: .seconds(1))
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    func snapshot() async -> ServerStatus {
        snapshot(addresses: await listeners())
    }

    /// The snapshot with the listeners' addresses given: the API asks for it in tests where
    /// nothing listens (the listeners' addresses would wait for a bind).
    func snapshot(addresses: (agi: String, audioSocket: String)) -> ServerStatus {
        let pool = lines.snapshot()
        return ServerStatus(
            version: FaxlineVersion.version, processID: getpid(), startedAt: startedAt, updatedAt: Date(),
            agi: addresses.agi, audioSocket: addresses.audioSocket,
            lines: pool.lines.map {
                ServerStatus.Line(name: $0.name, state: $0.state.rawValue, direction: $0.direction?.rawValue,
                                  faxID: $0.faxID, remoteNumber: $0.remoteNumber, since: $0.since)
            },
            inboundCalls: pool.counters.inboundCalls, outboundCalls: pool.counters.outboundCalls,
            succeeded: pool.counters.succeeded, failed: pool.counters.failed,
            refusedNoFreeLine: pool.counters.inboundRefusedNoFreeLine,
            refused: Dictionary(uniqueKeysWithValues: refusals.snapshot().map { ($0.key.rawValue, $0.value) }),
            freeDiskBytes: diskGuard.spool.freeBytes(), refusingCalls: diskGuard.refusal(), outbound: outbound(),
            warnings: warnings.isEmpty ? nil : warnings)
    }
}
