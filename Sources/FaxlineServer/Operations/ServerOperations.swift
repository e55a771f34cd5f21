import FaxCore
import Foundation
import Logging
import Telephony
import Web

/// `/readyz` and `/metrics` for the web server (`Web.OperationsMonitor`): the readiness checks,
/// and the gauges read from the lines and the store when Prometheus scrapes.
struct ServerOperations: OperationsMonitor {
    let store: any FaxStore
    let lines: LinePool
    let diskGuard: DiskGuard
    /// The Asterisk manager, when outbound faxing is configured.
    let placer: (any OutboundCallPlacer)?
    let metrics: ServerMetrics
    let logger: Logger

    func readinessProblems() async -> [ReadinessProblem] {
        var problems: [ReadinessProblem] = []
        if let problem = await databaseProblem() { problems.append(ReadinessProblem(check: "database", detail: problem)) }
        if let full = diskGuard.refusal() { problems.append(ReadinessProblem(check: "spool", detail: full)) }
        if let placer {
            let state = await placer.connectionState
            if !state.isLoggedIn {
                problems.append(ReadinessProblem(check: "asterisk_manager", detail: "not logged in: \(state)"))
            }
        }
        if !problems.isEmpty {
            logger.notice("not ready", metadata: ["problems": "\(problems.map { "\($0.check): \($0.detail)" })"])
        }
        return problems
    }

    /// `nil` when a write was committed. A database locked by another writer answers after
    /// the store's busy timeout (10 s): a probe that waits that long has its answer anyway.
    private func databaseProblem() async -> String? {
        do {
            try await store.checkWritable()
            return nil
        } catch {
            return "not writable: \(ErrorWords.describe(error))"
        }
    }

    func metricsExposition() async -> [UInt8] {
        let pool = lines.snapshot()
        var readings = ServerMetrics.Readings(
            lines: Dictionary(pool.lines.map { ($0.state, 1) }, uniquingKeysWith: +))
        do {
            readings.jobs = try await store.jobCountsByState()
            readings.mail = try await store.deliveryQueueSummary().backlog
            readings.webhooks = try await store.webhookBacklog()
        } catch {
            logger.warning("metrics: cannot read the store", metadata: ["error": "\(ErrorWords.describe(error))"])
        }
        return metrics.exposition(readings)
    }
}
