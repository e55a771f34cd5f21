import GRDB

/// The web app's tables (migration "web-app"): signed-in sessions, notes and tags on faxes, and
/// which user has opened which fax.
enum WebSchema {
    static func webApp(_ db: Database) throws {
        // A session is stored under the SHA-256 of the cookie's secret, never the secret.
        // Notes and read marks name faxes by id without a foreign key, like the rest of the
        // fax history; a trigger deletes them with the fax record (the retention's purge).
        try db.execute(sql: """
            CREATE TABLE webSession (
              secretHash BLOB PRIMARY KEY CHECK (typeof(secretHash) = 'blob' AND length(secretHash) = 32),
              userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
              createdAt DATETIME NOT NULL,
              expiresAt DATETIME NOT NULL CHECK (expiresAt > createdAt)
            ) WITHOUT ROWID;
            CREATE INDEX webSession_on_expiresAt ON webSession(expiresAt);
            CREATE INDEX webSession_on_userId ON webSession(userId);

            CREATE TABLE faxAnnotation (
              faxId TEXT PRIMARY KEY,
              note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
              tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array')
            ) WITHOUT ROWID;

            CREATE TABLE faxRead (
              faxId TEXT NOT NULL,
              userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
              readAt DATETIME NOT NULL,
              PRIMARY KEY (faxId, userId)
            ) WITHOUT ROWID;
            CREATE INDEX faxRead_on_userId ON faxRead(userId);

            CREATE TRIGGER fax_deleted_webApp AFTER DELETE ON fax BEGIN
              DELETE FROM faxAnnotation WHERE faxId = OLD.id;
              DELETE FROM faxRead WHERE faxId = OLD.id;
            END;
            """)
    }
}
