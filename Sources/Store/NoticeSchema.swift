import GRDB

extension FaxSchema {
    /// Mails about no fax (print-to-fax refusals), queued and retried like a fax's mail.
    static func printMailNotices(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE mailNotice (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              recipient TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254
                AND instr(recipient, '@') > 1 AND instr(recipient, char(13)) = 0 AND instr(recipient, char(10)) = 0),
              subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 200
                AND instr(subject, char(13)) = 0 AND instr(subject, char(10)) = 0),
              body TEXT NOT NULL CHECK (length(body) <= 20000),
              state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
              attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
              nextAttemptAt DATETIME,
              lastError TEXT CHECK (lastError IS NULL OR length(lastError) <= 2000),
              deliveredAt DATETIME,
              createdAt DATETIME NOT NULL,
              CHECK ((state = 'pending') = (nextAttemptAt IS NOT NULL)),
              CHECK ((state = 'delivered') = (deliveredAt IS NOT NULL))
            );
            CREATE INDEX mailNotice_on_state_nextAttemptAt ON mailNotice(state, nextAttemptAt);
            """)
    }

    /// A notice may be a job's delivery report: its first page and PDF are attached when it is
    /// sent, from the job's spool file. No foreign key: a report outlives a deleted job and then
    /// goes without attachments.
    static func reportJobReports(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE mailNotice ADD COLUMN jobID INTEGER CHECK (jobID IS NULL OR jobID > 0)")
    }
}
