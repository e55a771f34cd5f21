import Foundation

/// A plain-text mail to one address that is about no fax — why a printed document was not
/// faxed — sent from the durable mail queue like a fax's mail: retried with the same backoff
/// until delivered or refused for good, and not lost across restarts.
public struct MailNotice: Sendable, Equatable {
    public var id: Int64
    public var recipient: String
    public var subject: String
    public var body: String
    public var state: MailDeliveryState
    public var attempts: Int
    /// When a pending notice is due; `nil` once it is no longer pending.
    public var nextAttemptAt: Date?
    public var lastError: String?
    public var deliveredAt: Date?
    public var createdAt: Date
    /// Set when the notice is a job's delivery report: the job's first page (PNG) and PDF are
    /// attached when it is sent.
    public var jobID: Int64?

    public static let maximumSubjectLength = 200
    public static let maximumBodyLength = 20_000

    public init(id: Int64, recipient: String, subject: String, body: String, state: MailDeliveryState, attempts: Int,
                nextAttemptAt: Date?, lastError: String?, deliveredAt: Date?, createdAt: Date, jobID: Int64? = nil) {
        self.id = id
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.deliveredAt = deliveredAt
        self.createdAt = createdAt
        self.jobID = jobID
    }

    /// The rules a notice must meet before it is queued: a valid address, a subject of one
    /// line, a body of bounded length.
    public static func validate(recipient: String, subject: String, body: String) throws(FaxValidationError) {
        try EmailAddress.validate(recipient)
        guard !subject.isEmpty, subject.count <= maximumSubjectLength, !FieldRules.hasControlCharacters(subject) else {
            throw FaxValidationError(field: "notice subject", reason: "1 to \(maximumSubjectLength) characters on one line")
        }
        guard body.count <= maximumBodyLength else {
            throw FaxValidationError(field: "notice text", reason: "at most \(maximumBodyLength) characters")
        }
    }
}

/// The queue of `MailNotice`s. Call `recoverInterruptedNotices` at startup, before the first
/// `dueNotices`.
public protocol NoticeRepository: Sendable {
    /// Queues a notice, due now; with `jobID`, the delivery report of that job.
    func enqueueNotice(to recipient: String, subject: String, body: String, jobID: Int64?, at now: Date) async throws -> MailNotice
    /// Pending notices due at `now`, oldest due first.
    func dueNotices(at now: Date, limit: Int) async throws -> [MailNotice]
    /// Takes a pending notice for an attempt (counting it); `nil` when another worker took it.
    func markNoticeSending(id: Int64, at now: Date) async throws -> MailNotice?
    func markNoticeDelivered(id: Int64, at now: Date) async throws
    /// Back to pending for `nextAttemptAt`, or failed for good when it is `nil`.
    func markNoticeFailed(id: Int64, error: String, nextAttemptAt: Date?) async throws
    func notice(id: Int64) async throws -> MailNotice?
    /// Notices left `sending` by a crash become pending and due at `now`. Returns how many.
    func recoverInterruptedNotices(at now: Date) async throws -> Int
}

extension NoticeRepository {
    /// Queues a notice about no job, due now.
    public func enqueueNotice(to recipient: String, subject: String, body: String, at now: Date) async throws -> MailNotice {
        try await enqueueNotice(to: recipient, subject: subject, body: body, jobID: nil, at: now)
    }
}
