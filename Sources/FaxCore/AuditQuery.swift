import Foundation

/// The audit log as people page through it: newest first (time, then id), 50 a page unless
/// asked otherwise, keyset paging like the fax list.
public struct AuditQuery: Sendable, Equatable {
    public var limit: Int
    /// Where the previous page ended (`ListPage.nextCursor`).
    public var cursor: String?
    /// Entries whose actor contains this, in any case: "alice" finds "alice (web)" and
    /// "alice (API token 7)".
    public var actor: String?
    /// Empty: every kind.
    public var kinds: Set<AuditEntry.Kind>
    /// At or after.
    public var since: Date?
    /// Before.
    public var until: Date?

    public init(
        limit: Int = 50, cursor: String? = nil, actor: String? = nil, kinds: Set<AuditEntry.Kind> = [], since: Date? = nil,
        until: Date? = nil
    ) {
        self.limit = limit
        self.cursor = cursor
        self.actor = actor
        self.kinds = kinds
        self.since = since
        self.until = until
    }
}
