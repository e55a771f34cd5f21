import FaxCore
import Foundation

/// The durable half of `faxline status`, read from the store rather than the running server:
/// jobs waiting for a line, the mail queue, the last cleanup. It is there whether or not a
/// server runs.
public struct QueueStatus: Sendable, Equatable, Codable {
    public var jobs: JobQueueSummary
    public var mail: DeliveryQueueSummary
    public var lastCleanup: AuditEntry?

    public init(jobs: JobQueueSummary, mail: DeliveryQueueSummary, lastCleanup: AuditEntry?) {
        self.jobs = jobs
        self.mail = mail
        self.lastCleanup = lastCleanup
    }

    public static func read(from store: any FaxStore, at now: Date = Date()) async throws -> QueueStatus {
        QueueStatus(
            jobs: try await store.jobQueueSummary(at: now), mail: try await store.deliveryQueueSummary(),
            lastCleanup: try await store.latestAuditEntry(kind: .cleanup))
    }

    /// Three lines: jobs, mail, cleanup.
    public func report() -> String {
        var jobLine = "jobs: "
        if jobs.due + jobs.scheduled + jobs.active == 0 {
            jobLine += "none waiting"
        } else {
            jobLine += [
                "\(jobs.due) waiting for a line", "\(jobs.scheduled) scheduled later", "\(jobs.active) on the line",
            ].joined(separator: ", ")
        }
        var mailLine = "mail: "
        if mail.pending == 0 {
            mailLine += "nothing waiting"
        } else {
            mailLine += "\(mail.pending) waiting"
            if mail.failing > 0 { mailLine += " (\(mail.failing) failing, retried later)" }
            if let oldest = mail.oldestPendingSince { mailLine += ", the oldest since \(FaxText.clock(oldest))" }
        }
        if mail.failed > 0 { mailLine += "; \(mail.failed) failed for good" }
        let cleanupLine = "cleanup: " + (lastCleanup.map { "last \(FaxText.clock($0.at)) by \($0.actor): \($0.summary)" } ?? "not run yet")
        return [jobLine, mailLine, cleanupLine].joined(separator: "\n") + "\n"
    }
}
