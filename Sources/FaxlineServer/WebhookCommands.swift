import FaxCore
import Foundation
import Webhooks

/// What people do with webhooks and their deliveries: the CLI (`faxline webhooks`) and the
/// REST API share it. Who may do it is the caller's business (`AccessPolicy`); where a URL may
/// point is decided here, from its owner's rights.
public struct WebhookCommands: Sendable {
    public let store: any FaxStore
    public let destinations: WebhookDestinationPolicy
    /// At most this many candidates are shown when a prefix names several.
    static let candidatesShown = 5

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
        let prefix = try FaxIDPrefix(text, naming: "webhook")
        let ids = try await store.webhookIDs(startingWith: prefix.text, limit: Self.candidatesShown + 1)
        guard ids.count == 1 else {
            throw WebhookLookupError(thing: "webhook", prefix: prefix.text, candidates: ids)
        }
        guard let webhook = try await store.webhook(id: ids[0]) else { throw WebhookLookupError(thing: "webhook", prefix: prefix.text, candidates: []) }
        return webhook
    }

    /// The delivery whose id starts with `text`.
    public func findDelivery(_ text: String) async throws -> WebhookDelivery {
        let prefix = try FaxIDPrefix(text, naming: "delivery")
        let ids = try await store.webhookDeliveryIDs(startingWith: prefix.text, limit: Self.candidatesShown + 1)
        guard ids.count == 1 else {
            throw WebhookLookupError(thing: "delivery", prefix: prefix.text, candidates: ids)
        }
        guard let delivery = try await store.webhookDelivery(id: ids[0]) else {
            throw WebhookLookupError(thing: "delivery", prefix: prefix.text, candidates: [])
        }
        return delivery
    }
}

/// A prefix that names no webhook (or delivery), or several.
public struct WebhookLookupError: Error, Sendable, Equatable, CustomStringConvertible {
    public var thing: String
    public var prefix: String
    /// The ids that start so (at most a few, and one more when there are more).
    public var candidates: [String]

    public var description: String {
        guard !candidates.isEmpty else { return "no \(thing) \(prefix)" }
        let shown = candidates.prefix(WebhookCommands.candidatesShown).map { "  " + $0 }
        return "\(prefix) names more than one \(thing); give more of the id:\n" + shown.joined(separator: "\n")
            + (candidates.count > WebhookCommands.candidatesShown ? "\n  …" : "")
    }
}
