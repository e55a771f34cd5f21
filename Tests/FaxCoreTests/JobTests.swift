import FaxCore
import Foundation
import Testing

@Suite("Outbound jobs: state machine and retry policy")
struct JobTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func job(pages: Int = 3, tries: Int = 3, dials: Int = 12) throws -> Job {
        var job = try Job(id: 1, number: "5550100", document: SpoolPath("out/1.tif"), pageCount: pages, maxTries: tries,
                          maxDials: dials, submittedAt: start)
        job.state = .dialing
        return job
    }

    @Test("defaults: priority 127, 3 tries, 12 dials, kill time 3 hours after submission")
    func defaults() throws {
        let job = try Job(number: "+15550100", document: SpoolPath("out/a.tif"), pageCount: 2, submittedAt: Self.start)
        #expect(job.priority == 127 && job.maxTries == 3 && job.maxDials == 12)
        #expect(job.killAt == Self.start.addingTimeInterval(3 * 3600))
        #expect(job.state == .queued && job.nextPage == 1)
    }

    @Test("bad values are refused with the field named")
    func validation() throws {
        let document = try SpoolPath("out/a.tif")
        #expect(throws: FaxValidationError.self) { try Job(number: "555;0100", document: document, pageCount: 1) }
        #expect(throws: FaxValidationError.self) { try Job(number: "5550100", document: document, pageCount: 1, priority: 256) }
        #expect(throws: FaxValidationError.self) { try Job(number: "5550100", document: document, pageCount: 0) }
        #expect(throws: FaxValidationError.self) {
            try Job(number: "5550100", document: document, pageCount: 1, notifyEmail: "not an address")
        }
        let error = #expect(throws: FaxValidationError.self) { try Job(number: "5550100", document: document, pageCount: 1, maxTries: 0) }
        #expect(error?.field == "tries")
    }

    static let policy = JobRetryPolicy.standard

    /// Ends a call the way the dispatcher does: a dialing job for calls not answered, a sending
    /// one for answered calls.
    static func end(_ job: Job, _ outcome: JobCallOutcome, attempt: JobAttempt? = nil, at now: Date = start) throws -> JobTransition {
        var job = job
        if case .answered = outcome { job.state = .sending } else { job.state = .dialing }
        return try job.callEnded(outcome, attempt: attempt ?? JobAttempt(startedAt: now, firstPage: job.nextPage), policy: policy, at: now)
    }

    @Test("only the transitions of the state machine are allowed")
    func transitions() throws {
        var job = try Self.job()
        job.state = .queued
        let dialing = try job.dial(at: Self.start)
        #expect(dialing.job.state == .dialing && dialing.actions == [.save(expecting: .queued), .originate])
        let sending = try dialing.job.answered()
        #expect(sending.job.state == .sending && sending.actions == [.save(expecting: .dialing)])
        let done = try sending.job.callEnded(
            .answered(pagesConfirmed: 3, complete: true, cause: .other, result: "sent"),
            attempt: JobAttempt(startedAt: Self.start, firstPage: 1), policy: Self.policy, at: Self.start)
        #expect(done.job.state == .done)
        let requeued = try Self.end(job, .answered(pagesConfirmed: 0, complete: false, cause: .protocolFailure, result: "x"))
        #expect(requeued.job.state == .requeued)
        var failed = job
        failed.state = .failed
        #expect(try failed.retry(at: Self.start).job.state == .queued)

        #expect(throws: JobTransitionError.self) { try done.job.retry(at: Self.start) }
        #expect(throws: JobTransitionError.self) { try job.answered() }
        #expect(throws: JobTransitionError.self) {
            try job.callEnded(.answered(pagesConfirmed: 1, complete: true, cause: .other, result: "x"),
                              attempt: JobAttempt(startedAt: Self.start, firstPage: 1), policy: Self.policy, at: Self.start)
        }
        // dialing → done skips sending: refused.
        #expect(throws: JobTransitionError.self) {
            try dialing.job.callEnded(.answered(pagesConfirmed: 3, complete: true, cause: .other, result: "sent"),
                                      attempt: JobAttempt(startedAt: Self.start, firstPage: 1), policy: Self.policy, at: Self.start)
        }
        var killed = job
        killed.state = .killed
        #expect(throws: JobTransitionError.self) { try killed.dial(at: Self.start) }
        #expect(throws: JobTransitionError.self) { try killed.kill(by: "me", at: Self.start) }
        #expect(throws: JobTransitionError.self) { try sending.job.dial(at: Self.start) }
    }

    @Test("HylaFAX's default delays by cause", arguments: [
        (JobRetryCause.busy, 180.0), (.noAnswer, 300), (.noCarrier, 300), (.protocolFailure, 60), (.other, 300),
    ])
    func delays(cause: JobRetryCause, seconds: Double) throws {
        let outcome: JobCallOutcome = switch cause {
        case .busy, .noAnswer, .other: .notAnswered(cause, "x")
        default: .answered(pagesConfirmed: 0, complete: false, cause: cause, result: "x")
        }
        let next = try Self.end(try Self.job(), outcome)
        let callState: JobState = if case .answered = outcome { .sending } else { .dialing }
        #expect(next.actions == [.save(expecting: callState)])
        let job = next.job
        #expect(job.state == .requeued && job.lastCause == cause && job.notBefore == Self.start.addingTimeInterval(seconds))
    }

    @Test("a call that failed after page 1 resumes at page 2, and the retry finishing pages 2-3 is done")
    func resume() throws {
        var job = try Self.end(
            try Self.job(), .answered(pagesConfirmed: 1, complete: false, cause: .protocolFailure, result: "hung up"),
            attempt: JobAttempt(startedAt: Self.start, firstPage: 1)).job
        #expect(job.nextPage == 2 && job.tries == 1 && job.state == .requeued)
        job = try Self.end(
            job, .answered(pagesConfirmed: 2, complete: true, cause: .other, result: "sent"),
            attempt: JobAttempt(startedAt: Self.start, firstPage: 2), at: Self.start.addingTimeInterval(90)).job
        #expect(job.state == .done && job.nextPage == 4 && job.pagesConfirmed == 3 && job.attempts.count == 2)
        #expect(job.attempts.map(\.firstPage) == [1, 2])
    }

    @Test("pages confirmed during the call are recorded at once, never backwards")
    func pageConfirmed() throws {
        var job = try Self.job()
        job.state = .sending
        let second = try job.pageConfirmed(nextPage: 3)
        #expect(second.job.nextPage == 3 && second.actions == [.save(expecting: .sending)])
        #expect(try second.job.pageConfirmed(nextPage: 2).actions.isEmpty)
        #expect(try second.job.pageConfirmed(nextPage: 9).job.nextPage == 4)
        job.state = .queued
        #expect(throws: JobTransitionError.self) { try job.pageConfirmed(nextPage: 2) }
    }

    @Test("dials and tries run out: failed with the cause in plain words")
    func limits() throws {
        var job = try Self.job(tries: 3, dials: 3)
        var last: JobTransition?
        for call in 0..<3 {
            last = try Self.end(job, .notAnswered(.noAnswer, "no answer"), at: Self.start.addingTimeInterval(Double(call)))
            job = try #require(last).job
        }
        #expect(job.state == .failed && job.dials == 3 && job.tries == 0)
        #expect(job.reason == "nobody answered (gave up after 3 calls)")
        // No notification address: saved and into the history, nobody mailed.
        #expect(last?.actions == [.save(expecting: .dialing), .addToHistory])

        var answered = try Self.job(tries: 2)
        answered.notifyEmail = "me@example.com"
        for _ in 0..<2 {
            last = try Self.end(answered, .answered(pagesConfirmed: 0, complete: false, cause: .protocolFailure, result: "x"))
            answered = try #require(last).job
        }
        #expect(answered.state == .failed && answered.reason.contains("gave up after 2 tries"))
        #expect(last?.actions == [.save(expecting: .sending), .notify(.failed), .addToHistory])
    }

    @Test("Asterisk manager down: the job waits, nothing is counted")
    func managerDown() throws {
        let job = try Self.job()
        let next = try job.managerDown("down", policy: Self.policy, at: Self.start)
        #expect(next.job.notBefore == Self.start.addingTimeInterval(5))
        #expect(next.job.state == .queued && next.job.dials == 0 && next.job.tries == 0 && next.job.attempts.isEmpty)
        #expect(next.actions == [.save(expecting: .dialing)])
    }

    @Test("a retry that would fall after the kill time fails the job; an interruption counts as a try")
    func killTimeAndInterruption() throws {
        var job = try Job(id: 1, number: "5550100", document: SpoolPath("out/1.tif"), pageCount: 1, submittedAt: Self.start,
                          killAt: Self.start.addingTimeInterval(100))
        job.state = .dialing
        job = try job.callEnded(.notAnswered(.busy, "busy"), attempt: JobAttempt(startedAt: Self.start, firstPage: 1),
                                policy: Self.policy, at: Self.start).job
        #expect(job.state == .failed && job.reason.contains("kill time"))

        var interrupted = try Self.job()
        interrupted.state = .sending
        interrupted = try interrupted.interrupted(policy: Self.policy, at: Self.start).job
        #expect(interrupted.state == .requeued && interrupted.tries == 1 && interrupted.lastCause == .interrupted)
        #expect(interrupted.attempts.last?.cause == .interrupted)
    }

    @Test("a kill stops a waiting job, and hangs up one on the line; a call that ends afterwards is kept in its history")
    func kill() throws {
        var waiting = try Self.job()
        waiting.state = .requeued
        let stopped = try waiting.kill(by: "alice", at: Self.start)
        #expect(stopped.job.state == .killed && stopped.job.reason == "killed by alice")
        #expect(stopped.actions == [.save(expecting: .requeued)])

        var sending = try Self.job()
        sending.state = .sending
        let killed = try sending.kill(by: "bob", at: Self.start)
        #expect(killed.actions == [.save(expecting: .sending), .hangUp])
        let ended = try killed.job.callEnded(
            .answered(pagesConfirmed: 1, complete: false, cause: .other, result: "hung up: the job was killed"),
            attempt: JobAttempt(startedAt: Self.start, firstPage: 1), policy: Self.policy, at: Self.start)
        #expect(ended.job.state == .killed && ended.job.reason == "killed by bob")
        #expect(ended.job.attempts.count == 1 && ended.job.nextPage == 2 && ended.job.tries == 1)
        #expect(ended.actions == [.save(expecting: .killed)])

        // Killed while it was dialed, then answered: hung up, nothing saved.
        var dialing = try Self.job()
        dialing.state = .dialing
        let answered = try dialing.kill(by: "carol", at: Self.start).job.answered()
        #expect(answered.actions == [.hangUp] && answered.job.state == .killed)
    }

    @Test("a waiting job past its kill time fails without a call; done jobs notify and join the history")
    func expireAndNotify() throws {
        var job = try Self.job()
        job.state = .requeued
        job.lastCause = .busy
        job.notifyEmail = "me@example.com"
        let expired = try job.expire(at: Self.start)
        #expect(expired.job.state == .failed && expired.job.reason == "the number was busy (the kill time passed)")
        #expect(expired.actions == [.save(expecting: .requeued), .notify(.failed)])

        var sending = try Self.job()
        sending.notifyEmail = "me@example.com"
        let done = try Self.end(sending, .answered(pagesConfirmed: 3, complete: true, cause: .other, result: "sent"))
        #expect(done.actions == [.save(expecting: .sending), .notify(.done), .addToHistory])
        let record = done.job.historyRecord(now: Self.start)
        #expect(record.direction == .sent && record.status == .sent && record.session.pages == 3 && record.did == "5550100")

        var requeueNotice = JobRetryPolicy.standard
        requeueNotice.notifyOnRequeue = true
        var dialing = try Self.job()
        dialing.notifyEmail = "me@example.com"
        let requeued = try dialing.callEnded(.notAnswered(.busy, "busy"), attempt: JobAttempt(startedAt: Self.start, firstPage: 1),
                                             policy: requeueNotice, at: Self.start)
        #expect(requeued.actions == [.save(expecting: .dialing), .notify(.requeued)])
    }
}
