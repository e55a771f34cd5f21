import FaxCore
import Foundation
import GRDB

/// A row of `mailNotice`.
struct MailNoticeRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "mailNotice"

    var id: Int64?
    var recipient: String
    var subject: String
    var body: String
    var state: String
    var attempts: Int
    var nextAttemptAt: Date?
    var lastError: String?
    var deliveredAt: Date?
    var createdAt: Date
    var jobID: Int64?

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let state = Column(CodingKeys.state)
        static let nextAttemptAt = Column(CodingKeys.nextAttemptAt)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    func model() throws -> MailNotice {
        guard let id else { throw StoreCorruption(what: "mail notice without id") }
        return try MailNotice(
            id: id, recipient: recipient, subject: subject, body: body,
            state: decodeEnum(MailDeliveryState.self, state, column: "mailNotice.state"), attempts: attempts,
            nextAttemptAt: nextAttemptAt, lastError: lastError, deliveredAt: deliveredAt, createdAt: createdAt, jobID: jobID)
    }
}

extension StoreTransaction {
    func enqueueNotice(to recipient: String, subject: String, body: String, jobID: Int64?, at now: Date) throws -> MailNotice {
        try MailNotice.validate(recipient: recipient, subject: subject, body: body)
        var row = MailNoticeRow(
            recipient: recipient, subject: subject, body: body, state: MailDeliveryState.pending.rawValue, attempts: 0,
            nextAttemptAt: now, lastError: nil, deliveredAt: nil, createdAt: now, jobID: jobID)
        try row.insert(db)
        return try row.model()
    }

    func dueNotices(at now: Date, limit: Int) throws -> [MailNotice] {
        try MailNoticeRow
            .filter(MailNoticeRow.Columns.state == MailDeliveryState.pending.rawValue)
            .filter(MailNoticeRow.Columns.nextAttemptAt <= now)
            .order(MailNoticeRow.Columns.nextAttemptAt, MailNoticeRow.Columns.id)
            .limit(min(max(limit, 1), 10_000))
            .fetchAll(db)
            .map { try $0.model() }
    }

    func markNoticeSending(id: Int64, at now: Date) throws -> MailNotice? {
        try db.execute(
            sql: "UPDATE mailNotice SET state = 'sending', attempts = attempts + 1, nextAttemptAt = NULL WHERE id = ? AND state = 'pending'",
            arguments: [id])
        guard db.changesCount > 0 else { return nil }
        return try notice(id: id)
    }

    func markNoticeDelivered(id: Int64, at now: Date) throws {
        try db.execute(
            sql: "UPDATE mailNotice SET state = 'delivered', deliveredAt = ? WHERE id = ? AND state = 'sending'", arguments: [now, id])
        try requireChange(noticeID: id)
    }

    func markNoticeFailed(id: Int64, error: String, nextAttemptAt: Date?) throws {
        try db.execute(
            sql: "UPDATE mailNotice SET state = ?, nextAttemptAt = ?, lastError = ? WHERE id = ? AND state = 'sending'",
            arguments: [nextAttemptAt == nil ? "failed" : "pending", nextAttemptAt, String(error.prefix(MailDeliveryRow.maximumErrorLength)), id])
        try requireChange(noticeID: id)
    }

    func notice(id: Int64) throws -> MailNotice? {
        try MailNoticeRow.fetchOne(db, key: id)?.model()
    }

    func recoverInterruptedNotices(at now: Date) throws -> Int {
        try db.execute(sql: "UPDATE mailNotice SET state = 'pending', nextAttemptAt = ? WHERE state = 'sending'", arguments: [now])
        return db.changesCount
    }

    /// A notice whose state had to be `sending`: an error when it was not.
    private func requireChange(noticeID id: Int64) throws {
        guard db.changesCount == 0 else { return }
        if let notice = try notice(id: id) {
            throw RepositoryError.conflict("mail notice \(id) is \(notice.state.rawValue), not sending")
        }
        throw RepositoryError.notFound("mail notice \(id)")
    }
}

extension FaxDatabase: NoticeRepository {
    public func enqueueNotice(to recipient: String, subject: String, body: String, jobID: Int64?, at now: Date) async throws -> MailNotice {
        try await write { try $0.enqueueNotice(to: recipient, subject: subject, body: body, jobID: jobID, at: now) }
    }
    public func dueNotices(at now: Date, limit: Int) async throws -> [MailNotice] {
        try await read { try $0.dueNotices(at: now, limit: limit) }
    }
    public func markNoticeSending(id: Int64, at now: Date) async throws -> MailNotice? {
        try await write { try $0.markNoticeSending(id: id, at: now) }
    }
    public func markNoticeDelivered(id: Int64, at now: Date) async throws {
        try await write { try $0.markNoticeDelivered(id: id, at: now) }
    }
    public func markNoticeFailed(id: Int64, error: String, nextAttemptAt: Date?) async throws {
        try await write { try $0.markNoticeFailed(id: id, error: error, nextAttemptAt: nextAttemptAt) }
    }
    public func notice(id: Int64) async throws -> MailNotice? {
        try await read { try $0.notice(id: id) }
    }
    public func recoverInterruptedNotices(at now: Date) async throws -> Int {
        try await write { try $0.recoverInterruptedNotices(at: now) }
    }
}
