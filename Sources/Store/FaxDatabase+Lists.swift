import FaxCore
import Foundation
import GRDB

/// Pages of faxes and jobs for the API and the web app: keyset paging (never OFFSET, so the
/// hundredth page costs what the first does) with the access rules' list scope as a filter.
extension StoreTransaction {
    func faxPage(_ query: FaxListQuery) throws -> ListPage<FaxRecord> {
        var conditions = ["purgeState IS NULL"]
        var arguments = StatementArguments()
        switch query.scope {
        case .nothing:
            return ListPage(items: [], nextCursor: nil)
        case .everything:
            break
        case .owned(let devices, _):
            // Fax records name no submitter: a user sees the faxes of their devices.
            guard !devices.isEmpty else { return ListPage(items: [], nextCursor: nil) }
            conditions.append(
                "EXISTS (SELECT 1 FROM json_each(fax.deviceExtensions) WHERE json_each.value IN (\(Self.marks(devices.count))))")
            arguments += StatementArguments(devices.sorted())
        }
        if let direction = query.direction {
            conditions.append("direction = ?")
            arguments += [direction.rawValue]
        }
        if !query.statuses.isEmpty {
            conditions.append("status IN (\(Self.marks(query.statuses.count)))")
            arguments += StatementArguments(query.statuses.map(\.rawValue).sorted())
        }
        if let device = query.deviceExtension {
            conditions.append("EXISTS (SELECT 1 FROM json_each(fax.deviceExtensions) WHERE json_each.value = ?)")
            arguments += [device]
        }
        if let prefix = query.callerPrefix, !prefix.isEmpty {
            conditions.append("callerNumber LIKE ? ESCAPE '\\'")
            arguments += [Self.likePrefix(prefix)]
        }
        if let search = query.search, !search.isEmpty {
            conditions.append("(callerNumber LIKE ? ESCAPE '\\' OR callerName LIKE ? ESCAPE '\\' OR remoteStationID LIKE ? ESCAPE '\\')")
            let pattern = "%" + Self.likePrefix(search)
            arguments += [pattern, pattern, pattern]
        }
        if let since = query.since {
            conditions.append("createdAt >= ?")
            arguments += [since]
        }
        if let until = query.until {
            conditions.append("createdAt < ?")
            arguments += [until]
        }
        if let cursor = query.cursor {
            let position = try FaxCursor(decoding: cursor)
            // A row value seeks straight to the cursor in `fax_on_createdAt_id`; the same test
            // spelled with OR was checked row by row from the newest down, so a page 200 deep
            // cost 200 pages.
            conditions.append("(createdAt, id) < (?, ?)")
            arguments += [position.createdAt, position.id]
        }
        let (limit, fetch) = ListPage<FaxRecord>.rowsToFetch(query.limit)
        arguments += [fetch]
        // Each row is decoded from the live statement (a cursor) by column position
        // (`FaxListRow`); copied rows (`Row.fetchAll`) look every column up by name, lowercasing
        // all of them, which cost more than the query itself. The statement is cached: preparing
        // it (GRDB's authorizer visits each of its columns) cost as much again. There are few
        // shapes of it (which filters are set), so the connection's cache stays small.
        let statement = try db.cachedStatement(sql: """
            SELECT \(FaxListRow.columns) FROM fax WHERE \(conditions.joined(separator: " AND "))
            ORDER BY createdAt DESC, id DESC LIMIT ?
            """)
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        var faxes: [FaxRecord] = []
        faxes.reserveCapacity(limit)
        var last: FaxCursor?
        var more = false
        while let row = try rows.next() {
            guard faxes.count < limit else {
                more = true
                break
            }
            faxes.append(try FaxListRow.model(row))
            // The stored text, not a Date read back: the cursor must compare equal to the row.
            last = try FaxCursor(createdAt: row.decode(atIndex: FaxListRow.createdAtColumn), id: row.decode(atIndex: 0))
        }
        return ListPage(items: faxes, nextCursor: more ? last?.encoded : nil)
    }

