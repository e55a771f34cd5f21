import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// Webhooks, for administrators: every webhook (URL, owner or global, events, how its last
/// delivery went), adding one (the secret shown once when the server makes it), removing one,
/// and the deliveries with their results, attempts and replay. Everything goes through the
/// server's `WebhookAdministration` (`WebhookCommands`: URL rules, the destination policy for
/// users' URLs, the audit entries), as the API and `faxline webhooks` do.
struct WebhooksPage: Sendable {
    let app: WebApp
    static let href = "/admin/webhooks"
    static let deliveriesShown = 50

    struct Row {
        var id: String
        var shortID: String
        var url: String
        var owner: String
        var events: String
        var created: String
        var state: String
        var tone: String
        var deliveriesHref: String
    }

    struct Delivery {
        var id: String
        var shortID: String
        var event: String
        var url: String
        var subject: String
        var subjectHref: String?
        var occurred: String
        var state: String
        var tone: String
        var attempts: String
        var result: String
        var replayHref: String
    }

    /// What the add form holds (again, after a refusal; never the secret).
    struct NewWebhook {
        var url = ""
        var owner = ""
        var events: Set<WebhookEvent> = []
    }

    /// The webhook just added and, when the server made it, its secret: shown on this answer only.
    struct Added {
        var url: String
        var secret: String?
    }

    struct Model {
        var chrome: Chrome
        var notice: String?
        var message: String?
        var added: Added?
        var webhooks: [Row]
        var new: NewWebhook
        var events: [PeoplePages.Choice]
        var owners: [PeoplePages.Option]
        var deliveries: [Delivery]
        var hasDeliveries: Bool
        var deliveryStates: [PeoplePages.Option]
        var deliveryWebhooks: [PeoplePages.Option]
        var filtered: Bool
        var minimumSecret: Int
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/admin/webhooks") { request, context in try await show(request, context: context) }
        router.post("/admin/webhooks") { request, context in try await add(request, context: context) }
        router.post("/admin/webhooks/:id/remove") { request, context in try await remove(request, context: context) }
        router.post("/admin/webhooks/deliveries/:id/replay") { request, context in try await replay(request, context: context) }
    }

    /// The server's webhooks; a server without them answers 404, as the API does.
    private var webhooks: any WebhookAdministration {
        get throws {
            guard let webhooks = app.services.webhooks else { throw WebPageError.notFound("Webhooks (this server has none)") }
            return webhooks
        }
    }

    private func show(_ request: Request, context: WebRequestContext) async throws -> Response {
        let session = try PeoplePages.administrator(context, .webhooks)
        let notice: String? = switch WebForm(query: request)["done"] {
        case "removed": "The webhook was removed, with its deliveries."
        case "replayed": "The delivery is due again now, with a new day of retries."
        default: nil
        }
        return try await page(session, query: WebForm(query: request), notice: notice)
    }

