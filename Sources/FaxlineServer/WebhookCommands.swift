import FaxCore
import Foundation
import Webhooks

/// What people do with webhooks and their deliveries: the CLI (`faxline webhooks`) and the
/// REST API share it. Who may do it is the caller's business (`AccessPolicy`); where a URL may
/// point is decided here, from its owner's rights.
public struct WebhookCommands: Sendable {
    public let store: any FaxStore
    public let destinations: WebhookDestinationPolicy

    public init(store: any FaxStore, destinations: WebhookDestinationPolicy) {
        self.store = store
        self.destinations = destinations
    }

    /// A new webhook for `owner` (`nil`: global). Without a secret, one is made; the result
    /// holds it, to be shown once. An owner who is not an administrator may point it only
    /// where `[webhooks] allow` says.
    public func add(url: String, events: Set<WebhookEvent>, secret: Secret?, owner: User?, actor: String, at now: Date = Date())
        async throws -> Webhook
    {
        let webhook = try Webhook(
            url: url, secret: secret ?? WebhookSecretText.generate(), userID: owner?.id, userName: owner?.name, events: events,
            createdAt: now)
        try checkDestination(webhook.url, for: owner)
        let stored = try await store.addWebhook(webhook)
        try await store.appendAudit(AuditEntry(
            at: now, kind: .webhookAdded, actor: actor,
            summary: "webhook \(stored.id) for \(owner?.name ?? "everything"): \(stored.url)"))
        return stored
    }

    /// Refuses a URL that only an administrator may set, when the owner is not one.
    public func checkDestination(_ url: String, for owner: User?) throws(FaxValidationError) {
        guard let owner, !owner.isAdmin else { return }
        try destinations.check(url: url)
    }

    public func remove(_ webhook: Webhook, actor: String, at now: Date = Date()) async throws {
        try await store.removeWebhook(id: webhook.id)
        try await store.appendAudit(AuditEntry(at: now, kind: .webhookRemoved, actor: actor, summary: "webhook \(webhook.id): \(webhook.url)"))
    }

    public func replay(_ delivery: WebhookDelivery, actor: String, at now: Date = Date()) async throws -> WebhookDelivery {
        let replayed = try await store.replayWebhookDelivery(id: delivery.id, at: now)
        try await store.appendAudit(AuditEntry(
            at: now, kind: .webhookReplayed, actor: actor, summary: "\(delivery.event.rawValue) delivery \(delivery.id) to \(delivery.url)"))
        return replayed
    }

    /// The webhook whose id starts with `text`.
    public func findWebhook(_ text: String) async throws -> Webhook {
        try await IDPrefixLookup.find(
            text, naming: "webhook", ids: { try await store.webhookIDs(startingWith: $0, limit: $1) }, record: { try await store.webhook(id: $0) })
    }

    /// The delivery whose id starts with `text`.
    public func findDelivery(_ text: String) async throws -> WebhookDelivery {
        try await IDPrefixLookup.find(
            text, naming: "delivery", ids: { try await store.webhookDeliveryIDs(startingWith: $0, limit: $1) },
            record: { try await store.webhookDelivery(id: $0) })
    }
}
