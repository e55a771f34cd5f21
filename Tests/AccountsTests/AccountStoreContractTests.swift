import FaxCore
import Foundation
import Testing

/// What every store behind the account repositories must do, run against each factory.
@Suite struct AccountStoreContractTests {
    typealias Sample = AccountSample

    @Test(arguments: AccountStoreFactory.all)
    func usersAreStoredWithTheirDevices(_ factory: AccountStoreFactory) async throws {
        let (store, keepAlive) = try await Sample.storeWithDevices(factory)
        let alice = try await store.addUser(try Sample.user("alice", devices: ["201", "200"]), passwordHash: nil)
        let root = try await store.addUser(try Sample.user("root", admin: true), passwordHash: "$2b$04$" + String(repeating: "a", count: 53))
        #expect(alice.id != nil && root.id != nil && alice.id != root.id)
        #expect(!alice.hasPassword && root.hasPassword)

        let read = try #require(try await store.user(name: "alice"))
        #expect(read == alice)
        #expect(read.deviceExtensions == ["200", "201"])
        #expect(try await store.user(id: try #require(root.id)) == root)
        #expect(try await store.users().map(\.name) == ["alice", "root"])
        #expect(try await store.user(name: "nobody") == nil)
        #expect(try await store.user(id: 9999) == nil)
        _ = keepAlive
    }