    private func add(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session) = try await WebForm.posted(request, context: context)
        try WebApp.require(session, .administer(.webhooks))
        let new = NewWebhook(
            url: form.text("url") ?? "", owner: form.text("owner") ?? "", events: Set(form.all("event").compactMap(WebhookEvent.init(rawValue:))))
        do {
            let owner = try await RecordOwner.resolve(
                nobodys: new.owner.isEmpty, userName: new.owner.isEmpty ? nil : new.owner, for: session.principal,
                accounts: app.services.accounts, othersNeed: .administer(.webhooks), nobodysName: "a global webhook")
            let given = form.text("secret")
            let webhook = try await webhooks.addWebhook(
                url: new.url, events: new.events, secret: given.map { Secret($0) }, owner: owner, actor: WebApp.actor(session))
            return try await page(
                session, query: WebForm(encoded: ""), notice: "The webhook was added.",
                added: Added(url: webhook.url, secret: given == nil ? webhook.secret.revealed : nil))
        } catch {
            return try await page(session, query: WebForm(encoded: ""), refusal: try PeoplePages.Refusal.from(error), new: new)
        }
    }

    private func remove(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (_, session) = try await WebForm.posted(request, context: context)
        try WebApp.require(session, .administer(.webhooks))
        let id = try context.parameters.require("id")
        guard let webhook = try await webhooks.webhook(id: id) else { throw WebPageError.notFound("Webhook \(id)") }
        try await webhooks.removeWebhook(webhook, actor: WebApp.actor(session))
        return WebApp.redirect(Self.href + "?done=removed")
    }

    private func replay(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (_, session) = try await WebForm.posted(request, context: context)
        try WebApp.require(session, .administer(.webhooks))
        let id = try context.parameters.require("id")
        guard let delivery = try await webhooks.webhookDelivery(id: id) else { throw WebPageError.notFound("Webhook delivery \(id)") }
        do {
            _ = try await webhooks.replayWebhookDelivery(delivery, actor: WebApp.actor(session))
        } catch {
            return try await page(session, query: WebForm(encoded: ""), refusal: try PeoplePages.Refusal.from(error))
        }
        return WebApp.redirect(Self.href + "?done=replayed#deliveries")
    }

    private func page(
        _ session: WebSessions.SignedIn, query: WebForm, notice: String? = nil, refusal: PeoplePages.Refusal? = nil, added: Added? = nil,
        new: NewWebhook = NewWebhook()
    ) async throws -> Response {
        let webhooks = try self.webhooks
        let all = try await webhooks.webhooks(userID: nil)
        let users = try await app.services.accounts.users()
        let state = query.text("state").flatMap(WebhookDeliveryState.init(rawValue:))
        let shownWebhook = query.text("webhook").flatMap { id in all.contains { $0.id == id } ? id : nil }
        let deliveries = try await webhooks.webhookDeliveries(
            WebhookDeliveryQuery(webhookID: shownWebhook, state: state, limit: Self.deliveriesShown))
        var rows: [Row] = []
        for webhook in all {
            let last = try await webhooks.webhookDeliveries(WebhookDeliveryQuery(webhookID: webhook.id, limit: 1)).first
            let ownerDisabled = webhook.userID != nil && users.first { $0.id == webhook.userID }?.isEnabled == false
            let health: (text: String, tone: String) = if ownerDisabled {
                ("owner disabled: hears nothing", "bad")
            } else if let last {
                ("last delivery \(last.state.rawValue)", Self.tone(last.state))
            } else {
                ("no deliveries yet", "plain")
            }
            rows.append(Row(
                id: webhook.id, shortID: String(webhook.id.prefix(8)), url: webhook.url,
                owner: webhook.userName ?? "global (everything)",
                events: webhook.events.isEmpty ? "all events" : webhook.events.sorted().map(\.rawValue).joined(separator: ", "),
                created: WebDisplay.time(webhook.createdAt), state: health.text, tone: health.tone,
                deliveriesHref: Self.href + "?" + WebForm.encode([("webhook", webhook.id)]) + "#deliveries"))
        }
        let model = Model(
            chrome: Chrome(title: "Webhooks", session: session, current: PeoplePages.section), notice: notice, message: refusal?.message,
            added: added, webhooks: rows, new: new,
            events: WebhookEvent.allCases.map { event in
                PeoplePages.Choice(id: "event-" + event.rawValue.replacingOccurrences(of: ".", with: "-"), value: event.rawValue,
                                   label: event.rawValue, checked: new.events.contains(event))
            },
            owners: users.map { PeoplePages.Option(value: $0.name, label: $0.name + ($0.isAdmin ? " (administrator)" : ""), selected: $0.name == new.owner) },
            deliveries: deliveries.map(Self.delivery), hasDeliveries: !deliveries.isEmpty,
            deliveryStates: WebhookDeliveryState.allCases.map { PeoplePages.Option(value: $0.rawValue, label: $0.rawValue, selected: $0 == state) },
            deliveryWebhooks: all.map {
                PeoplePages.Option(value: $0.id, label: String($0.id.prefix(8)) + " · " + ($0.userName ?? "global"), selected: $0.id == shownWebhook)
            },
            filtered: state != nil || shownWebhook != nil, minimumSecret: WebhookSecretText.minimumLength)
        return app.renderer.page("webhooks", model, status: refusal?.status ?? .ok)
    }

    private static func delivery(_ delivery: WebhookDelivery) -> Delivery {
        let subject: (String, String?) = switch delivery.subject {
        case .fax(let fax): ("fax \(fax.id.prefix(8))", "/faxes/\(fax.id)")
        case .job(let job): ("job \(job.id ?? 0)", job.id.map { "/jobs/\($0)" })
        }
        var result: [String] = []
        if let status = delivery.lastStatus { result.append("HTTP \(status)") }
        if let error = delivery.lastError, !error.isEmpty { result.append(error) }
        if let delivered = delivery.deliveredAt { result.append("delivered \(WebDisplay.time(delivered))") }
        if delivery.state == .pending, let next = delivery.nextAttemptAt { result.append("next try \(WebDisplay.time(next))") }
        return Delivery(
            id: delivery.id, shortID: String(delivery.id.prefix(8)), event: delivery.event.rawValue, url: delivery.url,
            subject: subject.0, subjectHref: subject.1, occurred: WebDisplay.time(delivery.occurredAt), state: delivery.state.rawValue,
            tone: tone(delivery.state), attempts: Plural.count(delivery.attempts, "attempt"),
            result: result.isEmpty ? "not tried yet" : result.joined(separator: " · "),
            replayHref: Self.href + "/deliveries/\(delivery.id)/replay")
    }

    private static func tone(_ state: WebhookDeliveryState) -> String {
        switch state {
        case .delivered: "good"
        case .failed: "bad"
        case .sending: "busy"
        case .pending: "plain"
        }
    }
}
