import GRDB

/// Users, their devices, API tokens, failed sign-ins (migration "users").
enum UserSchema {
    static func users(_ db: Database) throws {
        // A user owns devices through `userDevice`: removing a device drops only the link
        // (the user stays), removing a user drops their links and tokens (the devices stay).
        // Devices are referenced by extension, like routing rules, and follow a renumbering.
        // `passwordHash` is a bcrypt string ("$2b$12$" + 53 characters) or NULL (token-only).
        // The names of failed sign-ins are not foreign keys: names that do not exist are
        // counted too, so that a lock never tells whether a user exists.
        try db.execute(sql: """
            CREATE TABLE user (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64
                AND name NOT GLOB '*[^a-z0-9._@-]*' AND substr(name, 1, 1) GLOB '[a-z0-9]'),
              displayName TEXT NOT NULL DEFAULT '' CHECK (length(displayName) <= 100),
              email TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND instr(email, '@') > 1
                AND instr(email, char(13)) = 0 AND instr(email, char(10)) = 0 AND instr(email, ' ') = 0),
              isAdmin BOOLEAN NOT NULL DEFAULT 0 CHECK (isAdmin IN (0, 1)),
              isEnabled BOOLEAN NOT NULL DEFAULT 1 CHECK (isEnabled IN (0, 1)),
              passwordHash TEXT CHECK (passwordHash IS NULL
                OR (length(passwordHash) BETWEEN 59 AND 128 AND passwordHash GLOB '$2[aby]$[0-9][0-9]$*')),
              createdAt DATETIME NOT NULL,
              updatedAt DATETIME NOT NULL CHECK (updatedAt >= createdAt),
              lastLoginAt DATETIME
            );

            CREATE TABLE userDevice (
              userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
              deviceExtension TEXT NOT NULL
                REFERENCES device(extensionNumber) ON UPDATE CASCADE ON DELETE CASCADE,
              PRIMARY KEY (userId, deviceExtension)
            ) WITHOUT ROWID;
            CREATE INDEX userDevice_on_deviceExtension ON userDevice(deviceExtension);

            CREATE TABLE apiToken (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
              secretHash BLOB NOT NULL CHECK (typeof(secretHash) = 'blob' AND length(secretHash) = 32),
              scope TEXT NOT NULL CHECK (scope IN ('read', 'send', 'admin')),
              label TEXT NOT NULL DEFAULT '' CHECK (length(label) <= 100),
              createdAt DATETIME NOT NULL,
              expiresAt DATETIME CHECK (expiresAt IS NULL OR expiresAt > createdAt),
              lastUsedAt DATETIME,
              revokedAt DATETIME CHECK (revokedAt IS NULL OR revokedAt >= createdAt)
            );
            CREATE INDEX apiToken_on_userId ON apiToken(userId);

            CREATE TABLE loginFailure (
              subjectKind TEXT NOT NULL CHECK (subjectKind IN ('user', 'address')),
              subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 256),
              failures INTEGER NOT NULL CHECK (failures >= 1),
              windowStartedAt DATETIME NOT NULL,
              lockedUntil DATETIME CHECK (lockedUntil IS NULL OR lockedUntil > windowStartedAt),
              PRIMARY KEY (subjectKind, subject)
            ) WITHOUT ROWID;
            """)

        // The audit log learns the kinds of user and token changes. Its CHECK named the two
        // kinds of the first release; SQLite cannot change a CHECK in place, so the table is
        // rebuilt, now with a rule on the kind's shape, so that kinds added later need no
        // rebuild (the code writes only `AuditEntry.Kind` values).
        try db.execute(sql: """
            CREATE TABLE auditLog_new (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              at DATETIME NOT NULL,
              kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40 AND kind NOT GLOB '*[^a-z-]*'),
              actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 100),
              summary TEXT NOT NULL CHECK (length(summary) <= 4000)
            );
            INSERT INTO auditLog_new (id, at, kind, actor, summary) SELECT id, at, kind, actor, summary FROM auditLog;
            DROP TABLE auditLog;
            ALTER TABLE auditLog_new RENAME TO auditLog;
            CREATE INDEX auditLog_on_at ON auditLog(at);
            """)
    }
}
