import FaxCore
import Foundation
import GRDB

/// Rows of `webhook`, `webhookDelivery` and `webhookSettings`, and the outbox: the deliveries a
/// job's or fax's change queues in its own transaction.
enum WebhookRow {
    static let maximumErrorLength = 2000

    static let deliveryColumns = """
        d.id, d.webhookId, coalesce(w.url, d.callbackUrl) AS url, d.userId, d.isRestricted, d.event, d.faxId, d.jobId,
        d.subject, d.occurredAt, d.state, d.attempts, d.nextAttemptAt, d.lastStatus, d.lastError, d.deliveredAt, d.createdAt
        """
    static let deliveryFrom = "webhookDelivery d LEFT JOIN webhook w ON w.id = d.webhookId"

    static func webhook(_ row: Row) throws -> Webhook {
        let events = try StoreJSON.decode([String].self, from: row["events"], column: "webhook.events")
        do {
            return try Webhook(
                id: row["id"], url: row["url"], secret: Secret(row["secret"]), userID: row["userId"], userName: row["userName"],
                events: Set(try events.map { try decodeEnum(WebhookEvent.self, $0, column: "webhook.events") }),
                createdAt: row["createdAt"])
        } catch let error as FaxValidationError {
            throw StoreCorruption(what: "webhook \((row["id"] as String?) ?? "?"): \(error)")
        }
    }

    static func delivery(_ row: Row) throws -> WebhookDelivery {
        let subjectText: String = row["subject"]
        let subject: WebhookSubject
        if row["faxId"] as String? != nil {
            subject = .fax(try StoreJSON.decode(FaxRecord.self, from: subjectText, column: "webhookDelivery.subject"))
        } else {
            subject = .job(try StoreJSON.decode(Job.self, from: subjectText, column: "webhookDelivery.subject"))
        }
        return WebhookDelivery(
            id: row["id"], webhookID: row["webhookId"], url: row["url"], userID: row["userId"], isRestricted: row["isRestricted"],
            event: try decodeEnum(WebhookEvent.self, row["event"], column: "webhookDelivery.event"), subject: subject,
            occurredAt: row["occurredAt"],
            state: try decodeEnum(WebhookDeliveryState.self, row["state"], column: "webhookDelivery.state"),
            attempts: row["attempts"], nextAttemptAt: row["nextAttemptAt"], lastStatus: row["lastStatus"], lastError: row["lastError"],
            deliveredAt: row["deliveredAt"], createdAt: row["createdAt"])
    }
}

extension StoreTransaction {
    /// The outbox: one pending delivery, due now, per webhook told about `event` (global ones,
    /// and those of users who may see the subject), and one to the job's callback URL. Runs in
    /// the transaction of the change, so the event exists exactly when the change does.
    func queueWebhookEvent(_ event: WebhookEvent, about subject: WebhookSubject, callbackURL: String?, at now: Date) throws {
        let ownership = subject.ownership
        var owners: [Int64: User] = [:]
        var targets: [(webhookID: String?, callbackURL: String?, userID: Int64?, restricted: Bool)] = []
        for webhook in try webhooks(userID: nil) {
            var owner: User?
            if let userID = webhook.userID {
                if owners[userID] == nil { owners[userID] = try user(id: userID) }
                guard let found = owners[userID] else { continue }
                owner = found
            }
            guard webhook.receives(event, about: ownership, owner: owner) else { continue }
            targets.append((webhook.id, nil, webhook.userID, owner.map { !$0.isAdmin } ?? false))
        }
        if let callbackURL, case .job(let job) = subject {
            // The submitter's own rights decide where the URL may point; a name that is no
            // user (`faxline send` run by a Unix account with the data folder) is the operator.
            let submitter = job.owner.isEmpty ? nil : try user(name: job.owner)
            targets.append((nil, callbackURL, submitter?.id, submitter.map { !$0.isAdmin } ?? false))
        }
        guard !targets.isEmpty else { return }
        let snapshot: String
        let faxID: String?
        let jobID: Int64?
        switch subject {
        case .fax(let fax): (snapshot, faxID, jobID) = (try StoreJSON.encode(fax), fax.id.lowercased(), nil)
        case .job(let job): (snapshot, faxID, jobID) = (try StoreJSON.encode(job), nil, job.id)
        }
        for target in targets {
            try db.execute(
                sql: """
                    INSERT INTO webhookDelivery (id, webhookId, callbackUrl, userId, isRestricted, event, faxId, jobId, subject,
                      occurredAt, state, attempts, nextAttemptAt, createdAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)
                    """,
                arguments: [
                    UUID().uuidString.lowercased(), target.webhookID, target.callbackURL, target.userID, target.restricted,
                    event.rawValue, faxID, jobID, snapshot, now, now, now,
                ])
        }
    }