    @Test(arguments: AccountStoreFactory.all)
    func namesAreUniqueAndDevicesMustExist(_ factory: AccountStoreFactory) async throws {
        let (store, keepAlive) = try await Sample.storeWithDevices(factory)
        _ = try await store.addUser(try Sample.user("alice"), passwordHash: nil)
        await #expect(throws: RepositoryError.conflict("a user named alice already exists")) {
            _ = try await store.addUser(try Sample.user("alice"), passwordHash: nil)
        }
        await #expect(throws: RepositoryError.notFound("fax device 999")) {
            _ = try await store.addUser(try Sample.user("bob", devices: ["200", "999"]), passwordHash: nil)
        }
        #expect(try await store.user(name: "bob") == nil)
        _ = keepAlive
    }

    @Test(arguments: AccountStoreFactory.all)
    func updatesReplaceFieldsAndDevices(_ factory: AccountStoreFactory) async throws {
        let (store, keepAlive) = try await Sample.storeWithDevices(factory)
        let alice = try await store.addUser(try Sample.user("alice", devices: ["200"]), passwordHash: nil)
        _ = try await store.addUser(try Sample.user("bob"), passwordHash: nil)
        let later = Sample.start.addingTimeInterval(3600)
        let changed = try alice.applying(
            User.Changes(displayName: "Alice E.", email: "ae@example.org", isAdmin: true, isEnabled: false, addDevices: ["300"],
                         removeDevices: ["200"]), at: later)
        let stored = try await store.updateUser(changed)
        #expect(stored == changed)
        #expect(try await store.user(name: "alice") == changed)

        var renamed = changed
        renamed.name = "bob"
        await #expect(throws: RepositoryError.conflict("a user named bob already exists")) { _ = try await store.updateUser(renamed) }
        var unknownDevice = changed
        unknownDevice.deviceExtensions = ["999"]
        await #expect(throws: RepositoryError.notFound("fax device 999")) { _ = try await store.updateUser(unknownDevice) }
        var gone = changed
        gone.id = 9999
        await #expect(throws: RepositoryError.self) { _ = try await store.updateUser(gone) }
        #expect(try await store.user(name: "alice") == changed)
        _ = keepAlive
    }

    @Test(arguments: AccountStoreFactory.all)
    func removingADeviceKeepsTheUserAndRemovingAUserKeepsTheDevice(_ factory: AccountStoreFactory) async throws {
        let (store, keepAlive) = try await Sample.storeWithDevices(factory)
        _ = try await store.addUser(try Sample.user("alice", devices: ["200", "201"]), passwordHash: nil)
        _ = try await store.addUser(try Sample.user("bob", devices: ["201"]), passwordHash: nil)
        try await store.removeDevice(extension: "201")
        #expect(try await store.user(name: "alice")?.deviceExtensions == ["200"])
        #expect(try await store.user(name: "bob")?.deviceExtensions == [])
        try await store.removeUser(name: "alice")
        #expect(try await store.user(name: "alice") == nil)
        #expect(try await store.device(extension: "200") != nil)
        await #expect(throws: RepositoryError.notFound("user alice")) { try await store.removeUser(name: "alice") }
        _ = keepAlive
    }

    @Test(arguments: AccountStoreFactory.all)
    func passwordHashesAndLastLogin(_ factory: AccountStoreFactory) async throws {
        let (store, keepAlive) = try await Sample.storeWithDevices(factory)
        let alice = try await store.addUser(try Sample.user("alice"), passwordHash: nil)
        let id = try #require(alice.id)
        #expect(try await store.passwordHash(userID: id) == nil)
        let hash = await Sample.hasher.hash(Sample.password)
        try await store.setPasswordHash(hash, userID: id, at: Sample.start.addingTimeInterval(60))
        #expect(try await store.passwordHash(userID: id) == hash)
        let withPassword = try #require(try await store.user(id: id))
        #expect(withPassword.hasPassword)
        #expect(withPassword.updatedAt == Sample.start.addingTimeInterval(60))
        try await store.recordLogin(userID: id, at: Sample.start.addingTimeInterval(120))
        #expect(try await store.user(id: id)?.lastLoginAt == Sample.start.addingTimeInterval(120))
        try await store.setPasswordHash(nil, userID: id, at: Sample.start.addingTimeInterval(180))
        #expect(try await store.user(id: id)?.hasPassword == false)
        await #expect(throws: RepositoryError.self) { try await store.setPasswordHash(hash, userID: 9999, at: Sample.start) }
        await #expect(throws: RepositoryError.self) { try await store.recordLogin(userID: 9999, at: Sample.start) }
        _ = keepAlive
    }

    @Test(arguments: AccountStoreFactory.all)
    func tokensAreStoredListedRevokedAndGoWithTheirUser(_ factory: AccountStoreFactory) async throws {
        let (store, keepAlive) = try await Sample.storeWithDevices(factory)
        let alice = try #require(try await store.addUser(try Sample.user("alice"), passwordHash: nil).id)
        let bob = try #require(try await store.addUser(try Sample.user("bob"), passwordHash: nil).id)
        let hash = Array(repeating: UInt8(7), count: 32)
        func token(_ user: Int64, _ name: String, minutes: Double) throws -> APIToken {
            try APIToken(userID: user, userName: name, scope: .send, label: "label \(minutes)",
                         createdAt: Sample.start.addingTimeInterval(minutes * 60), expiresAt: Sample.start.addingTimeInterval(86_400))
        }
        let first = try await store.addToken(try token(alice, "alice", minutes: 0), secretHash: hash)
        let second = try await store.addToken(try token(alice, "alice", minutes: 1), secretHash: hash)
        let bobs = try await store.addToken(try token(bob, "bob", minutes: 2), secretHash: hash)
        #expect(try await store.tokens(userID: alice).map(\.id) == [second.id, first.id])
        #expect(try await store.tokens(userID: nil).map(\.id) == [bobs.id, second.id, first.id])
        let firstID = try #require(first.id)
        #expect(try await store.token(id: firstID) == first)
        #expect(try await store.tokenCredential(id: firstID) == APITokenCredential(token: first, secretHash: hash, user: try await store.user(id: alice)))

        try await store.recordTokenUse(id: firstID, at: Sample.start.addingTimeInterval(300))
        #expect(try await store.token(id: firstID)?.lastUsedAt == Sample.start.addingTimeInterval(300))

        let revoked = try await store.revokeToken(id: firstID, at: Sample.start.addingTimeInterval(600))
        #expect(revoked.revokedAt == Sample.start.addingTimeInterval(600))
        let again = try await store.revokeToken(id: firstID, at: Sample.start.addingTimeInterval(900))
        #expect(again.revokedAt == Sample.start.addingTimeInterval(600))
        await #expect(throws: RepositoryError.notFound("API token 9999")) { _ = try await store.revokeToken(id: 9999, at: Sample.start) }
        await #expect(throws: RepositoryError.notFound("user ghost")) {
            _ = try await store.addToken(try token(9999, "ghost", minutes: 0), secretHash: hash)
        }

        try await store.removeUser(name: "alice")
        #expect(try await store.tokens(userID: nil).map(\.id) == [bobs.id])
        #expect(try await store.tokenCredential(id: firstID) == nil)
        _ = keepAlive
    }

    @Test(arguments: AccountStoreFactory.all)
    func loginFailuresCountLockAndAreForgotten(_ factory: AccountStoreFactory) async throws {
        let (store, keepAlive) = try factory.make()
        let policy = LoginThrottlePolicy()
        let alice = LoginSubject.user("alice"), address = LoginSubject.address("192.0.2.7")
        for index in 0..<4 {
            let record = try await store.recordLoginFailure(alice, at: Sample.start.addingTimeInterval(Double(index)), policy: policy)
            #expect(record.count == index + 1 && record.lockedUntil == nil)
        }
        let locked = try await store.recordLoginFailure(alice, at: Sample.start.addingTimeInterval(10), policy: policy)
        #expect(locked.lockedUntil == Sample.start.addingTimeInterval(910))
        _ = try await store.recordLoginFailure(address, at: Sample.start, policy: policy)
        #expect(try await store.loginFailures([alice, address, .user("bob")]) == [
            locked, LoginFailures(subject: address, count: 1, windowStartedAt: Sample.start),
        ])

        // Once the address's window has passed, any failure forgets it; alice's lock stays.
        _ = try await store.recordLoginFailure(.user("carol"), at: Sample.start.addingTimeInterval(900), policy: policy)
        #expect(try await store.loginFailures([alice, address]).map(\.subject) == [alice])
        // Once the lock has ended, alice's record goes too.
        _ = try await store.recordLoginFailure(.user("carol"), at: Sample.start.addingTimeInterval(910), policy: policy)
        #expect(try await store.loginFailures([alice]).isEmpty)

        _ = try await store.recordLoginFailure(alice, at: Sample.start.addingTimeInterval(1000), policy: policy)
        try await store.clearLoginFailures(alice)
        #expect(try await store.loginFailures([alice]).isEmpty)
        _ = keepAlive
    }

    @Test(arguments: AccountStoreFactory.all)
    func concurrentFailuresAllCount(_ factory: AccountStoreFactory) async throws {
        let (store, keepAlive) = try factory.make()
        let policy = LoginThrottlePolicy(maximumFailures: 100)
        let subject = LoginSubject.address("198.51.100.1")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask { _ = try await store.recordLoginFailure(subject, at: Sample.start, policy: policy) }
            }
            try await group.waitForAll()
        }
        #expect(try await store.loginFailures([subject]).first?.count == 20)
        _ = keepAlive
    }

    @Test(arguments: AccountStoreFactory.all)
    func auditEntriesOfEveryKindAreKept(_ factory: AccountStoreFactory) async throws {
        let (store, keepAlive) = try factory.make()
        for (index, kind) in AuditEntry.Kind.allCases.enumerated() {
            try await store.appendAudit(AuditEntry(at: Sample.start.addingTimeInterval(Double(index)), kind: kind, actor: "cli:test",
                                                   summary: "entry \(index)"))
        }
        let entries = try await store.auditEntries(limit: 100)
        #expect(entries.map(\.kind) == AuditEntry.Kind.allCases.reversed())
        #expect(entries.first?.summary == "entry \(AuditEntry.Kind.allCases.count - 1)")
        #expect(try await store.auditEntries(limit: 2).count == 2)
        _ = keepAlive
    }
}
