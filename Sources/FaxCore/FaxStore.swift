/// Everything a store of one Faxline installation provides: every repository, and the records
/// with a lifetime the cleaner deletes. The SQLite store (`Store.FaxDatabase`) is the first; a
/// PostgreSQL one for several nodes is another module implementing this — the server, the CLI
/// and the repository contract tests need nothing else.
public protocol FaxStore: DeviceRepository, RoutingRepository, FaxRepository, DeliveryRepository, JobRepository,
    RetentionRepository, ListingRepository, UserRepository, APITokenRepository, LoginThrottleRepository, NoticeRepository,
    WebhookRepository, WebSessionRepository, FaxAnnotationRepository, ContactRepository
{
    /// Finished records the cleaner deletes after `records_days` (outbound jobs, …).
    var finishedRecordSources: [any FinishedRecordRetention] { get }
    /// Commits a change that touches nothing else, or throws why it cannot (for `/readyz`).
    func checkWritable() async throws
}