    func addWebhook(_ webhook: Webhook) throws -> Webhook {
        if let userID = webhook.userID, try user(id: userID) == nil { throw RepositoryError.notFound("user \(userID)") }
        do {
            try db.execute(
                sql: "INSERT INTO webhook (id, userId, url, secret, events, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    webhook.id.lowercased(), webhook.userID, webhook.url, webhook.secret.revealed,
                    try StoreJSON.encode(webhook.events.sorted().map(\.rawValue)), webhook.createdAt,
                ])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw RepositoryError.conflict("a webhook with id \(webhook.id) already exists")
        }
        guard let stored = try self.webhook(id: webhook.id) else { throw RepositoryError.notFound("webhook \(webhook.id)") }
        return stored
    }

    func webhooks(userID: Int64?) throws -> [Webhook] {
        let filter = userID == nil ? "" : "WHERE w.userId = ?"
        return try Row.fetchAll(
            db, sql: "SELECT w.*, u.name AS userName FROM webhook w LEFT JOIN user u ON u.id = w.userId \(filter) ORDER BY w.createdAt, w.id",
            arguments: StatementArguments(userID.map { [$0] } ?? [])
        ).map(WebhookRow.webhook)
    }

    func webhook(id: String) throws -> Webhook? {
        try Row.fetchOne(
            db, sql: "SELECT w.*, u.name AS userName FROM webhook w LEFT JOIN user u ON u.id = w.userId WHERE w.id = ?",
            arguments: [id.lowercased()]
        ).map(WebhookRow.webhook)
    }

    func removeWebhook(id: String) throws {
        try db.execute(sql: "DELETE FROM webhook WHERE id = ?", arguments: [id.lowercased()])
        guard db.changesCount > 0 else { throw RepositoryError.notFound("webhook \(id)") }
    }

    func webhookIDs(startingWith prefix: String, limit: Int) throws -> [String] {
        try ids(in: "webhook", startingWith: prefix, limit: limit)
    }

    func webhookDeliveryIDs(startingWith prefix: String, limit: Int) throws -> [String] {
        try ids(in: "webhookDelivery", startingWith: prefix, limit: limit)
    }

    func webhookDeliveries(_ query: WebhookDeliveryQuery) throws -> [WebhookDelivery] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let userID = query.userID {
            conditions.append("d.userId = ?")
            arguments.append(userID)
        }
        if let webhookID = query.webhookID {
            conditions.append("d.webhookId = ?")
            arguments.append(webhookID.lowercased())
        }
        if let state = query.state {
            conditions.append("d.state = ?")
            arguments.append(state.rawValue)
        }
        arguments.append(min(max(query.limit, 1), 1000))
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try Row.fetchAll(
            db,
            sql: "SELECT \(WebhookRow.deliveryColumns) FROM \(WebhookRow.deliveryFrom) \(filter) ORDER BY d.createdAt DESC, d.rowid DESC LIMIT ?",
            arguments: StatementArguments(arguments)
        ).map(WebhookRow.delivery)
    }

    func webhookDelivery(id: String) throws -> WebhookDelivery? {
        try Row.fetchOne(
            db, sql: "SELECT \(WebhookRow.deliveryColumns) FROM \(WebhookRow.deliveryFrom) WHERE d.id = ?", arguments: [id.lowercased()]
        ).map(WebhookRow.delivery)
    }

    func dueWebhookDeliveries(at now: Date, limit: Int) throws -> [WebhookDelivery] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT \(WebhookRow.deliveryColumns) FROM \(WebhookRow.deliveryFrom)
                WHERE d.state = 'pending' AND d.nextAttemptAt <= ? ORDER BY d.nextAttemptAt, d.rowid LIMIT ?
                """,
            arguments: [now, min(max(limit, 1), 10_000)]
        ).map(WebhookRow.delivery)
    }

    func markWebhookSending(id: String, at now: Date) throws -> WebhookDelivery? {
        try db.execute(
            sql: "UPDATE webhookDelivery SET state = 'sending', attempts = attempts + 1, nextAttemptAt = NULL WHERE id = ? AND state = 'pending'",
            arguments: [id])
        guard db.changesCount > 0 else { return nil }
        return try webhookDelivery(id: id)
    }

    func markWebhookDelivered(id: String, status: Int, at now: Date) throws {
        try db.execute(
            sql: "UPDATE webhookDelivery SET state = 'delivered', deliveredAt = ?, lastStatus = ?, lastError = NULL WHERE id = ? AND state = 'sending'",
            arguments: [now, status, id])
        try requireChange(id: id)
    }

    func markWebhookFailed(id: String, status: Int?, error: String, nextAttemptAt: Date?) throws {
        try db.execute(
            sql: "UPDATE webhookDelivery SET state = ?, nextAttemptAt = ?, lastStatus = ?, lastError = ? WHERE id = ? AND state = 'sending'",
            arguments: [
                nextAttemptAt == nil ? "failed" : "pending", nextAttemptAt, status.flatMap { (100...999).contains($0) ? $0 : nil },
                String(error.prefix(WebhookRow.maximumErrorLength)), id,
            ])
        try requireChange(id: id)
    }

    func replayWebhookDelivery(id: String, at now: Date) throws -> WebhookDelivery {
        try db.execute(
            sql: """
                UPDATE webhookDelivery SET state = 'pending', attempts = 0, nextAttemptAt = ?, lastStatus = NULL, lastError = NULL,
                  deliveredAt = NULL, createdAt = ?
                WHERE id = ? AND state <> 'sending'
                """,
            arguments: [now, now, id.lowercased()])
        try requireChange(id: id.lowercased())
        guard let delivery = try webhookDelivery(id: id) else { throw RepositoryError.notFound("webhook delivery \(id)") }
        return delivery
    }

    func recoverInterruptedWebhookDeliveries(at now: Date) throws -> Int {
        try db.execute(sql: "UPDATE webhookDelivery SET state = 'pending', nextAttemptAt = ? WHERE state = 'sending'", arguments: [now])
        return db.changesCount
    }

    func pruneWebhookDeliveries(queuedBefore date: Date) throws -> Int {
        try db.execute(
            sql: "DELETE FROM webhookDelivery WHERE state IN ('delivered', 'failed') AND createdAt < ?", arguments: [date])
        return db.changesCount
    }

    func webhookBacklog() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM webhookDelivery WHERE state IN ('pending', 'sending')") ?? 0
    }

    func storedCallbackSecret() throws -> Secret {
        guard let text = try String.fetchOne(db, sql: "SELECT callbackSecret FROM webhookSettings WHERE id = 1") else {
            throw StoreCorruption(what: "no callback secret in webhookSettings")
        }
        return Secret(text)
    }

    /// After a guarded state change: explains why nothing changed.
    private func requireChange(id: String) throws {
        guard db.changesCount == 0 else { return }
        if let delivery = try webhookDelivery(id: id) {
            throw RepositoryError.conflict("webhook delivery \(id) is \(delivery.state.rawValue)")
        }
        throw RepositoryError.notFound("webhook delivery \(id)")
    }
}

extension FaxDatabase: WebhookRepository {
    public func addWebhook(_ webhook: Webhook) async throws -> Webhook { try await write { try $0.addWebhook(webhook) } }
    public func webhooks(userID: Int64?) async throws -> [Webhook] { try await read { try $0.webhooks(userID: userID) } }
    public func webhook(id: String) async throws -> Webhook? { try await read { try $0.webhook(id: id) } }
    public func removeWebhook(id: String) async throws { try await write { try $0.removeWebhook(id: id) } }
    public func webhookIDs(startingWith prefix: String, limit: Int) async throws -> [String] {
        try await read { try $0.webhookIDs(startingWith: prefix, limit: limit) }
    }
    public func webhookDeliveries(_ query: WebhookDeliveryQuery) async throws -> [WebhookDelivery] {
        try await read { try $0.webhookDeliveries(query) }
    }
    public func webhookDelivery(id: String) async throws -> WebhookDelivery? { try await read { try $0.webhookDelivery(id: id) } }
    public func webhookDeliveryIDs(startingWith prefix: String, limit: Int) async throws -> [String] {
        try await read { try $0.webhookDeliveryIDs(startingWith: prefix, limit: limit) }
    }
    public func dueWebhookDeliveries(at now: Date, limit: Int) async throws -> [WebhookDelivery] {
        try await read { try $0.dueWebhookDeliveries(at: now, limit: limit) }
    }
    public func markWebhookSending(id: String, at now: Date) async throws -> WebhookDelivery? {
        try await write { try $0.markWebhookSending(id: id, at: now) }
    }
    public func markWebhookDelivered(id: String, status: Int, at now: Date) async throws {
        try await write { try $0.markWebhookDelivered(id: id, status: status, at: now) }
    }
    public func markWebhookFailed(id: String, status: Int?, error: String, nextAttemptAt: Date?) async throws {
        try await write { try $0.markWebhookFailed(id: id, status: status, error: error, nextAttemptAt: nextAttemptAt) }
    }
    public func replayWebhookDelivery(id: String, at now: Date) async throws -> WebhookDelivery {
        try await write { try $0.replayWebhookDelivery(id: id, at: now) }
    }
    public func recoverInterruptedWebhookDeliveries(at now: Date) async throws -> Int {
        try await write { try $0.recoverInterruptedWebhookDeliveries(at: now) }
    }
    public func pruneWebhookDeliveries(queuedBefore date: Date) async throws -> Int {
        try await write { try $0.pruneWebhookDeliveries(queuedBefore: date) }
    }
    public func webhookBacklog() async throws -> Int { try await read { try $0.webhookBacklog() } }
    public func storedCallbackSecret() async throws -> Secret { try await read { try $0.storedCallbackSecret() } }
}

extension FaxDatabase {
    /// Calls `onChange` after every committed change of the webhook queue made through this
    /// database object (the server's own writes; the CLI's are seen by the poll, or wake the
    /// server over the control socket). Stops when the result is released.
    public func observeWebhookQueue(_ onChange: @escaping @Sendable () -> Void) -> WebhookQueueObservation {
        let observation = DatabaseRegionObservation(tracking: Table("webhookDelivery"))
        return WebhookQueueObservation(observation.start(in: writer, onError: { _ in }, onChange: { _ in onChange() }))
    }
}

/// A running observation of the webhook queue; it ends when this is released.
public final class WebhookQueueObservation: Sendable {
    private let cancellable: AnyDatabaseCancellable

    init(_ cancellable: AnyDatabaseCancellable) {
        self.cancellable = cancellable
    }

    deinit {
        cancellable.cancel()
    }
}
