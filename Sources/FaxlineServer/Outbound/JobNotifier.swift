import FaxCore
import Foundation
import Logging
import Mail
import ServiceLifecycle

/// Mails the submitter of a job when it is done or has failed for good (and, when asked, when
/// it is requeued): the outcome in plain words, pages, time on the line and calls made.
///
/// A service fed by a stream, so that mail never holds up the queue. Best effort: a temporary
/// mail failure is retried a few times, then logged; the job's own record (`faxline jobs show`)
/// always has the full story.
public final class JobNotifier: Service, Sendable {
    let sender: any MailSender
    let from: String
    let logger: Logger
    let clock: any Clock<Duration>
    let retryDelays: [Duration]
    private let notices: AsyncStream<(Job, JobNotice)>
    private let continuation: AsyncStream<(Job, JobNotice)>.Continuation

    public init(sender: any MailSender, from: String, logger: Logger, clock: any Clock<Duration> = ContinuousClock(),
                retryDelays: [Duration] = [.seconds(5), .seconds(30), .seconds(120)]) {
        self.sender = sender
        self.from = from
        self.logger = logger
        self.clock = clock
        self.retryDelays = retryDelays
        (notices, continuation) = AsyncStream.makeStream(of: (Job, JobNotice).self)
    }

    /// Queues the mail; returns at once.
    func post(_ job: Job, _ notice: JobNotice) {
        continuation.yield((job, notice))
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await (job, notice) in self.notices {
                    group.addTask { await self.notify(job, notice) }
                }
            }
        }
    }

    func notify(_ job: Job, _ notice: JobNotice) async {
        guard let address = job.notifyEmail else { return }
        let message: MailMessage
        do {
            message = try compose(job, notice: notice, to: address)
        } catch {
            logger.warning("cannot compose the job notification", metadata: ["job.id": "\(job.id ?? 0)", "error": "\(error)"])
            return
        }
        for (attempt, delay) in ([Duration.zero] + retryDelays).enumerated() {
            if attempt > 0 {
                do { try await clock.sleep(for: delay) } catch { return }
            }
            do {
                try await sender.send(message)
                return
            } catch {
                logger.warning("job notification not sent", metadata: ["job.id": "\(job.id ?? 0)", "error": "\(error)"])
                if !error.isTemporary { return }
            }
        }
    }

    func compose(_ job: Job, notice: JobNotice, to address: String) throws(MailError) -> MailMessage {
        let id = job.id.map(String.init) ?? "?"
        let subject: String
        var lines: [String]
        switch notice {
        case .done:
            subject = "Fax job \(id) to \(job.number) was sent"
            lines = ["Your fax to \(job.number) was sent: all \(job.pageCount) pages were received."]
        case .failed:
            subject = "Fax job \(id) to \(job.number) failed"
            lines = ["Your fax to \(job.number) could not be sent: \(job.reason).",
                     "\(job.pagesConfirmed) of \(job.pageCount) pages were received."]
        case .requeued:
            subject = "Fax job \(id) to \(job.number) will be retried"
            lines = ["Your fax to \(job.number) is not through yet: \(job.reason).",
                     "The next try is at \(job.notBefore.formatted(.iso8601)); \(job.pagesConfirmed) of \(job.pageCount) pages were received so far."]
        }
        let seconds = job.attempts.compactMap { attempt in attempt.endedAt.map { $0.timeIntervalSince(attempt.startedAt) } }.reduce(0, +)
        lines.append("Calls made: \(job.dials) (tries: \(job.tries) of \(job.maxTries)); time on the line: \(Int(seconds.rounded())) s.")
        if let last = job.attempts.last, !last.remoteStationID.isEmpty {
            lines.append("Far end station id: \(last.remoteStationID)")
        }
        lines.append("")
        lines.append("Job \(id), submitted \(job.submittedAt.formatted(.iso8601)).")
        return MailMessage(
            from: try MailAddress(from, displayName: "Faxline"), to: [try MailAddress(address)], subject: subject,
            extraHeaders: [(name: "X-Faxline-Job-Id", value: id)], body: .plainText(lines.joined(separator: "\n")))
    }
}
