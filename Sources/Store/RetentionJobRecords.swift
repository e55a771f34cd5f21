import FaxCore
import Foundation
import GRDB

/// Finished outbound jobs (done, failed, killed) with their attempt histories (kept in the
/// job row), for the cleaner. Their documents (`out/…`) are then no longer named by any job and
/// go with the orphan sweep once no other job of the broadcast needs them.
struct FinishedJobRetention: FinishedRecordRetention {
    let database: FaxDatabase

    init(database: FaxDatabase) {
        self.database = database
    }

    public var retentionKind: String { "jobs" }

    private static let finished = "state IN ('done', 'failed', 'killed') AND finishedAt IS NOT NULL AND finishedAt < ?"

    public func countFinishedRecords(before cutoff: Date) async throws -> Int {
        try await database.read { transaction in
            guard try transaction.db.tableExists("job") else { return 0 }
            return try Int.fetchOne(transaction.db, sql: "SELECT COUNT(*) FROM job WHERE \(Self.finished)", arguments: [cutoff]) ?? 0
        }
    }

    public func deleteFinishedRecords(before cutoff: Date, limit: Int) async throws -> Int {
        try await database.write { transaction in
            guard try transaction.db.tableExists("job") else { return 0 }
            try transaction.db.execute(
                sql: "DELETE FROM job WHERE id IN (SELECT id FROM job WHERE \(Self.finished) ORDER BY id LIMIT ?)",
                arguments: [cutoff, min(max(limit, 1), 10_000)])
            return transaction.db.changesCount
        }
    }
}
