import FaxCore
import StoreTestSupport
import Foundation
import Store
import Testing

/// The job repository's contract, for every store.
@Suite("Job repository")
struct JobRepositoryTests {
    /// Stores keep dates to the millisecond: tests use whole seconds to compare them exactly.
    static func wholeSecondNow() -> Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    static func job(_ number: String, priority: Int = 127, notBefore: Date? = nil, now: Date = wholeSecondNow()) throws -> Job {
        try Job(number: number, document: SpoolPath("out/x.tif"), pageCount: 3, priority: priority, submittedAt: now, notBefore: notBefore)
    }

    @Test("submitted jobs come back whole, with ids, after reopening", arguments: StoreKind.allCases)
    func roundTrip(kind: StoreKind) async throws {
        let subject = try kind.make()
        var job = try Self.job("5550100")
        job.sender = JobSender(deviceExtension: "201", stationID: "+1 555 0199", callerIDNumber: "5550199", header: "ACME")
        job.notifyEmail = "boss@example.com"
        let stored = try await subject.store.submitJobs([job])
        let id = try #require(stored.first?.id)
        let loaded = try #require(try await subject.reopen().job(id: id))
        job.id = id
        #expect(loaded == job)
    }

    @Test("due jobs: lower priority number first, not before their time, busy numbers skipped", arguments: StoreKind.allCases)
    func dueOrder(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        let now = Self.wholeSecondNow()
        let submitted = try await database.submitJobs([
            try Self.job("1001", priority: 200, now: now),
            try Self.job("1002", priority: 10, now: now),
            try Self.job("1003", priority: 10, notBefore: now.addingTimeInterval(60), now: now),
            try Self.job("1004", priority: 127, now: now),
        ])
        #expect(submitted.compactMap(\.id).count == 4)
        let due = try await database.dueJobs(at: now, excludingNumbers: [], limit: 10)
        #expect(due.map(\.number) == ["1002", "1004", "1001"])
        let skipping = try await database.dueJobs(at: now, excludingNumbers: ["1002"], limit: 10)
        #expect(skipping.map(\.number) == ["1004", "1001"])
        let later = try await database.dueJobs(at: now.addingTimeInterval(61), excludingNumbers: [], limit: 1)
        #expect(later.map(\.number) == ["1002"])
        withExtendedLifetime(subject) {}
    }

    @Test("a transition is saved only from the state the job is still in", arguments: StoreKind.allCases)
    func guardedTransitions(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        let job = try await database.submitJob(try Self.job("5550100"))
        let dialing = try job.dial(at: Date())
        try await database.saveJob(dialing.job, expecting: .queued)
        // A second dispatcher (or a stale copy) cannot take it again.
        let error = await #expect(throws: JobTransitionError.self) { try await database.saveJob(dialing.job, expecting: .queued) }
        #expect(error?.from == .dialing)
        // A write that expects a state the job has left is refused, whatever it writes.
        var stale = dialing.job
        stale.state = .killed
        await #expect(throws: JobTransitionError.self) { try await database.saveJob(stale, expecting: .sending) }
        let sending = try dialing.job.answered()
        try await database.saveJob(sending.job, expecting: .dialing)
        try await database.saveJob(try sending.job.pageConfirmed(nextPage: 3).job, expecting: .sending)
        #expect(try await database.job(id: try #require(job.id))?.nextPage == 3)
        #expect(try await database.activeJobs().map(\.id) == [job.id])
        await #expect(throws: RepositoryError.self) {
            var ghost = stale
            ghost.id = 999_999
            try await database.saveJob(ghost, expecting: .queued)
        }
        withExtendedLifetime(subject) {}
    }

    @Test("listing by state and broadcast", arguments: StoreKind.allCases)
    func listing(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        let jobs = try await database.submitJobs([try Self.job("1"), try Self.job("2")])
        let killed = try jobs[0].kill(by: "me", at: Date())
        try await database.saveJob(killed.job, expecting: .queued)
        #expect(try await database.jobs(JobQuery(states: [.killed])).map(\.id) == [jobs[0].id])
        #expect(try await database.jobs(JobQuery(broadcastID: jobs[1].broadcastID)).map(\.id) == [jobs[1].id])
        #expect(try await database.jobs(JobQuery()).map(\.id) == [jobs[1].id, jobs[0].id])
        withExtendedLifetime(subject) {}
    }

    @Test("the tag is stored with the job, and the lists find jobs by exactly their tag", arguments: StoreKind.allCases)
    func tags(kind: StoreKind) async throws {
        let subject = try kind.make()
        let offer = try JobTag("Offer 4711")
        var tagged = try Self.job("1")
        tagged.tag = offer
        var other = try Self.job("2")
        other.tag = try JobTag("Offer 47")
        let jobs = try await subject.store.submitJobs([tagged, other, try Self.job("3")])
        let reopened = try subject.reopen()
        #expect(try await reopened.job(id: try #require(jobs[0].id))?.tag == offer)
        #expect(try await reopened.job(id: try #require(jobs[2].id))?.tag == nil)
        #expect(try await reopened.jobs(JobQuery(tag: offer)).map(\.id) == [jobs[0].id])
        let page = try await reopened.jobPage(JobListQuery(scope: .everything, tag: offer))
        #expect(page.items.map(\.id) == [jobs[0].id])
        #expect(try await reopened.jobPage(JobListQuery(scope: .everything, tag: try JobTag("offer 4711"))).items.isEmpty)
        withExtendedLifetime(subject) {}
    }
}
