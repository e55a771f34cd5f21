import FaxCore
import Foundation
import GRDB

/// A row of `mailDelivery`.
struct MailDeliveryRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "mailDelivery"
    static let maximumErrorLength = 2000

    var id: Int64?
    var faxId: String
    var recipient: String
    var format: String
    var state: String
    var attempts: Int
    var nextAttemptAt: Date?
    var lastError: String?
    var deliveredAt: Date?
    var createdAt: Date

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let faxId = Column(CodingKeys.faxId)
        static let state = Column(CodingKeys.state)
        static let nextAttemptAt = Column(CodingKeys.nextAttemptAt)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    func model() throws -> MailDelivery {
        guard let id else { throw StoreCorruption(what: "mail delivery without id") }
        return try MailDelivery(
            id: id, faxID: faxId, recipient: recipient, format: decodeEnum(DeliveryFormat.self, format, column: "mailDelivery.format"),
            state: decodeEnum(MailDeliveryState.self, state, column: "mailDelivery.state"), attempts: attempts,
            nextAttemptAt: nextAttemptAt, lastError: lastError, deliveredAt: deliveredAt, createdAt: createdAt)
    }
}

extension StoreTransaction {
    func enqueueDeliveries(faxID: String, recipients: [MailRecipient], at now: Date) throws -> [MailDelivery] {
        let faxID = faxID.lowercased()
        guard try FaxRow.exists(db, key: faxID) else { throw RepositoryError.notFound("fax \(faxID)") }
        for recipient in recipients {
            try EmailAddress.validate(recipient.address)
            try db.execute(
                sql: """
                    INSERT INTO mailDelivery (faxId, recipient, format, state, attempts, nextAttemptAt, createdAt)
                    VALUES (?, ?, ?, 'pending', 0, ?, ?)
                    ON CONFLICT (faxId, recipient) DO NOTHING
                    """,
                arguments: [faxID, recipient.address, recipient.format.rawValue, now, now])
        }
        try refreshDeliveryState(faxID: faxID)
        return try deliveries(faxID: faxID)
    }

    func dueDeliveries(at now: Date, limit: Int) throws -> [MailDelivery] {
        try MailDeliveryRow
            .filter(MailDeliveryRow.Columns.state == MailDeliveryState.pending.rawValue)
            .filter(MailDeliveryRow.Columns.nextAttemptAt <= now)
            .order(MailDeliveryRow.Columns.nextAttemptAt, MailDeliveryRow.Columns.id)
            .limit(min(max(limit, 1), 10_000))
            .fetchAll(db)
            .map { try $0.model() }
    }

    func markSending(id: Int64, at now: Date) throws -> MailDelivery? {
        try db.execute(
            sql: """
                UPDATE mailDelivery SET state = 'sending', attempts = attempts + 1, nextAttemptAt = NULL
                WHERE id = ? AND state = 'pending'
                """,
            arguments: [id])
        guard db.changesCount > 0 else { return nil }
        return try delivery(id: id)
    }

    func markDelivered(id: Int64, at now: Date) throws {
        try db.execute(
            sql: "UPDATE mailDelivery SET state = 'delivered', deliveredAt = ? WHERE id = ? AND state = 'sending'",
            arguments: [now, id])
        try finishTransition(id: id)
    }

    func markFailed(id: Int64, error: String, nextAttemptAt: Date?) throws {
        let message = String(error.prefix(MailDeliveryRow.maximumErrorLength))
        try db.execute(
            sql: """
                UPDATE mailDelivery SET state = ?, nextAttemptAt = ?, lastError = ?
                WHERE id = ? AND state = 'sending'
                """,
            arguments: [nextAttemptAt == nil ? "failed" : "pending", nextAttemptAt, message, id])
        try finishTransition(id: id)
    }

    func deliveries(faxID: String) throws -> [MailDelivery] {
        try MailDeliveryRow.filter(MailDeliveryRow.Columns.faxId == faxID.lowercased())
            .order(MailDeliveryRow.Columns.id)
            .fetchAll(db)
            .map { try $0.model() }
    }

    func delivery(id: Int64) throws -> MailDelivery? {
        try MailDeliveryRow.fetchOne(db, key: id)?.model()
    }

    func recoverInterruptedDeliveries(at now: Date) throws -> Int {
        try db.execute(
            sql: "UPDATE mailDelivery SET state = 'pending', nextAttemptAt = ? WHERE state = 'sending'", arguments: [now])
        return db.changesCount
    }

    /// After a state change of a delivery that had to be `sending`: fails if it was not, and
    /// brings the fax's summary state up to date.
    private func finishTransition(id: Int64) throws {
        guard db.changesCount > 0 else {
            if let delivery = try delivery(id: id) {
                throw RepositoryError.conflict("mail delivery \(id) is \(delivery.state.rawValue), not sending")
            }
            throw RepositoryError.notFound("mail delivery \(id)")
        }
        if let faxID = try String.fetchOne(db, sql: "SELECT faxId FROM mailDelivery WHERE id = ?", arguments: [id]) {
            try refreshDeliveryState(faxID: faxID)
        }
    }

    /// The fax's delivery state sums up its deliveries: pending while any is pending or being
    /// sent, then failed if any failed, else delivered.
    private func refreshDeliveryState(faxID: String) throws {
        try db.execute(
            sql: """
                UPDATE fax SET deliveryState = CASE
                  WHEN EXISTS (SELECT 1 FROM mailDelivery WHERE faxId = fax.id AND state IN ('pending', 'sending')) THEN 'pending'
                  WHEN EXISTS (SELECT 1 FROM mailDelivery WHERE faxId = fax.id AND state = 'failed') THEN 'failed'
                  WHEN EXISTS (SELECT 1 FROM mailDelivery WHERE faxId = fax.id) THEN 'delivered'
                  ELSE deliveryState END
                WHERE id = ?
                """,
            arguments: [faxID])
    }
}
