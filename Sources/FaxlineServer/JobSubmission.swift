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
    /// Each job's events are posted here (`WebhookEvent`), signed with the callback secret.
    public var callbackURL: String?
    /// The submitter's own reference, the same on every job of the submission.
    public var tag: JobTag?
    public var owner = ""

    public init(numbers: [String], files: [String]) {
        self.numbers = numbers
        self.files = files
    }

    /// Checks everything that does not need the documents converted — numbers, priority,
    /// limits, times, sender, notification address, callback URL — and returns the numbers as
    /// dialed. A submission that fails here has cost nothing and left nothing in the spool.
    public func validate(now: Date = Date()) throws -> [String] {
        guard !numbers.isEmpty else { throw FaxValidationError(field: "number", reason: "give at least one (-d NUMBER)") }
        guard numbers.count <= 1000 else { throw FaxValidationError(field: "number", reason: "at most 1000 per submission") }
        guard !files.isEmpty else { throw FaxValidationError(field: "document", reason: "give at least one file") }
        let dialed = try numbers.map { number throws(FaxValidationError) in try FaxNumber.normalized(number) }
        if let callerID = sender.callerIDNumber { _ = try FaxNumber.normalized(callerID, field: "caller id") }
        if let name = sender.callerIDName, name.count > 100 || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw FaxValidationError(field: "caller id name", reason: "at most 100 printable characters")
        }
        if let notBefore, notBefore < now.addingTimeInterval(-60) {
            throw FaxValidationError(field: "send time", reason: "\(notBefore.formatted(.iso8601)) is in the past")
        }
        guard killAfter > 0 else { throw FaxValidationError(field: "kill time", reason: "must be after the send time") }
        // The job's own rules (priority, tries, dials, station id, header, notification address)
        // on a stand-in document.
        let start = notBefore ?? now
        _ = try Job(
            number: dialed[0], document: try SpoolPath("out/check.tif"), pageCount: 1, priority: priority, maxTries: maxTries,
            maxDials: maxDials, submittedAt: now, notBefore: start, killAt: start.addingTimeInterval(killAfter), sender: sender,
            owner: owner, notifyEmail: notifyEmail, notifyOnRequeue: notifyOnRequeue, callbackURL: callbackURL)
        for file in files {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isFolder), !isFolder.boolValue,
                  FileManager.default.isReadableFile(atPath: file)
            else {
                throw FaxValidationError(field: "document", reason: "cannot read \(file) (not a readable file)")
            }
        }
        return dialed
    }
}

/// Turns a submission into queued jobs: checks every option first, converts the documents
/// once into the spool (`out/<broadcast id>.tif`), then stores one job per number in one
/// transaction — either every job is queued or none is, and a refused submission leaves no
/// file in the spool.
public struct JobSubmitter: Sendable {
    public let jobs: any JobRepository
    public let spool: Spool
    private let diskGuard: DiskGuard
    public var converter = DocumentConverter()
    /// Where the conversion's time is recorded (the server's; the CLI has none).
    public var metrics: ServerMetrics?

    /// `minimumFreeBytes`: below this much free space in the spool a submission is refused
    /// with a clear error, before anything is converted or queued.
    public init(jobs: any JobRepository, spoolRoot: String, minimumFreeBytes: Int64 = 0) {
        self.jobs = jobs
        self.spool = Spool(root: spoolRoot)
        diskGuard = DiskGuard(spool: spool, minimumFreeBytes: minimumFreeBytes)
    }

    /// Checks and converts the documents (with the cover page) to `output` without queueing
    /// anything: what the web app shows before the user confirms. Sending the result later is a
    /// submission of that one file.
    public func prepare(_ submission: JobSubmission, to output: String, now: Date = Date()) async throws -> ConversionResult {
        _ = try submission.validate(now: now)
        try diskGuard.requireRoomForSubmission()
        return try await converter.convert(submission.files, to: output)
    }

    public func submit(_ submission: JobSubmission, now: Date = Date()) async throws -> [Job] {
        let numbers = try submission.validate(now: now)
        try diskGuard.requireRoomForSubmission()
        let broadcastID = UUID().uuidString.lowercased()
        try spool.prepare()
        let temporary = spool.temporaryFile("\(broadcastID).tif")
        // Whatever fails from here, neither the converted pages nor the placed document stay.
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let started = ContinuousClock.now
        let result: ConversionResult
        do {
            // Failed conversions take time too (a timeout, a document too big): all are timed.
            defer { metrics?.documentsConverted(in: ContinuousClock.now - started) }
            result = try await converter.convert(submission.files, to: temporary)
        }
        let document = try spool.place(temporary, at: "out/\(broadcastID).tif")
        do {
            let notBefore = submission.notBefore ?? now
            let jobs = try numbers.map { number in
                try Job(
                    broadcastID: broadcastID, number: number, document: document, pageCount: result.pageCount,
                    priority: submission.priority, maxTries: submission.maxTries, maxDials: submission.maxDials, submittedAt: now,
                    notBefore: notBefore, killAt: notBefore.addingTimeInterval(submission.killAfter), sender: submission.sender,
                    owner: submission.owner, notifyEmail: submission.notifyEmail, notifyOnRequeue: submission.notifyOnRequeue,
                    callbackURL: submission.callbackURL, tag: submission.tag)
            }
            return try await self.jobs.submitJobs(jobs)
        } catch {
            try? FileManager.default.removeItem(atPath: document.absolutePath(under: spool.root))
            throw error
        }
    }
}
