import GRDB

extension FaxSchema {
    /// Retention overrides on devices and groups, the purge mark on faxes, and the audit log.
    static func retention(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE device ADD COLUMN retentionDays INTEGER
              CHECK (retentionDays IS NULL OR retentionDays BETWEEN 7 AND 36500);
            ALTER TABLE device ADD COLUMN zeroRetention BOOLEAN NOT NULL DEFAULT 0 CHECK (zeroRetention IN (0, 1));
            ALTER TABLE deviceGroup ADD COLUMN retentionDays INTEGER
              CHECK (retentionDays IS NULL OR retentionDays BETWEEN 7 AND 36500);
            ALTER TABLE deviceGroup ADD COLUMN zeroRetention BOOLEAN NOT NULL DEFAULT 0 CHECK (zeroRetention IN (0, 1));

            -- 'record': the record and its files are going; 'images': only the files (zero
            -- retention). Set before any file is deleted, cleared (or the row deleted) after.
            ALTER TABLE fax ADD COLUMN purgeState TEXT CHECK (purgeState IS NULL OR purgeState IN ('record', 'images'));
            CREATE INDEX fax_on_purgeState ON fax(purgeState) WHERE purgeState IS NOT NULL;
            -- The orphan sweep and the purge ask "does any record name this file?" by path, so
            -- that files shared by several records (or named otherwise) are never mistaken.
            CREATE INDEX fax_on_tiffPath ON fax(tiffPath);
            CREATE INDEX fax_on_pdfPath ON fax(pdfPath);
            CREATE INDEX fax_on_thumbnailPath ON fax(thumbnailPath);

            CREATE TABLE auditLog (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              at DATETIME NOT NULL,
              kind TEXT NOT NULL CHECK (kind IN ('cleanup', 'manual-deletion')),
              actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 100),
              summary TEXT NOT NULL CHECK (length(summary) <= 4000)
            );
            CREATE INDEX auditLog_on_at ON auditLog(at);
            """)
    }
}