    func jobPage(_ query: JobListQuery) throws -> ListPage<Job> {
        var conditions: [String] = []
        var arguments = StatementArguments()
        switch query.scope {
        case .nothing:
            return ListPage(items: [], nextCursor: nil)
        case .everything:
            break
        case .owned(let devices, let submitter):
            if devices.isEmpty {
                conditions.append("owner = ?")
            } else {
                conditions.append("(json_extract(sender, '$.deviceExtension') IN (\(Self.marks(devices.count))) OR owner = ?)")
                arguments += StatementArguments(devices.sorted())
            }
            arguments += [submitter]
        }
        if let states = query.states {
            guard !states.isEmpty else { return ListPage(items: [], nextCursor: nil) }
            conditions.append("state IN (\(Self.marks(states.count)))")
            arguments += StatementArguments(states.map(\.rawValue).sorted())
        }
        if let broadcast = query.broadcastID {
            conditions.append("broadcastId = ?")
            arguments += [broadcast]
        }
        if let tag = query.tag {
            conditions.append("tag = ?")
            arguments += [tag.text]
        }
        if let cursor = query.cursor {
            conditions.append("id < ?")
            arguments += [try Self.jobCursor(cursor)]
        }
        let (limit, fetch) = ListPage<Job>.rowsToFetch(query.limit)
        arguments += [fetch]
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try JobRow.fetchAll(db, sql: "SELECT * FROM job \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments)
        return try ListPage(rows: rows, limit: limit, item: { try $0.model() }, cursor: { $0.id.map { Data("job:\($0)".utf8).base64URLEncoded } })
    }

    /// Waiting and active jobs by state, for status pages and metrics.
    func jobCountsByState() throws -> [JobState: Int] {
        var counts: [JobState: Int] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT state, count(*) AS n FROM job WHERE state IN ('queued', 'requeued', 'dialing', 'sending') GROUP BY state")
        {
            if let state = JobState(rawValue: row["state"]) { counts[state] = row["n"] }
        }
        return counts
    }

    /// Mail deliveries not done yet: pending or being sent.
    func mailBacklog() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM mailDelivery WHERE state IN ('pending', 'sending')") ?? 0
    }

    private static func marks(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    /// The ids (UUIDs in lowercase) of `table` that start with `prefix`. `table` is one of
    /// ours, never input.
    func ids(in table: String, startingWith prefix: String, limit: Int) throws -> [String] {
        let low = prefix.lowercased()
        return try String.fetchAll(
            db, sql: "SELECT id FROM \(table) WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
            arguments: [low, low + "g", min(max(limit, 1), 1000)])
    }

    /// `LIKE` pattern for "starts with", with the wildcards in the text escaped.
    static func likePrefix(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    static func jobCursor(_ text: String) throws -> Int64 {
        guard let data = Data(base64URLEncoded: text), let decoded = String(data: data, encoding: .utf8),
              decoded.hasPrefix("job:"), let id = Int64(decoded.dropFirst(4)), id > 0
        else { throw FaxValidationError(field: "cursor", reason: "is not a cursor this server gave") }
        return id
    }
}

/// Where a page of faxes ended: the stored creation time and the id of its last fax.
struct FaxCursor: Equatable {
    var createdAt: String
    var id: String

    init(createdAt: String, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    init(decoding text: String) throws {
        let invalid = FaxValidationError(field: "cursor", reason: "is not a cursor this server gave")
        guard text.utf8.count <= 200, let data = Data(base64URLEncoded: text), let decoded = String(data: data, encoding: .utf8)
        else { throw invalid }
        let parts = decoded.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 32, parts[1].count <= 36,
              parts[0].allSatisfy({ $0.isASCII && ($0.isNumber || "-: .".contains($0)) }),
              parts[1].allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == "-") })
        else { throw invalid }
        createdAt = String(parts[0])
        id = String(parts[1])
    }

    var encoded: String { Data("\(createdAt)|\(id)".utf8).base64URLEncoded }
}

extension Data {
    /// Base64 without padding, `-` and `_` for `+` and `/`: safe in a URL as is.
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded text: String) {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}

extension ListPage {
    /// How many rows a page query asks for: one more than the page (clamped to 1…500), so the
    /// extra row tells that a next page exists.
    static func rowsToFetch(_ requested: Int) -> (limit: Int, fetch: Int) {
        let limit = min(max(requested, 1), FaxListQuery.maximumLimit)
        return (limit, limit + 1)
    }

    /// The page of `rows` fetched with `rowsToFetch`: the first `limit` as items, and when there
    /// were more, the cursor of the last one shown (`cursor` reads it from that row).
    init<Fetched>(rows: [Fetched], limit: Int, item: (Fetched) throws -> Item, cursor: (Fetched) -> String?) rethrows {
        let shown = rows.prefix(limit)
        self.init(items: try shown.map(item), nextCursor: rows.count > limit ? shown.last.flatMap(cursor) : nil)
    }
}
