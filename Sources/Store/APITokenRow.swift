import FaxCore
import Foundation
import GRDB

/// Rows of `apiToken`, read with their user's name.
enum APITokenRow {
    static let select = """
        SELECT apiToken.id, apiToken.userId, user.name AS userName, apiToken.scope, apiToken.label, apiToken.createdAt,
          apiToken.expiresAt, apiToken.lastUsedAt, apiToken.revokedAt, apiToken.secretHash
        FROM apiToken JOIN user ON user.id = apiToken.userId
        """

    static func model(_ row: Row) throws -> APIToken {
        do {
            return try APIToken(
                id: row["id"], userID: row["userId"], userName: row["userName"],
                scope: decodeEnum(TokenScope.self, row["scope"], column: "apiToken.scope"), label: row["label"],
                createdAt: row["createdAt"], expiresAt: row["expiresAt"], lastUsedAt: row["lastUsedAt"], revokedAt: row["revokedAt"])
        } catch let error as FaxValidationError {
            throw StoreCorruption(what: "API token \((row["id"] as Int64?) ?? 0): \(error)")
        }
    }
}

extension StoreTransaction {
    public func addToken(_ token: APIToken, secretHash: [UInt8]) throws -> APIToken {
        try token.validate()
        guard secretHash.count == 32 else { throw FaxValidationError(field: "token", reason: "the secret hash must be 32 bytes") }
        do {
            try db.execute(
                sql: """
                    INSERT INTO apiToken (userId, secretHash, scope, label, createdAt, expiresAt, lastUsedAt, revokedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    token.userID, Data(secretHash), token.scope.rawValue, token.label, token.createdAt, token.expiresAt,
                    token.lastUsedAt, token.revokedAt,
                ])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw RepositoryError.notFound("user \(token.userName)")
        }
        var stored = token
        stored.id = db.lastInsertedRowID
        return stored
    }

    public func token(id: Int64) throws -> APIToken? {
        try tokenCredential(id: id)?.token
    }

    public func tokenCredential(id: Int64) throws -> APITokenCredential? {
        // Cached: every API request reads its token (see `fetchUser`).
        guard let row = try Row.fetchOne(db.cachedStatement(sql: APITokenRow.select + " WHERE apiToken.id = ?"), arguments: [id]) else {
            return nil
        }
        let token = try APITokenRow.model(row)
        return APITokenCredential(token: token, secretHash: [UInt8](row["secretHash"] as Data), user: try user(id: token.userID))
    }

    public func tokens(userID: Int64?) throws -> [APIToken] {
        let order = " ORDER BY apiToken.createdAt DESC, apiToken.id DESC"
        let rows = if let userID {
            try Row.fetchAll(db, sql: APITokenRow.select + " WHERE apiToken.userId = ?" + order, arguments: [userID])
        } else {
            try Row.fetchAll(db, sql: APITokenRow.select + order)
        }
        return try rows.map(APITokenRow.model)
    }

    public func revokeToken(id: Int64, at now: Date) throws -> APIToken {
        try db.execute(
            sql: "UPDATE apiToken SET revokedAt = max(createdAt, ?) WHERE id = ? AND revokedAt IS NULL", arguments: [now, id])
        guard let token = try token(id: id) else { throw RepositoryError.notFound("API token \(id)") }
        return token
    }

    public func recordTokenUse(id: Int64, at now: Date) throws {
        try db.execute(sql: "UPDATE apiToken SET lastUsedAt = ? WHERE id = ?", arguments: [now, id])
    }
}
