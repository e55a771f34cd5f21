import GRDB

/// Webhooks, their delivery queue, the callback secret, jobs' callback URLs (migration
/// "hooks-webhooks").
enum WebhookSchema {
    static func webhooks(_ db: Database) throws {
        // A user's webhooks go with the user. Deliveries go with their webhook; a job's callback
        // deliveries (no webhook) stay until pruned. Deliveries name their fax or job without a
        // foreign key: they are history, and carry the state they were about (`subject`, JSON).
        // The callback secret is made here, once, from SQLite's random source.
        try db.execute(sql: """
            CREATE TABLE webhook (
              id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
              userId INTEGER REFERENCES user(id) ON DELETE CASCADE,
              url TEXT NOT NULL CHECK (length(url) BETWEEN 8 AND 2000 AND (url GLOB 'http://*' OR url GLOB 'https://*')),
              secret TEXT NOT NULL CHECK (length(secret) BETWEEN 16 AND 200),
              events TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(events) AND json_type(events) = 'array'),
              createdAt DATETIME NOT NULL
            );
            CREATE INDEX webhook_on_userId ON webhook(userId);

            CREATE TABLE webhookDelivery (
              id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
              webhookId TEXT REFERENCES webhook(id) ON DELETE CASCADE,
              callbackUrl TEXT CHECK (callbackUrl IS NULL
                OR (length(callbackUrl) BETWEEN 8 AND 2000 AND (callbackUrl GLOB 'http://*' OR callbackUrl GLOB 'https://*'))),
              userId INTEGER REFERENCES user(id) ON DELETE SET NULL,
              isRestricted BOOLEAN NOT NULL CHECK (isRestricted IN (0, 1)),
              event TEXT NOT NULL CHECK (event IN ('fax.received', 'job.queued', 'job.requeued', 'job.done', 'job.failed')),
              faxId TEXT CHECK (faxId IS NULL OR length(faxId) = 36),
              jobId INTEGER,
              subject TEXT NOT NULL CHECK (json_valid(subject)),
              occurredAt DATETIME NOT NULL,
              state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
              attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
              nextAttemptAt DATETIME,
              lastStatus INTEGER CHECK (lastStatus IS NULL OR lastStatus BETWEEN 100 AND 999),
              lastError TEXT CHECK (lastError IS NULL OR length(lastError) <= 2000),
              deliveredAt DATETIME,
              createdAt DATETIME NOT NULL,
              CHECK ((webhookId IS NULL) <> (callbackUrl IS NULL)),
              CHECK ((faxId IS NULL) <> (jobId IS NULL)),
              CHECK ((state = 'pending') = (nextAttemptAt IS NOT NULL)),
              CHECK ((state = 'delivered') = (deliveredAt IS NOT NULL))
            );
            CREATE INDEX webhookDelivery_on_state_nextAttemptAt ON webhookDelivery(state, nextAttemptAt);
            CREATE INDEX webhookDelivery_on_createdAt ON webhookDelivery(createdAt);
            CREATE INDEX webhookDelivery_on_webhookId ON webhookDelivery(webhookId);
            CREATE INDEX webhookDelivery_on_userId ON webhookDelivery(userId);

            CREATE TABLE webhookSettings (
              id INTEGER PRIMARY KEY CHECK (id = 1),
              callbackSecret TEXT NOT NULL CHECK (length(callbackSecret) BETWEEN 16 AND 200)
            );
            INSERT INTO webhookSettings (id, callbackSecret) VALUES (1, 'whsec_' || lower(hex(randomblob(32))));

            ALTER TABLE job ADD COLUMN callbackUrl TEXT CHECK (callbackUrl IS NULL
              OR (length(callbackUrl) BETWEEN 8 AND 2000 AND (callbackUrl GLOB 'http://*' OR callbackUrl GLOB 'https://*')));
            """)
    }
}
