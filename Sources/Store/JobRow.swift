import FaxCore
import Foundation
import GRDB

/// A row of `job`.
struct JobRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "job"

    var id: Int64?
    var broadcastId: String
    var number: String
    var documentPath: String
    var pageCount: Int
    var nextPage: Int
    var priority: Int
    var maxTries: Int
    var maxDials: Int
    var tries: Int
    var dials: Int
    var submittedAt: Date
    var notBefore: Date
    var killAt: Date
    var sender: String
    var owner: String
    var notifyEmail: String?
    var notifyOnRequeue: Bool
    var state: String
    var reason: String
    var lastCause: String?
    var finishedAt: Date?
    var attempts: String
    var callbackUrl: String?
    var tag: String?

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    init(_ job: Job) throws {
        id = job.id
        broadcastId = job.broadcastID
        number = job.number
        documentPath = job.document.relativePath
        pageCount = job.pageCount
        nextPage = job.nextPage
        priority = job.priority
        maxTries = job.maxTries
        maxDials = job.maxDials
        tries = job.tries
        dials = job.dials
        submittedAt = job.submittedAt
        notBefore = job.notBefore
        killAt = job.killAt
        sender = try StoreJSON.encode(job.sender)
        owner = job.owner
        notifyEmail = job.notifyEmail
        notifyOnRequeue = job.notifyOnRequeue
        state = job.state.rawValue
        reason = String(job.reason.prefix(2000))
        lastCause = job.lastCause?.rawValue
        finishedAt = job.finishedAt
        attempts = try StoreJSON.encode(job.attempts)
        callbackUrl = job.callbackURL
        tag = job.tag?.text
    }

    func model() throws -> Job {
        guard let id else { throw StoreCorruption(what: "job without id") }
        var job = try Job(
            id: id, broadcastID: broadcastId, number: number, document: SpoolPath(documentPath), pageCount: pageCount,
            priority: priority, maxTries: maxTries, maxDials: maxDials, submittedAt: submittedAt, notBefore: notBefore,
            killAt: max(killAt, notBefore.addingTimeInterval(1)),
            sender: StoreJSON.decode(JobSender.self, from: sender, column: "job.sender"), owner: owner,
            notifyEmail: notifyEmail, notifyOnRequeue: notifyOnRequeue, callbackURL: callbackUrl,
            tag: tag.map { try JobTag($0) })
        job.killAt = killAt
        job.nextPage = nextPage
        job.tries = tries
        job.dials = dials
        job.state = try decodeEnum(JobState.self, state, column: "job.state")
        job.reason = reason
        job.lastCause = try lastCause.map { try decodeEnum(JobRetryCause.self, $0, column: "job.lastCause") }
        job.finishedAt = finishedAt
        job.attempts = try StoreJSON.decode([JobAttempt].self, from: attempts, column: "job.attempts")
        return job
    }
}

extension StoreTransaction {
    func submitJobs(_ jobs: [Job]) throws -> [Job] {
        try jobs.map { job in
            var row = try JobRow(job)
            row.id = nil
            try row.insert(db)
            var stored = job
            stored.id = row.id
            if let event = WebhookEvent.ofJob(from: nil, to: stored.state) {
                try queueWebhookEvent(event, about: .job(stored), callbackURL: stored.callbackURL, at: stored.submittedAt)
            }
            return stored
        }
    }

    func job(id: Int64) throws -> Job? {
        try JobRow.fetchOne(db, key: id)?.model()
    }

    func jobs(_ query: JobQuery) throws -> [Job] {
        var request = JobRow.all()
        if let states = query.states { request = request.filter(states.map(\.rawValue).contains(Column("state"))) }
        if let broadcast = query.broadcastID { request = request.filter(Column("broadcastId") == broadcast) }
        if let tag = query.tag { request = request.filter(Column("tag") == tag.text) }
        return try request.order(Column("id").desc).limit(min(max(query.limit, 1), 100_000)).fetchAll(db).map { try $0.model() }
    }

    /// Walks the partial index of waiting jobs in the order they are served.
    func dueJobs(at now: Date, excludingNumbers: Set<String>, limit: Int) throws -> [Job] {
        var arguments: StatementArguments = [now]
        var exclusion = ""
        if !excludingNumbers.isEmpty {
            exclusion = " AND number NOT IN (" + excludingNumbers.map { _ in "?" }.joined(separator: ",") + ")"
            for number in excludingNumbers.sorted() { _ = arguments.append(contentsOf: [number]) }
        }
        _ = arguments.append(contentsOf: [min(max(limit, 1), 1000)])
        return try JobRow.fetchAll(
            db,
            sql: """
                SELECT * FROM job INDEXED BY job_waiting
                WHERE state IN ('queued', 'requeued') AND notBefore <= ?\(exclusion)
                ORDER BY priority, notBefore, id LIMIT ?
                """,
            arguments: arguments
        ).map { try $0.model() }
    }

