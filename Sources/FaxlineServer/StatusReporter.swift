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
    let clock: any Clock<Duration>
    let logger: Logger
    let startedAt = Date()
    let listeners: @Sendable () async -> (agi: String, audioSocket: String)
    var outbound: @Sendable () -> String = { "off (no [ami] username in faxline.conf)" }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await snapshot().write(to: path)
                } catch {
                    logger.warning("cannot write the status file", metadata: ["path": "\(path)", "error": "\(error)"])
                }
                try? await clock.sleep(for: .seconds(1))
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    func snapshot() async -> ServerStatus {
        let pool = lines.snapshot()
        let addresses = await listeners()
        return ServerStatus(
            version: FaxlineVersion.version, processID: getpid(), startedAt: startedAt, updatedAt: Date(),
            agi: addresses.agi, audioSocket: addresses.audioSocket,
            lines: pool.lines.map {
                ServerStatus.Line(name: $0.name, state: $0.state.rawValue, direction: $0.direction?.rawValue,
                                  faxID: $0.faxID, remoteNumber: $0.remoteNumber, since: $0.since)
            },
            inboundCalls: pool.counters.inboundCalls, outboundCalls: pool.counters.outboundCalls,
            succeeded: pool.counters.succeeded, failed: pool.counters.failed,
            refusedNoFreeLine: pool.counters.inboundRefusedNoFreeLine + pool.counters.outboundRefusedNoFreeLine,
            freeDiskBytes: diskGuard.spool.freeBytes(), refusingCalls: diskGuard.refusal(), outbound: outbound())
    }
}
