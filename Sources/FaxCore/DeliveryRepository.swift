import Foundation

/// The mail delivery queue. It survives restarts: call `recoverInterruptedDeliveries` at
/// startup, before the first `dueDeliveries`.
public protocol DeliveryRepository: Sendable {
    /// Queues one delivery per recipient, due now, and marks the fax's delivery pending.
    /// Queuing the same address for the same fax again changes nothing.
    func enqueueDeliveries(faxID: String, recipients: [MailRecipient], at now: Date) async throws -> [MailDelivery]
    /// Pending deliveries due at `now`, oldest due first.
    func dueDeliveries(at now: Date, limit: Int) async throws -> [MailDelivery]
    /// Takes a pending delivery for an attempt (counting it). `nil` when it is not pending
    /// any more — another worker took it.
    func markSending(id: Int64, at now: Date) async throws -> MailDelivery?
    func markDelivered(id: Int64, at now: Date) async throws
    /// Back to pending for `nextAttemptAt`, or failed for good when it is `nil`.
    func markFailed(id: Int64, error: String, nextAttemptAt: Date?) async throws
    func deliveries(faxID: String) async throws -> [MailDelivery]
    /// Deliveries left `sending` by a crash become pending and due at `now`. Returns how many.
    func recoverInterruptedDeliveries(at now: Date) async throws -> Int
    /// Mails the fax again (`faxline faxes resend`): each recipient gets a delivery due now. One
    /// the fax went to before (delivered or failed) starts over — attempts, error and times
    /// reset; one still pending or being sent stays as it is. Returns the fax's deliveries.
    func requeueDeliveries(faxID: String, recipients: [MailRecipient], at now: Date) async throws -> [MailDelivery]
    /// The queue at a glance, for `faxline status`.
    func deliveryQueueSummary() async throws -> DeliveryQueueSummary
}

/// How the mail queue stands.
public struct DeliveryQueueSummary: Sendable, Equatable, Codable {
    /// Deliveries not done yet: pending or being sent.
    public var pending: Int
    /// Of those, the ones whose last attempt failed (retried later).
    public var failing: Int
    /// Deliveries that failed for good (kept as long as their faxes).
    public var failed: Int
    /// When the oldest delivery not done yet was queued.
    public var oldestPendingSince: Date?

    public init(pending: Int = 0, failing: Int = 0, failed: Int = 0, oldestPendingSince: Date? = nil) {
        self.pending = pending
        self.failing = failing
        self.failed = failed
        self.oldestPendingSince = oldestPendingSince
    }
}

extension DeliveryQueueSummary {
    /// What is not delivered yet, the failing apart.
    public var backlog: DeliveryBacklog { DeliveryBacklog(pending: pending - failing, failing: failing) }
}

/// Deliveries not done yet, split so that the two add up to the backlog: `pending` (waiting for
/// their first try, or being sent) and `failing` (waiting to be tried again after an error).
public struct DeliveryBacklog: Sendable, Equatable {
    public var pending: Int
    public var failing: Int

    public init(pending: Int, failing: Int) {
        self.pending = pending
        self.failing = failing
    }
}
