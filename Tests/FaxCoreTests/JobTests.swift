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

    @Test("only the transitions of the state machine are allowed")
    func transitions() {
        #expect(JobState.queued.canMove(to: .dialing))
        #expect(JobState.dialing.canMove(to: .sending))
        #expect(JobState.sending.canMove(to: .done))
        #expect(JobState.sending.canMove(to: .requeued))
        #expect(JobState.failed.canMove(to: .queued))
        #expect(!JobState.done.canMove(to: .queued))
        #expect(!JobState.queued.canMove(to: .sending))
        #expect(!JobState.queued.canMove(to: .done))
        #expect(!JobState.killed.canMove(to: .dialing))
    }

    @Test("HylaFAX's default delays by cause", arguments: [
        (JobRetryCause.busy, 180.0), (.noAnswer, 300), (.noCarrier, 300), (.protocolFailure, 60), (.other, 300),
    ])
    func delays(cause: JobRetryCause, seconds: Double) throws {
        var job = try Self.job()
        let outcome: JobCallOutcome = switch cause {
        case .busy, .noAnswer, .other: .notAnswered(cause, "x")
        default: .answered(pagesConfirmed: 0, complete: false, cause: cause, result: "x")
        }
        let decision = JobRetryPolicy.standard.settle(&job, outcome: outcome, attempt: nil, now: Self.start)
        #expect(decision == .requeue(at: Self.start.addingTimeInterval(seconds)))
        #expect(job.state == .requeued && job.lastCause == cause && job.notBefore == Self.start.addingTimeInterval(seconds))
    }

    @Test("a call that failed after page 1 resumes at page 2, and the retry finishing pages 2-3 is done")
    func resume() throws {
        var job = try Self.job()
        let attempt = JobAttempt(startedAt: Self.start, firstPage: 1)
        _ = JobRetryPolicy.standard.settle(
            &job, outcome: .answered(pagesConfirmed: 1, complete: false, cause: .protocolFailure, result: "hung up"),
            attempt: attempt, now: Self.start)
        #expect(job.nextPage == 2 && job.tries == 1 && job.state == .requeued)
        job.state = .sending
        let decision = JobRetryPolicy.standard.settle(
            &job, outcome: .answered(pagesConfirmed: 2, complete: true, cause: .other, result: "sent"),
            attempt: JobAttempt(startedAt: Self.start, firstPage: 2), now: Self.start.addingTimeInterval(90))
        #expect(decision == .done)
        #expect(job.state == .done && job.nextPage == 4 && job.pagesConfirmed == 3 && job.attempts.count == 2)
        #expect(job.attempts.map(\.firstPage) == [1, 2])
    }

    @Test("dials and tries run out: failed with the cause in plain words")
    func limits() throws {
        var job = try Self.job(tries: 3, dials: 3)
        var decisions: [JobDecision] = []
        for call in 0..<3 {
            job.state = .dialing
            decisions.append(JobRetryPolicy.standard.settle(
                &job, outcome: .notAnswered(.noAnswer, "no answer"), attempt: nil, now: Self.start.addingTimeInterval(Double(call))))
        }
        #expect(decisions.last == .fail)
        #expect(job.state == .failed && job.dials == 3 && job.tries == 0)
        #expect(job.reason == "nobody answered (gave up after 3 calls)")

        var answered = try Self.job(tries: 2)
        for _ in 0..<2 {
            answered.state = .sending
            _ = JobRetryPolicy.standard.settle(
                &answered, outcome: .answered(pagesConfirmed: 0, complete: false, cause: .protocolFailure, result: "x"),
                attempt: nil, now: Self.start)
        }
        #expect(answered.state == .failed && answered.reason.contains("gave up after 2 tries"))
    }

    @Test("Asterisk manager down: the job waits, nothing is counted")
    func managerDown() throws {
        var job = try Self.job()
        let decision = JobRetryPolicy.standard.settle(&job, outcome: .notPlaced("down"), attempt: nil, now: Self.start)
        #expect(decision == .wait(until: Self.start.addingTimeInterval(5)))
        #expect(job.state == .queued && job.dials == 0 && job.tries == 0 && job.attempts.isEmpty)
    }

    @Test("a retry that would fall after the kill time fails the job; an interruption counts as a try")
    func killTimeAndInterruption() throws {
        var job = try Job(id: 1, number: "5550100", document: SpoolPath("out/1.tif"), pageCount: 1, submittedAt: Self.start,
                          killAt: Self.start.addingTimeInterval(100))
        job.state = .dialing
        _ = JobRetryPolicy.standard.settle(&job, outcome: .notAnswered(.busy, "busy"), attempt: nil, now: Self.start)
        #expect(job.state == .failed && job.reason.contains("kill time"))

        var interrupted = try Self.job()
        interrupted.state = .sending
        _ = JobRetryPolicy.standard.settle(&interrupted, outcome: .interrupted, attempt: JobAttempt(startedAt: Self.start, firstPage: 1),
                                           now: Self.start)
        #expect(interrupted.state == .requeued && interrupted.tries == 1 && interrupted.lastCause == .interrupted)
    }
}
