import FaxCore
import Foundation
import GRDB

/// Rows of `user` and `userDevice`. The password hash is read only by `passwordHash(userID:)`,
/// never with the user.
enum UserRow {
    static let columns = """
        id, name, displayName, email, isAdmin, isEnabled, createdAt, updatedAt, lastLoginAt,
        passwordHash IS NOT NULL AS hasPassword
        """

    static func model(_ row: Row, devices: [String]) throws -> User {
        do {
            return try User(
                id: row["id"], name: row["name"], displayName: row["displayName"], email: row["email"], isAdmin: row["isAdmin"],
                isEnabled: row["isEnabled"], deviceExtensions: devices, createdAt: row["createdAt"], updatedAt: row["updatedAt"],
                lastLoginAt: row["lastLoginAt"], hasPassword: row["hasPassword"])
        } catch let error as FaxValidationError {
            throw StoreCorruption(what: "user \((row["name"] as String?) ?? "?"): \(error)")
        }
    }
}

extension StoreTransaction {
    public func users() throws -> [User] {
        var devices: [Int64: [String]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT userId, deviceExtension FROM userDevice") {
            devices[row["userId"], default: []].append(row["deviceExtension"])
        }
        return try Row.fetchAll(db, sql: "SELECT \(UserRow.columns) FROM user ORDER BY name").map { row in
            try UserRow.model(row, devices: devices[row["id"]] ?? [])
        }
    }

    public func user(name: String) throws -> User? {
        try fetchUser(sql: "SELECT \(UserRow.columns) FROM user WHERE name = ?", argument: name)
    }

    public func user(id: Int64) throws -> User? {
        try fetchUser(sql: "SELECT \(UserRow.columns) FROM user WHERE id = ?", argument: id)
    }

    /// Cached statements: every API request reads its token's user, and preparing the two
    /// statements each time (GRDB's authorizer walks every column) cost more than running them.
    private func fetchUser(sql: String, argument: some DatabaseValueConvertible) throws -> User? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [argument]) else { return nil }
        let devices = try String.fetchAll(
            db.cachedStatement(sql: "SELECT deviceExtension FROM userDevice WHERE userId = ?"), arguments: [row["id"] as Int64])
        return try UserRow.model(row, devices: devices)
    }

    public func addUser(_ user: User, passwordHash: String?) throws -> User {
        try user.validate()
        try requireDevices(user.deviceExtensions)
        do {
            try db.execute(
                sql: """
                    INSERT INTO user (name, displayName, email, isAdmin, isEnabled, passwordHash, createdAt, updatedAt, lastLoginAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    user.name, user.displayName, user.email, user.isAdmin, user.isEnabled, passwordHash, user.createdAt,
                    user.updatedAt, user.lastLoginAt,
                ])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw RepositoryError.conflict("a user named \(user.name) already exists")
        }
        var stored = user
        stored.id = db.lastInsertedRowID
        stored.hasPassword = passwordHash != nil
        try replaceDevices(of: db.lastInsertedRowID, with: user.deviceExtensions)
        return stored
    }

    public func updateUser(_ user: User) throws -> User {
        try user.validate()
        guard let id = user.id else { throw RepositoryError.notFound("user \(user.name) (never stored)") }
        try requireDevices(user.deviceExtensions)
        do {
            try db.execute(
                sql: "UPDATE user SET name = ?, displayName = ?, email = ?, isAdmin = ?, isEnabled = ?, updatedAt = ? WHERE id = ?",
                arguments: [user.name, user.displayName, user.email, user.isAdmin, user.isEnabled, user.updatedAt, id])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw RepositoryError.conflict("a user named \(user.name) already exists")
        }
        guard db.changesCount > 0 else { throw RepositoryError.notFound("user \(user.name)") }
        try replaceDevices(of: id, with: user.deviceExtensions)
        return try self.user(id: id) ?? user
    }

    public func removeUser(name: String) throws {
        try db.execute(sql: "DELETE FROM user WHERE name = ?", arguments: [name])
        guard db.changesCount > 0 else { throw RepositoryError.notFound("user \(name)") }
    }

    public func passwordHash(userID: Int64) throws -> String? {
        try String.fetchOne(db, sql: "SELECT passwordHash FROM user WHERE id = ?", arguments: [userID])
    }

    public func setPasswordHash(_ hash: String?, userID: Int64, at now: Date) throws {
        try db.execute(
            sql: "UPDATE user SET passwordHash = ?, updatedAt = max(updatedAt, ?) WHERE id = ?", arguments: [hash, now, userID])
        guard db.changesCount > 0 else { throw RepositoryError.notFound("user \(userID)") }
    }

    public func recordLogin(userID: Int64, at now: Date) throws {
        try db.execute(sql: "UPDATE user SET lastLoginAt = ? WHERE id = ?", arguments: [now, userID])
        guard db.changesCount > 0 else { throw RepositoryError.notFound("user \(userID)") }
    }

    /// Throws `notFound` naming the first extension that is no device.
    private func requireDevices(_ extensions: [String]) throws {
        guard !extensions.isEmpty else { return }
        let known = try String.fetchSet(
            db, sql: "SELECT extensionNumber FROM device WHERE extensionNumber IN (SELECT value FROM json_each(?))",
            arguments: [try StoreJSON.encode(extensions)])
        if let missing = extensions.first(where: { !known.contains($0) }) {
            throw RepositoryError.notFound("fax device \(missing)")
        }
    }

    private func replaceDevices(of userID: Int64, with extensions: [String]) throws {
        try db.execute(sql: "DELETE FROM userDevice WHERE userId = ?", arguments: [userID])
        for number in extensions {
            try db.execute(sql: "INSERT INTO userDevice (userId, deviceExtension) VALUES (?, ?)", arguments: [userID, number])
        }
    }
}
