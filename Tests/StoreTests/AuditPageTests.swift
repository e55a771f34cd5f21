import FaxCore
import Foundation
import StoreTestSupport
import Testing

@testable import Store

/// The audit log's pages: newest first, keyset paging that neither repeats nor skips an
/// entry (also among entries of the same second), and the filters.
@Suite struct AuditPageTests {
    @Test(arguments: StoreKind.allCases)
    func pagesAndFilters(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        for index in 0..<25 {
            // Pairs share a time: the paging must order them by id.
            try await database.appendAudit(AuditEntry(
                at: Sample.start.addingTimeInterval(Double(index / 2) * 60), kind: index.isMultiple(of: 2) ? .userAdded : .tokenCreated,
                actor: index < 10 ? "alice (web)" : "cli:root", summary: "\(index)"))
        }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await database.auditPage(AuditQuery(limit: 7, cursor: cursor))
            #expect(page.items.count <= 7)
            seen += page.items.map(\.summary)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen == (0..<25).reversed().map(String.init))

        let alices = try await database.auditPage(AuditQuery(actor: "ALICE"))
        #expect(alices.items.map(\.summary) == (0..<10).reversed().map(String.init) && alices.nextCursor == nil)
        let tokens = try await database.auditPage(AuditQuery(actor: "alice", kinds: [.tokenCreated]))
        #expect(tokens.items.map(\.summary) == ["9", "7", "5", "3", "1"])
        let window = try await database.auditPage(AuditQuery(
            since: Sample.start.addingTimeInterval(60), until: Sample.start.addingTimeInterval(180)))
        #expect(window.items.map(\.summary) == ["5", "4", "3", "2"])
        // LIKE's wildcards in the text are plain characters.
        #expect(try await database.auditPage(AuditQuery(actor: "%")).items.isEmpty)
        await #expect(throws: FaxValidationError.self) { try await database.auditPage(AuditQuery(cursor: "bm90LWEtY3Vyc29y")) }
        withExtendedLifetime(subject) {}
    }
}
