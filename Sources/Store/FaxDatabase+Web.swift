import FaxCore
import Foundation
import GRDB

extension FaxDatabase: WebSessionRepository {
    public func addSession(_ session: WebSession, secretHash: [UInt8]) async throws {
        try await write { try $0.addSession(session, secretHash: secretHash) }
    }
    public func session(secretHash: [UInt8]) async throws -> WebSession? { try await read { try $0.session(secretHash: secretHash) } }
    public func removeSession(secretHash: [UInt8]) async throws { try await write { try $0.removeSession(secretHash: secretHash) } }
}

extension FaxDatabase: FaxAnnotationRepository {
    public func annotation(faxID: String) async throws -> FaxAnnotation { try await read { try $0.annotation(faxID: faxID) } }
    public func setAnnotation(_ annotation: FaxAnnotation, faxID: String) async throws {
        try await write { try $0.setAnnotation(annotation, faxID: faxID) }
    }
    public func markRead(faxID: String, userID: Int64, at now: Date) async throws {
        try await write { try $0.markRead(faxID: faxID, userID: userID, at: now) }
    }
    public func readFaxIDs(_ faxIDs: [String], userID: Int64) async throws -> Set<String> {
        try await read { try $0.readFaxIDs(faxIDs, userID: userID) }
    }
}

extension StoreTransaction {
    func addSession(_ session: WebSession, secretHash: [UInt8]) throws {
        guard secretHash.count == 32 else { throw FaxValidationError(field: "session", reason: "the secret hash must be 32 bytes") }
        try db.execute(sql: "DELETE FROM webSession WHERE expiresAt <= ?", arguments: [session.createdAt])
        do {
            try db.execute(
                sql: "INSERT INTO webSession (secretHash, userId, createdAt, expiresAt) VALUES (?, ?, ?, ?)",
                arguments: [Data(secretHash), session.userID, session.createdAt, session.expiresAt])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw RepositoryError.notFound("user \(session.userID)")
        }
    }

    func session(secretHash: [UInt8]) throws -> WebSession? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT userId, createdAt, expiresAt FROM webSession WHERE secretHash = ?", arguments: [Data(secretHash)])
        else { return nil }
        return WebSession(userID: row["userId"], createdAt: row["createdAt"], expiresAt: row["expiresAt"])
    }

    func removeSession(secretHash: [UInt8]) throws {
        try db.execute(sql: "DELETE FROM webSession WHERE secretHash = ?", arguments: [Data(secretHash)])
    }

    func annotation(faxID: String) throws -> FaxAnnotation {
        guard let row = try Row.fetchOne(db, sql: "SELECT note, tags FROM faxAnnotation WHERE faxId = ?", arguments: [faxID]) else {
            return FaxAnnotation()
        }
        let tags = try JSONDecoder().decode([String].self, from: Data((row["tags"] as String).utf8))
        return FaxAnnotation(note: row["note"], tags: tags)
    }

    func setAnnotation(_ annotation: FaxAnnotation, faxID: String) throws {
        guard annotation.note.count <= FaxAnnotation.maximumNoteLength, annotation.tags.count <= FaxAnnotation.maximumTags else {
            throw FaxValidationError(field: "note", reason: "at most \(FaxAnnotation.maximumNoteLength) characters and \(FaxAnnotation.maximumTags) tags")
        }
        if annotation == FaxAnnotation() {
            try db.execute(sql: "DELETE FROM faxAnnotation WHERE faxId = ?", arguments: [faxID])
            return
        }
        let tags = String(decoding: try JSONEncoder().encode(annotation.tags), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO faxAnnotation (faxId, note, tags) VALUES (?, ?, ?)
                ON CONFLICT (faxId) DO UPDATE SET note = excluded.note, tags = excluded.tags
                """,
            arguments: [faxID, annotation.note, tags])
    }

    func markRead(faxID: String, userID: Int64, at now: Date) throws {
        try db.execute(
            sql: "INSERT INTO faxRead (faxId, userId, readAt) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", arguments: [faxID, userID, now])
    }

    func readFaxIDs(_ faxIDs: [String], userID: Int64) throws -> Set<String> {
        guard !faxIDs.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: faxIDs.count).joined(separator: ",")
        var arguments = StatementArguments(faxIDs)
        arguments += [userID]
        return Set(try String.fetchAll(db, sql: "SELECT faxId FROM faxRead WHERE faxId IN (\(marks)) AND userId = ?", arguments: arguments))
    }
}
