import GRDB

/// The schema as a list of migrations. A migration, once released, is never edited: changes
/// go into a new one (v2, v3…) appended below.
enum FaxSchema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1", migrate: v1)
        migrator.registerMigration("retention", migrate: retention)
        migrator.registerMigration("outbound-jobs", migrate: JobSchema.outboundJobs)
        migrator.registerMigration("users", migrate: UserSchema.users)
        migrator.registerMigration("job-kill-time", migrate: JobSchema.killTimeIndex)
        migrator.registerMigration("list-paging", migrate: ListSchema.listPaging)
        migrator.registerMigration("print-mail-notices", migrate: printMailNotices)
        migrator.registerMigration("hooks-webhooks", migrate: WebhookSchema.webhooks)
        migrator.registerMigration("metrics-readiness-probe", migrate: ReadinessProbe.migration)
        migrator.registerMigration("web-app", migrate: WebSchema.webApp)
        migrator.registerMigration("report-job-reports", migrate: reportJobReports)
        migrator.registerMigration("mailtag-job-tag", migrate: JobSchema.jobTag)
        migrator.registerMigration("book-contacts", migrate: ContactSchema.contacts)
        return migrator
    }()

    private static func v1(_ db: Database) throws {
        // Devices are referenced by extension number (unique), which is how users name them.
        // Rules and the default route follow an extension change (ON UPDATE CASCADE) and keep a
        // device from being deleted while they point at it (RESTRICT). Faxes hold extension
        // numbers as plain history, not foreign keys: deleting a device keeps its faxes.
        try db.execute(sql: """
            CREATE TABLE device (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              extensionNumber TEXT NOT NULL UNIQUE
                CHECK (length(extensionNumber) BETWEEN 1 AND 20 AND extensionNumber NOT GLOB '*[^0-9]*'),
              name TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100),
              emailAddresses TEXT NOT NULL
                CHECK (json_valid(emailAddresses) AND json_type(emailAddresses) = 'array'
                       AND json_array_length(emailAddresses) BETWEEN 1 AND 20),
              deliveryFormat TEXT NOT NULL DEFAULT 'pdf' CHECK (deliveryFormat IN ('pdf', 'tiff', 'both', 'inline')),
              stationID TEXT NOT NULL DEFAULT '' CHECK (length(stationID) <= 20),
              headerText TEXT NOT NULL DEFAULT '' CHECK (length(headerText) <= 50),
              isEnabled BOOLEAN NOT NULL DEFAULT 1 CHECK (isEnabled IN (0, 1)),
              groupName TEXT CHECK (groupName IS NULL
                OR (length(groupName) BETWEEN 1 AND 64 AND groupName NOT GLOB '*[^A-Za-z0-9._-]*'))
            );
            CREATE INDEX device_on_groupName ON device(groupName);

            CREATE TABLE deviceGroup (
              name TEXT PRIMARY KEY NOT NULL
                CHECK (length(name) BETWEEN 1 AND 64 AND name NOT GLOB '*[^A-Za-z0-9._-]*'),
              isEnabled BOOLEAN NOT NULL CHECK (isEnabled IN (0, 1))
            );

            CREATE TABLE routingRule (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              position INTEGER NOT NULL CHECK (position >= 1),
              didPattern TEXT CHECK (didPattern IS NULL OR length(didPattern) BETWEEN 1 AND 64),
              callerPattern TEXT CHECK (callerPattern IS NULL OR length(callerPattern) BETWEEN 1 AND 64),
              action TEXT NOT NULL CHECK (action IN ('deliver', 'reject')),
              targetExtension TEXT REFERENCES device(extensionNumber) ON UPDATE CASCADE ON DELETE RESTRICT,
              continueAfterMatch BOOLEAN NOT NULL DEFAULT 0 CHECK (continueAfterMatch IN (0, 1)),
              isEnabled BOOLEAN NOT NULL DEFAULT 1 CHECK (isEnabled IN (0, 1)),
              description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 200),
              CHECK ((action = 'deliver') = (targetExtension IS NOT NULL))
            );
            CREATE INDEX routingRule_on_position ON routingRule(position);
            CREATE INDEX routingRule_on_targetExtension ON routingRule(targetExtension);

            CREATE TABLE routingSettings (
              id INTEGER PRIMARY KEY CHECK (id = 1),
              defaultExtension TEXT REFERENCES device(extensionNumber) ON UPDATE CASCADE ON DELETE RESTRICT,
              faxingEnabled BOOLEAN NOT NULL DEFAULT 1 CHECK (faxingEnabled IN (0, 1))
            );
            INSERT INTO routingSettings (id) VALUES (1);

            CREATE TABLE fax (
              id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
              direction TEXT NOT NULL CHECK (direction IN ('received', 'sent')),
              createdAt DATETIME NOT NULL,
              finishedAt DATETIME CHECK (finishedAt IS NULL OR finishedAt >= createdAt),
              deviceExtensions TEXT NOT NULL DEFAULT '[]'
                CHECK (json_valid(deviceExtensions) AND json_type(deviceExtensions) = 'array'),
              callerNumber TEXT NOT NULL DEFAULT '' CHECK (length(callerNumber) <= 256),
              callerName TEXT NOT NULL DEFAULT '' CHECK (length(callerName) <= 256),
              did TEXT NOT NULL DEFAULT '' CHECK (length(did) <= 256),
              lineName TEXT CHECK (lineName IS NULL OR length(lineName) <= 256),
              status TEXT NOT NULL
                CHECK (status IN ('receiving', 'received', 'partial', 'failed', 'refused', 'sending', 'sent')),
              pages INTEGER NOT NULL DEFAULT 0 CHECK (pages >= 0),
              bitRate INTEGER NOT NULL DEFAULT 0 CHECK (bitRate >= 0),
              ecm BOOLEAN NOT NULL DEFAULT 0 CHECK (ecm IN (0, 1)),
              resolution TEXT NOT NULL DEFAULT '' CHECK (length(resolution) <= 256),
              compression TEXT NOT NULL DEFAULT '' CHECK (length(compression) <= 256),
              remoteStationID TEXT NOT NULL DEFAULT '' CHECK (length(remoteStationID) <= 256),
              localStationID TEXT NOT NULL DEFAULT '' CHECK (length(localStationID) <= 256),
              duration DOUBLE NOT NULL DEFAULT 0 CHECK (duration >= 0),
              completionCode INTEGER,
              errorText TEXT NOT NULL DEFAULT '',
              statusString TEXT NOT NULL DEFAULT '',
              events TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(events) AND json_type(events) = 'array'),
              tiffPath TEXT CHECK (tiffPath IS NULL OR (length(tiffPath) BETWEEN 1 AND 1024
                AND substr(tiffPath, 1, 1) <> '/' AND instr('/' || tiffPath || '/', '/../') = 0)),
              pdfPath TEXT CHECK (pdfPath IS NULL OR (length(pdfPath) BETWEEN 1 AND 1024
                AND substr(pdfPath, 1, 1) <> '/' AND instr('/' || pdfPath || '/', '/../') = 0)),
              thumbnailPath TEXT CHECK (thumbnailPath IS NULL OR (length(thumbnailPath) BETWEEN 1 AND 1024
                AND substr(thumbnailPath, 1, 1) <> '/' AND instr('/' || thumbnailPath || '/', '/../') = 0)),
              deliveryState TEXT NOT NULL DEFAULT 'none'
                CHECK (deliveryState IN ('none', 'pending', 'delivered', 'failed'))
            );
            CREATE INDEX fax_on_createdAt ON fax(createdAt);
            CREATE INDEX fax_on_status ON fax(status);

            CREATE TABLE mailDelivery (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              faxId TEXT NOT NULL REFERENCES fax(id) ON DELETE CASCADE,
              recipient TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254
                AND instr(recipient, '@') > 1 AND instr(recipient, char(13)) = 0 AND instr(recipient, char(10)) = 0),
              format TEXT NOT NULL CHECK (format IN ('pdf', 'tiff', 'both', 'inline')),
              state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
              attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
              nextAttemptAt DATETIME,
              lastError TEXT CHECK (lastError IS NULL OR length(lastError) <= 2000),
              deliveredAt DATETIME,
              createdAt DATETIME NOT NULL,
              UNIQUE (faxId, recipient),
              CHECK ((state = 'pending') = (nextAttemptAt IS NOT NULL)),
              CHECK ((state = 'delivered') = (deliveredAt IS NOT NULL))
            );
            CREATE INDEX mailDelivery_on_state_nextAttemptAt ON mailDelivery(state, nextAttemptAt);
            """)
    }
}
