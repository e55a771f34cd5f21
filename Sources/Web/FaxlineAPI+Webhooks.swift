import FaxCore
import Foundation

extension FaxlineAPI {
    // MARK: - Webhooks

    var webhookAdministration: any WebhookAdministration {
        get throws {
            guard let webhooks = services.webhooks else { throw APIProblem.notFound("webhooks (this server has none)") }
            return webhooks
        }
    }

    func listWebhooks(_ input: Operations.ListWebhooks.Input) async throws -> Operations.ListWebhooks.Output {
        let principal = try principal(allowedTo: .ownAccount(.manageWebhooks))
        let everyone = AccessPolicy.decide(principal, .administer(.webhooks)).isAllowed
        let webhooks = try await webhookAdministration.webhooks(userID: everyone ? nil : principal.user.id)
        return .ok(.init(body: .json(webhooks.map(Components.Schemas.Webhook.init))))
    }

    func addWebhook(_ input: Operations.AddWebhook.Input) async throws -> Operations.AddWebhook.Output {
        let principal = try principal(allowedTo: .ownAccount(.manageWebhooks))
        guard case .json(let new) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let owner = try await RecordOwner.resolve(
            nobodys: new.global == true, userName: new.user, for: principal, accounts: services.accounts,
            othersNeed: .administer(.webhooks), nobodysName: "a global webhook")
        let webhook = try await webhookAdministration.addWebhook(
            url: new.url, events: Set((new.events ?? []).compactMap { WebhookEvent(rawValue: $0.rawValue) }),
            secret: new.secret.map { Secret($0) }, owner: owner, actor: Self.actor(principal))
        return .created(.init(body: .json(.init(webhook: .init(webhook), secret: webhook.secret.revealed))))
    }

    func removeWebhook(_ input: Operations.RemoveWebhook.Input) async throws -> Operations.RemoveWebhook.Output {
        let principal = try RequestPrincipal.required()
        let webhook = try await existingWebhook(input.path.webhookId, for: principal)
        try await webhookAdministration.removeWebhook(webhook, actor: Self.actor(principal))
        return .noContent(.init())
    }

    func listWebhookDeliveries(_ input: Operations.ListWebhookDeliveries.Input) async throws -> Operations.ListWebhookDeliveries.Output {
        let principal = try principal(allowedTo: .ownAccount(.manageWebhooks))
        let everyone = AccessPolicy.decide(principal, .administer(.webhooks)).isAllowed
        if let webhookID = input.query.webhook { _ = try await existingWebhook(webhookID, for: principal) }
        let query = WebhookDeliveryQuery(
            userID: everyone ? nil : principal.user.id, webhookID: input.query.webhook,
            state: input.query.state.flatMap { WebhookDeliveryState(rawValue: $0.rawValue) }, limit: try Self.limit(input.query.limit))
        let deliveries = try await webhookAdministration.webhookDeliveries(query)
        return .ok(.init(body: .json(deliveries.map(Components.Schemas.WebhookDelivery.init))))
    }

    func replayWebhookDelivery(_ input: Operations.ReplayWebhookDelivery.Input) async throws -> Operations.ReplayWebhookDelivery.Output {
        let principal = try principal(allowedTo: .ownAccount(.manageWebhooks))
        guard let delivery = try await webhookAdministration.webhookDelivery(id: input.path.deliveryId) else {
            throw APIProblem.notFound("webhook delivery \(input.path.deliveryId)")
        }
        if delivery.userID != principal.user.id { _ = try self.principal(allowedTo: .administer(.webhooks)) }
        let replayed = try await webhookAdministration.replayWebhookDelivery(delivery, actor: Self.actor(principal))
        return .ok(.init(body: .json(.init(replayed))))
    }

    /// The webhook, if the principal may manage it: their own, or any for an administrator.
    private func existingWebhook(_ id: String, for principal: Principal) async throws -> Webhook {
        guard let webhook = try await webhookAdministration.webhook(id: id) else { throw APIProblem.notFound("webhook \(id)") }
        _ = try self.principal(allowedTo: webhook.userID == principal.user.id ? .ownAccount(.manageWebhooks) : .administer(.webhooks))
        return webhook
    }
}

extension Components.Schemas.Webhook {
    init(_ webhook: Webhook) {
        self.init(
            id: webhook.id, url: webhook.url, user: webhook.userName,
            events: webhook.events.sorted().compactMap { Components.Schemas.WebhookEvent(rawValue: $0.rawValue) },
            createdAt: webhook.createdAt)
    }
}

extension Components.Schemas.WebhookDelivery {
    init(_ delivery: WebhookDelivery) {
        self.init(
            id: delivery.id, webhookId: delivery.webhookID, url: delivery.url,
            event: Components.Schemas.WebhookEvent(rawValue: delivery.event.rawValue) ?? .job_done, faxId: delivery.faxID,
            jobId: delivery.jobID, occurredAt: delivery.occurredAt,
            state: Components.Schemas.WebhookDeliveryState(rawValue: delivery.state.rawValue) ?? .pending, attempts: delivery.attempts,
            nextAttemptAt: delivery.nextAttemptAt, lastStatus: delivery.lastStatus, lastError: delivery.lastError,
            deliveredAt: delivery.deliveredAt, createdAt: delivery.createdAt)
    }
}
