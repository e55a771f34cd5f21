import Foundation

/// Webhooks and their delivery queue. Deliveries are queued by the store itself, in the
/// transaction that changes a job's or a fax's state (`WebhookEvent.ofJob`, `ofFax`): an event
/// is never lost, nor sent for a change that was rolled back. The queue survives restarts:
/// call `recoverInterruptedWebhookDeliveries` at startup, before the first due list.
public protocol WebhookRepository: Sendable {
    func addWebhook(_ webhook: Webhook) async throws -> Webhook
    /// A user's webhooks, or (`nil`) every webhook; oldest first.
    func webhooks(userID: Int64?) async throws -> [Webhook]
    func webhook(id: String) async throws -> Webhook?
    /// Removes it and its deliveries.
    func removeWebhook(id: String) async throws
    /// Ids that start with `prefix` (lowercased), in order, at most `limit`.
    func webhookIDs(startingWith prefix: String, limit: Int) async throws -> [String]

    func webhookDeliveries(_ query: WebhookDeliveryQuery) async throws -> [WebhookDelivery]
    func webhookDelivery(id: String) async throws -> WebhookDelivery?
    func webhookDeliveryIDs(startingWith prefix: String, limit: Int) async throws -> [String]
    /// Pending deliveries due at `now`, oldest due first.
    func dueWebhookDeliveries(at now: Date, limit: Int) async throws -> [WebhookDelivery]
    /// Takes a pending delivery for an attempt (counting it); `nil` when another worker has it.
    func markWebhookSending(id: String, at now: Date) async throws -> WebhookDelivery?
    func markWebhookDelivered(id: String, status: Int, at now: Date) async throws
    /// Back to pending for `nextAttemptAt`, or failed for good when it is `nil`.
    func markWebhookFailed(id: String, status: Int?, error: String, nextAttemptAt: Date?) async throws
    /// Sends it again from the start (attempts, error and the day of retries reset), due now.
    /// One being sent at this moment is left alone (`RepositoryError.conflict`).
    func replayWebhookDelivery(id: String, at now: Date) async throws -> WebhookDelivery
    /// Deliveries left `sending` by a crash become pending and due at `now`. Returns how many.
    func recoverInterruptedWebhookDeliveries(at now: Date) async throws -> Int
    /// Deletes delivered and failed deliveries queued before `date`. Returns how many.
    func pruneWebhookDeliveries(queuedBefore date: Date) async throws -> Int
    /// Pending or being sent.
    func webhookBacklog() async throws -> Int
    /// The secret that signs job callbacks when faxline.conf names none: made at random once,
    /// by the migration, and kept.
    func storedCallbackSecret() async throws -> Secret
}
