/// The audit log: who deleted faxes and changed users, tokens and settings.
public protocol AuditRepository: Sendable {
    func appendAudit(_ entry: AuditEntry) async throws
    /// Newest first.
    func auditEntries(limit: Int) async throws -> [AuditEntry]
}
