import Foundation

/// What `faxline jobs` lists.
public struct JobQuery: Sendable, Equatable {
    public var states: Set<JobState>?
    public var broadcastID: String?
    /// Only jobs with exactly this tag.
    public var tag: JobTag?
    public var limit: Int

    public init(states: Set<JobState>? = nil, broadcastID: String? = nil, tag: JobTag? = nil, limit: Int = 100) {
        self.states = states
        self.broadcastID = broadcastID
        self.tag = tag
        self.limit = limit
    }
}

/// The outbound queue's storage. Every state change is a guarded write (it names the state the
/// job must still be in) and durable before it returns. Which changes are allowed is the job's
/// own business (its transitions); the store only guards against concurrent writers.
public protocol JobRepository: Sendable {
    /// Stores new jobs (one submission, one transaction) and returns them with their ids.
    func submitJobs(_ jobs: [Job]) async throws -> [Job]
    func job(id: Int64) async throws -> Job?
    func jobs(_ query: JobQuery) async throws -> [Job]
    /// Waiting jobs due at `now`, best first (priority, then not-before, then id), skipping
    /// numbers that already have a call.
    func dueJobs(at now: Date, excludingNumbers: Set<String>, limit: Int) async throws -> [Job]
    /// Saves `job` if the stored one is still in state `expected`; throws `JobTransitionError`
    /// (with the stored state) if it is not.
    func saveJob(_ job: Job, expecting expected: JobState) async throws
    /// Jobs a crash left on the line.
    func activeJobs() async throws -> [Job]
    /// Waiting jobs whose kill time has passed at `now`, at most `limit`: they fail without a
    /// call, whether they were due or not.
    func overdueJobs(at now: Date, limit: Int) async throws -> [Job]
    /// How many jobs wait and are on the line, for `faxline status`.
    func jobQueueSummary(at now: Date) async throws -> JobQueueSummary
    /// How many jobs `owner` submitted at or after `since` (the mail gateway's hourly and
    /// daily limits per sender).
    func jobCount(owner: String, submittedSince since: Date) async throws -> Int
}

/// The outbound queue at a glance.
public struct JobQueueSummary: Sendable, Equatable, Codable {
    /// Waiting jobs that are due: each waits for a free line (or for the Asterisk manager).
    public var due: Int
    /// Waiting jobs whose time has not come (`--at`, or a retry later).
    public var scheduled: Int
    /// Jobs dialing or sending.
    public var active: Int

    public init(due: Int = 0, scheduled: Int = 0, active: Int = 0) {
        self.due = due
        self.scheduled = scheduled
        self.active = active
    }
}

extension JobRepository {
    /// Submits and returns the one job.
    public func submitJob(_ job: Job) async throws -> Job {
        guard let stored = try await submitJobs([job]).first else { throw RepositoryError.notFound("submitted job") }
        return stored
    }
}
