import GRDB

/// The outbound queue's table (migration "outbound-jobs").
enum JobSchema {
    static func outboundJobs(_ db: Database) throws {
        // Sender and attempts are JSON: they are read with the job, never queried.
        // `job_waiting` is a partial index in the order jobs are served, so that picking the
        // next job costs the same with ten jobs queued as with a hundred thousand.
        try db.execute(sql: """
            CREATE TABLE job (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              broadcastId TEXT NOT NULL CHECK (length(broadcastId) BETWEEN 1 AND 64),
              number TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 32 AND number NOT GLOB '*[^0-9+*#]*'),
              documentPath TEXT NOT NULL CHECK (length(documentPath) BETWEEN 1 AND 1024
                AND substr(documentPath, 1, 1) <> '/' AND instr('/' || documentPath || '/', '/../') = 0),
              pageCount INTEGER NOT NULL CHECK (pageCount >= 1),
              nextPage INTEGER NOT NULL CHECK (nextPage BETWEEN 1 AND pageCount + 1),
              priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 255),
              maxTries INTEGER NOT NULL CHECK (maxTries >= 1),
              maxDials INTEGER NOT NULL CHECK (maxDials >= 1),
              tries INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),
              dials INTEGER NOT NULL DEFAULT 0 CHECK (dials >= 0),
              submittedAt DATETIME NOT NULL,
              notBefore DATETIME NOT NULL,
              killAt DATETIME NOT NULL,
              sender TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(sender)),
              owner TEXT NOT NULL DEFAULT '' CHECK (length(owner) <= 256),
              notifyEmail TEXT CHECK (notifyEmail IS NULL OR (length(notifyEmail) BETWEEN 3 AND 254
                AND instr(notifyEmail, char(13)) = 0 AND instr(notifyEmail, char(10)) = 0)),
              notifyOnRequeue BOOLEAN NOT NULL DEFAULT 0 CHECK (notifyOnRequeue IN (0, 1)),
              state TEXT NOT NULL
                CHECK (state IN ('queued', 'requeued', 'dialing', 'sending', 'done', 'failed', 'killed')),
              reason TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
              lastCause TEXT,
              finishedAt DATETIME,
              attempts TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attempts) AND json_type(attempts) = 'array')
            );
            CREATE INDEX job_waiting ON job(priority, notBefore, id) WHERE state IN ('queued', 'requeued');
            CREATE INDEX job_on_state ON job(state);
            CREATE INDEX job_on_broadcastId ON job(broadcastId);
            """)
    }

    /// Migration "job-kill-time": the dispatcher fails waiting jobs whose kill time has passed,
    /// due or not; this index finds them without walking the whole queue.
    static func killTimeIndex(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX job_waiting_on_killAt ON job(killAt, id) WHERE state IN ('queued', 'requeued');
            """)
    }

    /// Migration "mailtag-job-tag": the submitter's own reference (`JobTag`). Nullable, as jobs
    /// queued before it have none; the CHECK is the model's rule that SQL can state (length in
    /// Unicode scalars, no C0 control or DEL). The partial index serves the lists' filter by tag
    /// and stays as small as the tagged jobs.
    static func jobTag(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE job ADD COLUMN tag TEXT
              CHECK (tag IS NULL OR (length(tag) BETWEEN 1 AND 50 AND tag NOT GLOB '*[' || char(1) || '-' || char(31) || char(127) || ']*'));
            CREATE INDEX job_on_tag ON job(tag, id) WHERE tag IS NOT NULL;
            """)
    }
}