    func saveJob(_ job: Job, expecting expected: JobState) throws {
        guard let id = job.id else { throw RepositoryError.notFound("job without id") }
        guard let stored = try String.fetchOne(db, sql: "SELECT state FROM job WHERE id = ?", arguments: [id]) else {
            throw RepositoryError.notFound("job \(id)")
        }
        // Optimistic concurrency: which changes are allowed is the state machine's business
        // (Job's transitions); the store only checks that nobody changed the job meanwhile.
        guard stored == expected.rawValue else {
            throw JobTransitionError(jobID: id, from: JobState(rawValue: stored) ?? expected, to: job.state)
        }
        try JobRow(job).update(db)
        if let event = WebhookEvent.ofJob(from: JobState(rawValue: stored), to: job.state) {
            try queueWebhookEvent(event, about: .job(job), callbackURL: job.callbackURL, at: clock())
        }
    }

    func activeJobs() throws -> [Job] {
        try JobRow.filter(["dialing", "sending"].contains(Column("state"))).fetchAll(db).map { try $0.model() }
    }

    /// Walks the partial index of waiting jobs by kill time.
    func overdueJobs(at now: Date, limit: Int) throws -> [Job] {
        try JobRow.fetchAll(
            db,
            sql: """
                SELECT * FROM job INDEXED BY job_waiting_on_killAt
                WHERE state IN ('queued', 'requeued') AND killAt <= ? ORDER BY killAt, id LIMIT ?
                """,
            arguments: [now, min(max(limit, 1), 1000)]
        ).map { try $0.model() }
    }

    func jobQueueSummary(at now: Date) throws -> JobQueueSummary {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT
                  count(*) FILTER (WHERE state IN ('queued', 'requeued') AND notBefore <= ?) AS due,
                  count(*) FILTER (WHERE state IN ('queued', 'requeued') AND notBefore > ?) AS scheduled,
                  count(*) FILTER (WHERE state IN ('dialing', 'sending')) AS active
                FROM job WHERE state IN ('queued', 'requeued', 'dialing', 'sending')
                """,
            arguments: [now, now])
        return JobQueueSummary(due: row?["due"] ?? 0, scheduled: row?["scheduled"] ?? 0, active: row?["active"] ?? 0)
    }

    func jobCount(owner: String, submittedSince since: Date) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM job WHERE owner = ? AND submittedAt >= ?", arguments: [owner, since]) ?? 0
    }
}

extension FaxDatabase: JobRepository {
    public func submitJobs(_ jobs: [Job]) async throws -> [Job] {
        try await durableWrite { try $0.submitJobs(jobs) }
    }
    public func job(id: Int64) async throws -> Job? { try await read { try $0.job(id: id) } }
    public func jobs(_ query: JobQuery) async throws -> [Job] { try await read { try $0.jobs(query) } }
    public func dueJobs(at now: Date, excludingNumbers: Set<String>, limit: Int) async throws -> [Job] {
        try await read { try $0.dueJobs(at: now, excludingNumbers: excludingNumbers, limit: limit) }
    }
    public func overdueJobs(at now: Date, limit: Int) async throws -> [Job] {
        try await read { try $0.overdueJobs(at: now, limit: limit) }
    }
    public func jobQueueSummary(at now: Date) async throws -> JobQueueSummary {
        try await read { try $0.jobQueueSummary(at: now) }
    }
    public func saveJob(_ job: Job, expecting expected: JobState) async throws {
        try await durableWrite { try $0.saveJob(job, expecting: expected) }
    }
    public func activeJobs() async throws -> [Job] { try await read { try $0.activeJobs() } }
    public func jobCount(owner: String, submittedSince since: Date) async throws -> Int {
        try await read { try $0.jobCount(owner: owner, submittedSince: since) }
    }

    /// A write transaction committed with `synchronous = FULL`: the job survives a power cut,
    /// not only a crash of the process (WAL with NORMAL, the default, only promises the latter).
    /// Like every write, it is not cancelled with the task that asked for it.
    func durableWrite<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> T) async throws -> T {
        let clock = clock
        return try await withCheckedThrowingContinuation { continuation in
            writer.asyncWriteWithoutTransaction { db in
                continuation.resume(with: Result {
                    try db.execute(sql: "PRAGMA synchronous = FULL")
                    defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
                    var result: T?
                    try db.inTransaction {
                        result = try body(StoreTransaction(db: db, clock: clock))
                        return .commit
                    }
                    guard let result else { throw StoreCorruption(what: "transaction returned nothing") }
                    return result
                })
            }
        }
    }
}
