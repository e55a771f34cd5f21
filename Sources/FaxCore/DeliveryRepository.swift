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
    /// Mails the fax again (a resend): each recipient's delivery is due again now (unless it
    /// is being sent right now), a new address gets a new one. Returns those deliveries.
    func requeueDeliveries(faxID: String, recipients: [MailRecipient], at now: Date) async throws -> [MailDelivery]
    /// Deliveries left `sending` by a crash become pending and due at `now`. Returns how many.
    func recoverInterruptedDeliveries(at now: Date) async throws -> Int
}
