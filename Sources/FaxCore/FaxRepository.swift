import Foundation

/// Which faxes to list, newest first.
public struct FaxQuery: Sendable, Equatable {
    public var limit: Int
    public var direction: FaxDirection?
    /// Empty: any status.
    public var statuses: Set<FaxStatus>
    public var deviceExtension: String?
    /// Only faxes created at or after this time.
    public var since: Date?
    /// Only faxes created before this time (for paging).
    public var before: Date?

    public init(
        limit: Int = 50, direction: FaxDirection? = nil, statuses: Set<FaxStatus> = [], deviceExtension: String? = nil,
        since: Date? = nil, before: Date? = nil
    ) {
        self.limit = limit
        self.direction = direction
        self.statuses = statuses
        self.deviceExtension = deviceExtension
        self.since = since
        self.before = before
    }
}

public protocol FaxRepository: Sendable {
    func insertFax(_ fax: FaxRecord) async throws
    /// Many at once, in one transaction (imports, benchmarks).
    func insertFaxes(_ faxes: [FaxRecord]) async throws
    /// Replaces the stored fax with the same id.
    func updateFax(_ fax: FaxRecord) async throws
    func fax(id: String) async throws -> FaxRecord?
    func recentFaxes(_ query: FaxQuery) async throws -> [FaxRecord]
}
