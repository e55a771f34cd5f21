import Foundation
import GRDB

/// One row the server rewrites to prove the database takes writes (`/readyz`): a transaction
/// that commits a change, so a read-only file, a lock nobody lets go of or a full disk shows.
enum ReadinessProbe {
    static func migration(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE readinessProbe (
              id INTEGER PRIMARY KEY CHECK (id = 1),
              checkedAt DATETIME NOT NULL
            );
            """)
    }

    static func write(_ db: Database, at now: Date) throws {
        try db.execute(
            sql: "INSERT INTO readinessProbe (id, checkedAt) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checkedAt = excluded.checkedAt",
            arguments: [now])
    }
}
