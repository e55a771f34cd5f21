import FaxCore
import Foundation
import Logging

/// Queues the mail to the submitter of a job when it is done or has failed for good (and, when
/// asked, when it is requeued) in the durable mail queue, so it is retried and survives a
/// restart like a received fax's mail. The final ones are delivery reports (`JobReport`): the
/// mail delivery attaches the job's first page and PDF when it sends them.
struct JobNotifier: Sendable {
    let notices: any NoticeRepository
    let logger: Logger
    /// Tells the mail delivery a notice was queued.
    let queued: @Sendable () -> Void

    func post(_ job: Job, _ notice: JobNotice) async {
        guard let address = job.notifyEmail else { return }
        let report = JobReport(job: job, notice: notice)
        do {
            _ = try await notices.enqueueNotice(
                to: address, subject: report.subject, body: report.text, jobID: notice == .requeued ? nil : job.id, at: Date())
            queued()
        } catch {
            logger.error("cannot queue the job notification", metadata: ["job.id": "\(job.id ?? 0)", "error": "\(ErrorWords.describe(error))"])
        }
    }
}
