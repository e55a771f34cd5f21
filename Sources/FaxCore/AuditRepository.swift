/// The audit log: who deleted faxes and changed users, tokens and settings.
public protocol AuditRepository: Sendable {
    func appendAudit(_ entry: AuditEntry) async throws
    /// Newest first.
    func auditEntries(limit: Int) async throws -> [AuditEntry]
    /// A page of the entries `query` selects, newest first.
    func auditPage(_ query: AuditQuery) async throws -> ListPage<AuditEntry>
    /// The newest entry of one kind (the last cleanup, for `faxline status`).
    func latestAuditEntry(kind: AuditEntry.Kind) async throws -> AuditEntry?
}
