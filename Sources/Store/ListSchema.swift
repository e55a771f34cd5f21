import GRDB

/// Indexes for paging through faxes newest first by (createdAt, id) (migration "list-paging").
enum ListSchema {
    static func listPaging(_ db: Database) throws {
        // Keyset paging walks (createdAt, id) backwards from the cursor; the direction filter
        // (inbox, sent) has its own copy so that a page never scans the other direction's rows.
        // The composite index does everything the plain createdAt index did.
        try db.execute(sql: """
            CREATE INDEX fax_on_createdAt_id ON fax(createdAt, id);
            CREATE INDEX fax_on_direction_createdAt_id ON fax(direction, createdAt, id);
            DROP INDEX fax_on_createdAt;
            """)
    }
}
