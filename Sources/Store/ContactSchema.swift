import GRDB

/// The address book (migration "book-contacts").
enum ContactSchema {
    static func contacts(_ db: Database) throws {
        // A user's contacts go with the user; no owner is the shared address book. The checks
        // repeat `Contact`'s rules (the number as `FaxNumber.normalized` leaves it) so that no
        // other writer can store what `faxline send` would refuse. Lists are by name without
        // case, then id: the keyset the paging walks.
        try db.execute(sql: """
            CREATE TABLE contact (
              id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
              ownerId INTEGER REFERENCES user(id) ON DELETE CASCADE,
              name TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100 AND length(name) <= 100),
              company TEXT NOT NULL DEFAULT '' CHECK (length(company) <= 100),
              faxNumber TEXT NOT NULL CHECK (length(faxNumber) BETWEEN 1 AND 32 AND faxNumber GLOB '*[0-9*#]*'
                AND faxNumber NOT GLOB '*[^0-9*#+]*' AND instr(substr(faxNumber, 2), '+') = 0),
              note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
              createdAt DATETIME NOT NULL,
              updatedAt DATETIME NOT NULL CHECK (updatedAt >= createdAt)
            );
            CREATE INDEX contact_on_name ON contact(name COLLATE NOCASE, id);
            CREATE INDEX contact_on_ownerId_name ON contact(ownerId, name COLLATE NOCASE, id);
            """)
    }
}
