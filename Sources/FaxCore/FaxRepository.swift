import Foundation

/// Where a list of faxes goes on: the last fax of the page before (keyset paging, newest first).
public struct FaxListCursor: Sendable, Equatable {
    public var createdAt: Date
    public var id: String

    public init(createdAt: Date, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    public init(after fax: FaxRecord) {
        self.init(createdAt: fax.createdAt, id: fax.id)
    }
}

/// Which faxes to list, newest first (ties by id).
public struct FaxQuery: Sendable, Equatable {
    public var limit: Int
    public var direction: FaxDirection?
    /// Empty: any status.
    public var statuses: Set<FaxStatus>
    public var deviceExtension: String?
    /// Only faxes created at or after this time.
    public var since: Date?
    /// Only faxes created before this time.
    public var before: Date?
    /// Only faxes listed after this one (the next page).
    public var after: FaxListCursor?
    /// Only faxes whose far end contains this text, without regard to case: the caller's number
    /// or name, the remote station id, or (sent faxes) the number dialled.
    public var farEnd: String?

    public init(
        limit: Int = 50, direction: FaxDirection? = nil, statuses: Set<FaxStatus> = [], deviceExtension: String? = nil,
        since: Date? = nil, before: Date? = nil, after: FaxListCursor? = nil, farEnd: String? = nil
    ) {
        self.limit = limit
        self.direction = direction
        self.statuses = statuses
        self.deviceExtension = deviceExtension
        self.since = since
        self.before = before
        self.after = after
        self.farEnd = farEnd
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
    /// The ids that start with `prefix` (compared lowercased), in id order, at most `limit`:
    /// people name a fax by the first characters of its id.
    func faxIDs(startingWith prefix: String, limit: Int) async throws -> [String]
}
