/// The webhook deliveries not done yet (pending or being sent), for `/metrics`
/// (`faxline_webhook_backlog`). The store that keeps webhook deliveries conforms to this (the
/// webhook repository has this very method); the server finds it there (`store as?`), and until
/// a store does, the gauge is left out rather than shown as 0.
public protocol WebhookBacklogRepository: Sendable {
    func webhookBacklog() async throws -> Int
}
