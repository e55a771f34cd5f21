import FaxCore
import Foundation
import GRDB
import Synchronization
import StoreTestSupport
import Testing

@testable import Store

/// The lists' promise — the hundredth page costs what the first does — is a property of their
/// query plans: every page, first or deep, filtered or not, is an index search that starts at
/// its cursor and needs no sort. A plan that scans (as the cursor test spelled with OR did,
/// from the newest row down to the cursor) fails here before it shows in a benchmark.
@Suite struct ListQueryPlanTests {
    let folder: TemporaryFolder
    let database: FaxDatabase

    init() async throws {
        folder = try TemporaryFolder()
        database = try folder.openDatabase()
        try await database.insertFaxes((0..<120).map { index in
            var fax = try Sample.fax(createdAt: Sample.start.addingTimeInterval(Double(index / 3) * 60))
            if index.isMultiple(of: 4) { fax.direction = .sent }
            return fax
        })
        for index in 0..<30 {
            try await database.appendAudit(AuditEntry(
                at: Sample.start.addingTimeInterval(Double(index / 2)), kind: .userChanged, actor: "cli:root", summary: "\(index)"))
        }
    }

    /// The plan SQLite makes for the statement `body` runs, one line per step.
    func plan(_ body: @escaping @Sendable (StoreTransaction) throws -> Void) throws -> [String] {
        try database.read { transaction in
            let statements = Mutex<[String]>([])
            transaction.db.trace(options: .statement) { event in
                if case .statement(let statement) = event { statements.withLock { $0.append(statement.expandedSQL) } }
            }
            defer { transaction.db.trace(options: []) }
            try body(transaction)
            let sql = try #require(statements.withLock { $0.last })
            return try Row.fetchAll(transaction.db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }
        }
    }

    func expectSearchWithoutSort(_ plan: [String], seeking constraint: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(plan.contains { $0.hasPrefix("SEARCH ") && $0.contains(constraint) }, "\(plan)", sourceLocation: sourceLocation)
        #expect(!plan.contains { $0.hasPrefix("SCAN fax") || $0.hasPrefix("SCAN auditLog") || $0.contains("TEMP B-TREE") },
                "\(plan)", sourceLocation: sourceLocation)
    }

    @Test func faxPagesSeekTheirCursorInTheIndex() throws {
        let cursor = try #require(try database.read { try $0.faxPage(FaxListQuery(scope: .everything, limit: 50)) }.nextCursor)
        expectSearchWithoutSort(
            try plan { _ = try $0.faxPage(FaxListQuery(scope: .everything, limit: 50, cursor: cursor)) }, seeking: "(createdAt,id)<(?,?)")
        expectSearchWithoutSort(
            try plan { _ = try $0.faxPage(FaxListQuery(scope: .everything, limit: 50, cursor: cursor, direction: .received)) },
            seeking: "direction=? AND (createdAt,id)<(?,?)")
    }

    @Test func auditPagesSeekTheirCursorInTheIndex() throws {
        let cursor = try #require(try database.read { try $0.auditPage(AuditQuery(limit: 10)) }.nextCursor)
        expectSearchWithoutSort(try plan { _ = try $0.auditPage(AuditQuery(limit: 10, cursor: cursor)) }, seeking: "auditLog_on_at (at<?)")
    }
}

/// The list's fast reading of a stored device list gives what the JSON decoder gives, and
/// leaves every other text to the decoder.
@Suite struct FaxListRowTests {
    @Test(arguments: [
        "[]", "[\"201\"]", "[\"201\",\"202\"]", "[\"1\",\"22\",\"333\",\"4444\"]", "[\"2\\\"01\"]", "[\"a\\u0062\"]",
        "[ \"201\" ]", "[\"201\", \"202\"]", "[\"\"]",
    ])
    func devicesReadAsTheDecoderReadsThem(stored: String) throws {
        let expected = try JSONDecoder().decode([String].self, from: Data(stored.utf8))
        #expect(try FaxListRow.extensions(stored) == expected)
    }

    @Test(arguments: ["[\"201\"", "\"201\"]", "[\"201\"\"202\"]", "{}", ""])
    func malformedListsAreErrors(stored: String) {
        #expect(throws: (any Error).self) { try FaxListRow.extensions(stored) }
    }
}
