import FaxCore
import Foundation
import GRDB
import Testing

@testable import Store

/// The users migration: the schema refuses bad rows on its own, and the audit log keeps its
/// entries through the rebuild.
@Suite struct UserSchemaTests {
    static let hash = "'$2b$12$" + String(repeating: "a", count: 53) + "'"
    static let insertUser = "INSERT INTO user (name, displayName, email, isAdmin, isEnabled, passwordHash, createdAt, updatedAt) VALUES "
    static let goodUser = "('alice', 'Alice', 'alice@example.com', 0, 1, \(hash), '2026-01-01 10:00:00.000', '2026-01-01 10:00:00.000')"

    static let badUsers = [
        "('', 'A', 'a@example.com', 0, 1, NULL, '2026-01-01', '2026-01-01')",
        "('Alice', 'A', 'a@example.com', 0, 1, NULL, '2026-01-01', '2026-01-01')",
        "('-alice', 'A', 'a@example.com', 0, 1, NULL, '2026-01-01', '2026-01-01')",
        "('al ice', 'A', 'a@example.com', 0, 1, NULL, '2026-01-01', '2026-01-01')",
        "('\(String(repeating: "a", count: 65))', 'A', 'a@example.com', 0, 1, NULL, '2026-01-01', '2026-01-01')",
        "('bob', '\(String(repeating: "d", count: 101))', 'a@example.com', 0, 1, NULL, '2026-01-01', '2026-01-01')",
        "('bob', 'B', 'no-at-sign', 0, 1, NULL, '2026-01-01', '2026-01-01')",
        "('bob', 'B', 'a@example.com' || char(10), 0, 1, NULL, '2026-01-01', '2026-01-01')",
        "('bob', 'B', 'a@example.com', 2, 1, NULL, '2026-01-01', '2026-01-01')",
        "('bob', 'B', 'a@example.com', 0, 5, NULL, '2026-01-01', '2026-01-01')",
        "('bob', 'B', 'a@example.com', 0, 1, 'plaintext-password', '2026-01-01', '2026-01-01')",
        "('bob', 'B', 'a@example.com', 0, 1, NULL, '2026-01-02', '2026-01-01')",
        "('bob', 'B', 'a@example.com', 0, 1, NULL, NULL, '2026-01-01')",
        "('bob', 'B', NULL, 0, 1, NULL, '2026-01-01', '2026-01-01')",
    ]

    @Test(arguments: badUsers)
    func badUserRowsAreRefused(_ values: String) throws {
        let database = try FaxDatabase.inMemory()
        #expect(throws: DatabaseError.self) { try database.executeRaw(Self.insertUser + values) }
    }

    @Test func goodRowsAreAcceptedAndNamesAreUnique() throws {
        let database = try FaxDatabase.inMemory()
        try database.executeRaw(Self.insertUser + Self.goodUser)
        #expect(throws: DatabaseError.self) { try database.executeRaw(Self.insertUser + Self.goodUser) }
        try database.executeRaw(Self.insertUser + "('bob', '', 'b@example.com', 1, 0, NULL, '2026-01-01', '2026-01-01')")
    }

    @Test func deviceLinksNeedAUserAndADeviceAndFollowThem() throws {
        let database = try FaxDatabase.inMemory()
        _ = try database.write { try $0.addDevice(try FaxDevice(extensionNumber: "200", name: "D", emailAddresses: ["d@example.com"])) }
        try database.executeRaw(Self.insertUser + Self.goodUser)
        try database.executeRaw("INSERT INTO userDevice (userId, deviceExtension) VALUES (1, '200')")
        #expect(throws: DatabaseError.self) { try database.executeRaw("INSERT INTO userDevice (userId, deviceExtension) VALUES (1, '200')") }
        #expect(throws: DatabaseError.self) { try database.executeRaw("INSERT INTO userDevice (userId, deviceExtension) VALUES (1, '999')") }
        #expect(throws: DatabaseError.self) { try database.executeRaw("INSERT INTO userDevice (userId, deviceExtension) VALUES (2, '200')") }
        // A renumbered device keeps its owner.
        try database.executeRaw("UPDATE device SET extensionNumber = '210' WHERE extensionNumber = '200'")
        #expect(try database.read { try $0.user(name: "alice") }?.deviceExtensions == ["210"])
    }

