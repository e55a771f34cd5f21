import Documents
import FaxCore
import Foundation

/// One `faxline send` (or API call): documents to several numbers, as one broadcast.
public struct JobSubmission: Sendable {
    public var numbers: [String]
    /// TIFF, PDF, PostScript, images, text … in order; converted to one fax document.
    public var files: [String]
    public var sender = JobSender()
    public var priority = Job.defaultPriority
    public var maxTries = Job.defaultTries
    public var maxDials = Job.defaultDials
    public var notBefore: Date?
    public var killAfter: TimeInterval = Job.defaultKillAfter
    public var notifyEmail: String?
    public var notifyOnRequeue = false
    public var owner = ""

    public init(numbers: [String], files: [String]) {
        self.numbers = numbers
        self.files = files
    }
}

/// Turns a submission into queued jobs: checks every number first, converts the documents
/// once into the spool (`out/<broadcast id>.tif`), then stores one job per number in one
/// transaction — either every job is queued or none is.
public struct JobSubmitter: Sendable {
    public let jobs: any JobRepository
    public let spool: Spool
    private let diskGuard: DiskGuard
    public var converter = DocumentConverter()

    /// `minimumFreeBytes`: below this much free space in the spool a submission is refused
    /// with a clear error, before anything is converted or queued.
    public init(jobs: any JobRepository, spoolRoot: String, minimumFreeBytes: Int64 = 0) {
        self.jobs = jobs
        self.spool = Spool(root: spoolRoot)
        diskGuard = DiskGuard(spool: spool, minimumFreeBytes: minimumFreeBytes)
    }

    public func submit(_ submission: JobSubmission, now: Date = Date()) async throws -> [Job] {
        guard !submission.numbers.isEmpty else { throw FaxValidationError(field: "number", reason: "give at least one (-d NUMBER)") }
        guard submission.numbers.count <= 1000 else { throw FaxValidationError(field: "number", reason: "at most 1000 per submission") }
        guard !submission.files.isEmpty else { throw FaxValidationError(field: "document", reason: "give at least one file") }
        try diskGuard.requireRoomForSubmission()
        let numbers = try submission.numbers.map { number throws(FaxValidationError) in try FaxNumber.normalized(number) }
        let broadcastID = UUID().uuidString.lowercased()
        try spool.prepare()
        let temporary = spool.temporaryFile("\(broadcastID).tif")
        let result = try await converter.convert(submission.files, to: temporary)
        let document = try spool.place(temporary, at: "out/\(broadcastID).tif")
        let notBefore = submission.notBefore ?? now
        let jobs = try numbers.map { number in
            try Job(
                broadcastID: broadcastID, number: number, document: document, pageCount: result.pageCount,
                priority: submission.priority, maxTries: submission.maxTries, maxDials: submission.maxDials, submittedAt: now,
                notBefore: notBefore, killAt: notBefore.addingTimeInterval(submission.killAfter), sender: submission.sender,
                owner: submission.owner, notifyEmail: submission.notifyEmail, notifyOnRequeue: submission.notifyOnRequeue)
        }
        do {
            return try await self.jobs.submitJobs(jobs)
        } catch {
            try? FileManager.default.removeItem(atPath: document.absolutePath(under: spool.root))
            throw error
        }
    }
}
