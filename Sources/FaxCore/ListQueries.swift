import Foundation

/// One page of a list, newest first, and where the next page starts.
public struct ListPage<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Opaque: made and read only by the store. `nil` on the last page.
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// The fax history as the API, the web app and other clients page through it: newest first
/// (creation time, then id), only what `scope` lets the principal see.
public struct FaxListQuery: Sendable, Equatable {
    public var scope: ListScope
    public var limit: Int
    /// Where the previous page ended (`ListPage.nextCursor`).
    public var cursor: String?
    public var direction: FaxDirection?
    /// Empty: any status.
    public var statuses: Set<FaxStatus>
    public var deviceExtension: String?
    /// Caller numbers starting with this.
    public var callerPrefix: String?
    /// Caller number, caller name or the far end's station id containing this (any case).
    public var search: String?
    /// Created at or after.
    public var since: Date?
    /// Created before.
    public var until: Date?

    public static let maximumLimit = 500

    public init(
        scope: ListScope, limit: Int = 50, cursor: String? = nil, direction: FaxDirection? = nil, statuses: Set<FaxStatus> = [],
        deviceExtension: String? = nil, callerPrefix: String? = nil, search: String? = nil, since: Date? = nil, until: Date? = nil
    ) {
        self.scope = scope
        self.limit = limit
        self.cursor = cursor
        self.direction = direction
        self.statuses = statuses
        self.deviceExtension = deviceExtension
        self.callerPrefix = callerPrefix
        self.search = search
        self.since = since
        self.until = until
    }
}

/// Outbound jobs, newest first (by id), only what `scope` lets the principal see.
public struct JobListQuery: Sendable, Equatable {
    public var scope: ListScope
    public var limit: Int
    public var cursor: String?
    /// `nil`: every state.
    public var states: Set<JobState>?
    public var broadcastID: String?
    /// Only jobs with exactly this tag.
    public var tag: JobTag?

    public init(
        scope: ListScope, limit: Int = 50, cursor: String? = nil, states: Set<JobState>? = nil, broadcastID: String? = nil,
        tag: JobTag? = nil
    ) {
        self.scope = scope
        self.limit = limit
        self.cursor = cursor
        self.states = states
        self.broadcastID = broadcastID
        self.tag = tag
    }
}

/// The lists clients page through, and the counts status pages show. The store keeps the
/// paging (keyset, never OFFSET); `ListScope` is applied inside the query.
public protocol ListingRepository: Sendable {
    /// The records without their T.30 event logs (`events` is empty: kilobytes a fax that no
    /// list shows); `FaxRepository.fax(id:)` reads a whole record.
    func faxPage(_ query: FaxListQuery) async throws -> ListPage<FaxRecord>
    func jobPage(_ query: JobListQuery) async throws -> ListPage<Job>
    /// Waiting and active jobs by state.
    func jobCountsByState() async throws -> [JobState: Int]
    /// Mail deliveries not done yet: pending or being sent.
    func mailBacklog() async throws -> Int
}
