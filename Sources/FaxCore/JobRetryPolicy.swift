import Foundation

/// How one call for a job ended, as the dispatcher saw it.
public enum JobCallOutcome: Sendable, Equatable {
    /// The Asterisk manager was unreachable: nothing was dialed, nothing counts.
    case notPlaced(String)
    /// The call was not answered (busy, no answer, congestion, refused …).
    case notAnswered(JobRetryCause, String)
    /// The call was answered and the fax session ran: `pagesConfirmed` of the pages sent
    /// from the job's `nextPage` were confirmed; `complete` when the document went through.
    case answered(pagesConfirmed: Int, complete: Bool, cause: JobRetryCause, result: String)
    /// The server stopped while the job was on the line.
    case interrupted
}

/// What becomes of a job after a call.
public enum JobDecision: Sendable, Equatable {
    case done
    case requeue(at: Date)
    case fail
    /// Back to the queue as it was (AMI down).
    case wait(until: Date)
}

/// When to call again after a failed attempt, by cause; HylaFAX's defaults.
public struct JobRetryPolicy: Sendable, Equatable {
    public var busy: TimeInterval = 180
    public var noAnswer: TimeInterval = 300
    public var noCarrier: TimeInterval = 300
    public var protocolFailure: TimeInterval = 60
    public var other: TimeInterval = 300
    /// After a restart cut a call.
    public var interrupted: TimeInterval = 60
    /// How long a job waits before it is looked at again while Asterisk's manager is down.
    public var managerDown: TimeInterval = 5

    public static let standard = JobRetryPolicy()

    public init() {}

    public func delay(for cause: JobRetryCause) -> TimeInterval {
        switch cause {
        case .busy: busy
        case .noAnswer: noAnswer
        case .noCarrier: noCarrier
        case .protocolFailure: protocolFailure
        case .interrupted: interrupted
        case .other: other
        }
    }

    /// Counts the call, moves `nextPage` past the confirmed pages, and decides. The job's
    /// state, reason and not-before time are set to match the decision; `attempt` (already
    /// filled in by the caller) is appended unless the call was never placed.
    public func settle(_ job: inout Job, outcome: JobCallOutcome, attempt: JobAttempt?, now: Date) -> JobDecision {
        var attempt = attempt
        let cause: JobRetryCause
        switch outcome {
        case .notPlaced(let why):
            job.state = job.state == .dialing ? .queued : job.state
            job.reason = "waiting: \(why)"
            job.notBefore = now.addingTimeInterval(managerDown)
            return .wait(until: job.notBefore)
        case .notAnswered(let dialCause, let text):
            job.dials += 1
            cause = dialCause
            attempt?.cause = dialCause
            attempt?.result = text
        case .answered(let pages, let complete, let failureCause, let text):
            job.dials += 1
            job.tries += 1
            job.nextPage = min(job.nextPage + max(pages, 0), job.pageCount + 1)
            attempt?.pagesConfirmed = pages
            attempt?.result = text
            if complete || job.nextPage > job.pageCount {
                job.nextPage = job.pageCount + 1
                attempt?.cause = nil
                if let attempt { job.attempts.append(attempt) }
                job.state = .done
                job.reason = ""
                job.lastCause = nil
                job.finishedAt = now
                return .done
            }
            cause = failureCause
            attempt?.cause = failureCause
        case .interrupted:
            job.dials += 1
            job.tries += 1
            cause = .interrupted
            attempt?.cause = .interrupted
            attempt?.result = JobRetryCause.interrupted.plainWords
        }
        if let attempt { job.attempts.append(attempt) }
        job.lastCause = cause
        let retryAt = now.addingTimeInterval(delay(for: cause))
        let limit: String? =
            if job.tries >= job.maxTries { "gave up after \(job.tries) tries" }
            else if job.dials >= job.maxDials { "gave up after \(job.dials) calls" }
            else if retryAt >= job.killAt { "the kill time passed" }
            else { nil }
        if let limit {
            job.state = .failed
            job.reason = "\(cause.plainWords) (\(limit))"
            job.finishedAt = now
            return .fail
        }
        job.state = .requeued
        job.reason = cause.plainWords
        job.notBefore = retryAt
        return .requeue(at: retryAt)
    }
}
