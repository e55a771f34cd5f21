import FaxCore
import Foundation
import GRDB

/// Rows of `loginFailure`.
enum LoginFailureRow {
    static func model(_ row: Row) throws -> LoginFailures {
        LoginFailures(
            subject: LoginSubject(
                kind: try decodeEnum(LoginSubject.Kind.self, row["subjectKind"], column: "loginFailure.subjectKind"),
                value: row["subject"]),
            count: row["failures"], windowStartedAt: row["windowStartedAt"], lockedUntil: row["lockedUntil"])
    }
}

extension StoreTransaction {
    public func loginFailures(_ subjects: [LoginSubject]) throws -> [LoginFailures] {
        try subjects.compactMap { subject in
            try Row.fetchOne(
                db, sql: "SELECT * FROM loginFailure WHERE subjectKind = ? AND subject = ?",
                arguments: [subject.kind.rawValue, subject.value]
            ).map(LoginFailureRow.model)
        }
    }

    public func recordLoginFailure(_ subject: LoginSubject, at now: Date, policy: LoginThrottlePolicy) throws -> LoginFailures {
        // `policy.isOver` in SQL: a lock that has ended, or no lock and a window that has passed.
        try db.execute(
            sql: """
                DELETE FROM loginFailure
                WHERE (lockedUntil IS NOT NULL AND lockedUntil <= ?) OR (lockedUntil IS NULL AND windowStartedAt <= ?)
                """,
            arguments: [now, now.addingTimeInterval(-policy.window)])
        let next = policy.recordingFailure(try loginFailures([subject]).first, of: subject, at: now)
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO loginFailure (subjectKind, subject, failures, windowStartedAt, lockedUntil)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [subject.kind.rawValue, subject.value, next.count, next.windowStartedAt, next.lockedUntil])
        return next
    }

    public func clearLoginFailures(_ subject: LoginSubject) throws {
        try db.execute(
            sql: "DELETE FROM loginFailure WHERE subjectKind = ? AND subject = ?", arguments: [subject.kind.rawValue, subject.value])
    }
}