    @Test func tokenRowsAreChecked() throws {
        let database = try FaxDatabase.inMemory()
        try database.executeRaw(Self.insertUser + Self.goodUser)
        let insert = "INSERT INTO apiToken (userId, secretHash, scope, label, createdAt, expiresAt, revokedAt) VALUES "
        let hash32 = "zeroblob(32)"
        try database.executeRaw(insert + "(1, \(hash32), 'send', 'x', '2026-01-01 10:00:00.000', '2026-02-01 10:00:00.000', NULL)")
        let bad = [
            "(2, \(hash32), 'send', '', '2026-01-01', NULL, NULL)",
            "(1, zeroblob(31), 'send', '', '2026-01-01', NULL, NULL)",
            "(1, '\(String(repeating: "h", count: 32))', 'send', '', '2026-01-01', NULL, NULL)",
            "(1, NULL, 'send', '', '2026-01-01', NULL, NULL)",
            "(1, \(hash32), 'write', '', '2026-01-01', NULL, NULL)",
            "(1, \(hash32), 'read', '\(String(repeating: "l", count: 101))', '2026-01-01', NULL, NULL)",
            "(1, \(hash32), 'read', '', '2026-01-02', '2026-01-01', NULL)",
            "(1, \(hash32), 'read', '', '2026-01-02', NULL, '2026-01-01')",
        ]
        for values in bad {
            #expect(throws: DatabaseError.self, "\(values)") { try database.executeRaw(insert + values) }
        }
        // Tokens go with their user.
        try database.executeRaw("DELETE FROM user WHERE id = 1")
        #expect(try database.read { try $0.tokens(userID: nil) }.isEmpty)
    }

    @Test func loginFailureRowsAreChecked() throws {
        let database = try FaxDatabase.inMemory()
        let insert = "INSERT INTO loginFailure (subjectKind, subject, failures, windowStartedAt, lockedUntil) VALUES "
        try database.executeRaw(insert + "('user', 'nobody', 3, '2026-01-01 10:00:00.000', NULL)")
        for values in [
            "('user', 'nobody', 1, '2026-01-01', NULL)", "('group', 'x', 1, '2026-01-01', NULL)", "('user', '', 1, '2026-01-01', NULL)",
            "('address', '::1', 0, '2026-01-01', NULL)", "('address', '::1', 5, '2026-01-02', '2026-01-01')",
        ] {
            #expect(throws: DatabaseError.self, "\(values)") { try database.executeRaw(insert + values) }
        }
    }

    @Test func theAuditLogKeepsItsEntriesAndTakesTheNewKinds() throws {
        let queue = try DatabaseQueue(configuration: FaxDatabase.makeConfiguration())
        try FaxSchema.migrator.migrate(queue, upTo: "outbound-jobs")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO auditLog (at, kind, actor, summary) VALUES ('2026-01-01 10:00:00.000', 'cleanup', 'cron', 'old')")
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO auditLog (at, kind, actor, summary) VALUES ('2026-01-01', 'user-added', 'x', 'y')")
            }
        }
        try FaxSchema.migrator.migrate(queue)
        #expect(try queue.read { try FaxSchema.migrator.appliedMigrations($0) }.last == "users")
        let entries = try queue.write { db in
            try db.execute(sql: "INSERT INTO auditLog (at, kind, actor, summary) VALUES ('2026-01-02 10:00:00.000', 'user-added', 'cli:x', 'y')")
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO auditLog (at, kind, actor, summary) VALUES ('2026-01-02', 'Bad Kind', 'x', 'y')")
            }
            return try StoreTransaction(db: db).auditEntries(limit: 10)
        }
        #expect(entries.map(\.summary) == ["y", "old"])
        #expect(entries.map(\.kind) == [.userAdded, .cleanup])
        #expect(entries.last?.id == 1)
    }
}
