import FaxCore
import Foundation
import Store
import Testing

@Suite("Job repository (SQLite)")
struct JobRepositoryTests {
    static func openDatabase() throws -> FaxDatabase {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-jobs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try FaxDatabase(path: folder.appendingPathComponent("faxline.sqlite").path)
    }

    /// SQLite keeps dates to the millisecond: tests use whole seconds to compare them exactly.
    static func wholeSecondNow() -> Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    static func job(_ number: String, priority: Int = 127, notBefore: Date? = nil, now: Date = wholeSecondNow()) throws -> Job {
        try Job(number: number, document: SpoolPath("out/x.tif"), pageCount: 3, priority: priority, submittedAt: now, notBefore: notBefore)
    }

    @Test("submitted jobs come back whole, with ids, after reopening the file")
    func roundTrip() throws {
        let database = try Self.openDatabase()
        var job = try Self.job("5550100")
        job.sender = JobSender(deviceExtension: "201", stationID: "+1 555 0199", callerIDNumber: "5550199", header: "ACME")
        job.notifyEmail = "boss@example.com"
        let stored = try database.write { try $0.submitJobs([job]) }
        let id = try #require(stored.first?.id)
        let reopened = try FaxDatabase(path: try #require(database.path))
        let loaded = try #require(try reopened.read { try $0.job(id: id) })
        job.id = id
        #expect(loaded == job)
        #expect(try reopened.appliedMigrations().contains("outbound-jobs"))
    }

    @Test("due jobs: lower priority number first, not before their time, busy numbers skipped")
    func dueOrder() async throws {
        let database = try Self.openDatabase()
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
        #expect(try await database.nextWakeUp() == now)
    }

    @Test("a transition is saved only from the state the job is still in")
    func guardedTransitions() async throws {
        let database = try Self.openDatabase()
        let job = try await database.submitJob(try Self.job("5550100"))
        var dialing = job
        dialing.state = .dialing
        try await database.saveJob(dialing, expecting: .queued)
        // A second dispatcher (or a stale copy) cannot take it again.
        await #expect(throws: JobTransitionError.self) { try await database.saveJob(dialing, expecting: .queued) }
        var done = dialing
        done.state = .done
        // dialing → done skips sending: refused.
        await #expect(throws: JobTransitionError.self) { try await database.saveJob(done, expecting: .dialing) }
        var sending = dialing
        sending.state = .sending
        try await database.saveJob(sending, expecting: .dialing)
        try await database.recordConfirmedPages(jobID: try #require(job.id), nextPage: 3)
        try await database.recordConfirmedPages(jobID: try #require(job.id), nextPage: 2)
        #expect(try await database.job(id: try #require(job.id))?.nextPage == 3)
        #expect(try await database.activeJobs().map(\.id) == [job.id])
    }
}
