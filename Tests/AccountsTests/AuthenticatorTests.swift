import Accounts
import FaxCore
import Foundation
import Store
import Synchronization
import Testing

/// Sign-in with a name and password: answers, lockout (time passed in, never waited for),
/// durability of the lock, rehashing.
@Suite struct AuthenticatorTests {
    typealias Sample = AccountSample

    /// bcrypt at cost 4 that counts its checks.
    final class CountingHasher: PasswordHasher {
        let inner: BcryptPasswordHasher
        let verifications = Mutex(0)

        init(cost: UInt8 = 4) { inner = BcryptPasswordHasher(cost: cost) }

        func hash(_ password: String) async -> String { await inner.hash(password) }
        func verify(_ password: String, against hash: String) async -> Bool {
            verifications.withLock { $0 += 1 }
            return await inner.verify(password, against: hash)
        }
        func needsRehash(_ hash: String) -> Bool { inner.needsRehash(hash) }
        var count: Int { verifications.withLock { $0 } }
    }

    let folder: AccountsTestFolder
    let database: FaxDatabase
    let hasher = CountingHasher()
    let authenticator: Authenticator
    let administration: AccountAdministration

    init() async throws {
        folder = try AccountsTestFolder()
        database = try folder.openDatabase()
        authenticator = Authenticator(store: database, hasher: hasher)
        administration = AccountAdministration(store: database, hasher: Sample.hasher)
        for number in ["200", "201"] { _ = try await database.addDevice(Sample.device(number)) }
        _ = try await administration.addUser(try Sample.user("alice", devices: ["200"]), password: Sample.password, actor: "test")
        _ = try await administration.addUser(try Sample.user("tokenonly"), password: nil, actor: "test")
        _ = try await administration.addUser(try Sample.user("gone", enabled: false), password: Sample.password, actor: "test")
    }

    func signIn(_ name: String = "alice", _ password: String = Sample.password, from address: String? = "192.0.2.7",
                after seconds: TimeInterval = 0) async throws -> Principal {
        try await authenticator.authenticate(name: name, password: password, from: address, at: Sample.start.addingTimeInterval(seconds))
    }

    func expectRefusal(_ expected: AuthenticationError, _ name: String = "alice", _ password: String = "wrong password!",
                       from address: String? = "192.0.2.7", after seconds: TimeInterval = 0,
                       sourceLocation: SourceLocation = #_sourceLocation) async {
        await #expect(throws: expected, sourceLocation: sourceLocation) {
            _ = try await signIn(name, password, from: address, after: seconds)
        }
    }

    @Test func theRightPasswordSignsInAndIsRecorded() async throws {
        let principal = try await signIn("  Alice ", after: 5)
        #expect(principal.user.name == "alice")
        #expect(principal.credential == .password)
        #expect(principal.user.lastLoginAt == Sample.start.addingTimeInterval(5))
        #expect(try await database.user(name: "alice")?.lastLoginAt == Sample.start.addingTimeInterval(5))
    }

    @Test func wrongPasswordUnknownNameAndNoPasswordGetTheSameAnswerAndTheSameWork() async throws {
        await expectRefusal(.refused, "alice", "wrong password!", from: nil)
        await expectRefusal(.refused, "nobody", Sample.password, from: nil)
        await expectRefusal(.refused, "tokenonly", Sample.password, from: nil)
        await expectRefusal(.refused, "Not A Valid Name!", Sample.password, from: nil)
        await expectRefusal(.refused, "alice", Sample.password + "\0tail", from: nil)
        await expectRefusal(.refused, "alice", String(repeating: "x", count: 5000), from: nil)
        // One bcrypt check each, whether or not there is a hash to check against.
        #expect(hasher.count == 6)
        #expect(AuthenticationError.refused.description == "the user name or the password is wrong")
    }

    @Test func aDisabledUserIsToldOnlyAfterTheRightPassword() async throws {
        await expectRefusal(.disabled, "gone", Sample.password)
        await expectRefusal(.refused, "gone", "wrong password!")
        _ = try await administration.changeUser(name: "alice", User.Changes(isEnabled: false), actor: "test", at: Sample.start)
        await expectRefusal(.disabled, "alice", Sample.password)
    }

    @Test func fiveFailuresLockTheNameForFifteenMinutesEvenForTheRightPassword() async throws {
        for attempt in 0..<4 { await expectRefusal(.refused, from: "192.0.2.\(attempt)", after: Double(attempt)) }
        let lockedUntil = Sample.start.addingTimeInterval(4 + 900)
        await expectRefusal(.locked(until: lockedUntil), from: "192.0.2.4", after: 4)
        let checks = hasher.count
        await expectRefusal(.locked(until: lockedUntil), "alice", Sample.password, from: "192.0.2.5", after: 60)
        await expectRefusal(.locked(until: lockedUntil), "ALICE", Sample.password, from: nil, after: 903)
        #expect(hasher.count == checks, "a locked name costs no bcrypt check")
        #expect(try await signIn(from: "192.0.2.5", after: 904).user.name == "alice")

        let audit = try await database.auditEntries(limit: 10).filter { $0.kind == .loginLocked }
        #expect(audit.count == 1)
        #expect(audit.first?.summary.contains("user \"alice\"") == true)
        #expect(AuthenticationError.locked(until: lockedUntil).description.contains("try again after 2026-09-21T"))
    }

    @Test func unknownNamesAreLockedLikeKnownOnes() async throws {
        for attempt in 0..<4 { await expectRefusal(.refused, "nobody", from: "192.0.2.\(attempt)", after: Double(attempt)) }
        await expectRefusal(.locked(until: Sample.start.addingTimeInterval(904)), "nobody", from: "192.0.2.9", after: 4)
    }

    @Test func fiveFailuresFromOneAddressLockThatAddressForEveryName() async throws {
        for attempt in 0..<4 { await expectRefusal(.refused, "guess\(attempt)", from: "198.51.100.1", after: Double(attempt)) }
        await expectRefusal(.locked(until: Sample.start.addingTimeInterval(904)), "guess4", from: "198.51.100.1", after: 4)
        await expectRefusal(.locked(until: Sample.start.addingTimeInterval(904)), "alice", Sample.password, from: "198.51.100.1", after: 5)
        #expect(try await signIn(from: "198.51.100.2", after: 5).user.name == "alice")
    }

    @Test func failuresOutsideTheWindowDoNotAddUp() async throws {
        for attempt in 0..<4 { await expectRefusal(.refused, after: Double(attempt)) }
        for attempt in 0..<4 { await expectRefusal(.refused, after: 900 + Double(attempt)) }
        #expect(try await signIn(after: 905).user.name == "alice")
    }

    @Test func aSuccessClearsTheNamesFailuresButNotTheAddresss() async throws {
        for attempt in 0..<4 { await expectRefusal(.refused, after: Double(attempt)) }
        _ = try await signIn(after: 5)
        await expectRefusal(.refused, from: "203.0.113.1", after: 6)
        let records = try await database.loginFailures([.user("alice"), .address("192.0.2.7")])
        #expect(records.map(\.count) == [1, 4])
    }

    @Test func theLockSurvivesARestart() async throws {
        for attempt in 0..<5 { _ = try? await signIn("alice", "wrong password!", after: Double(attempt)) }
        let reopened = Authenticator(store: try folder.openDatabase(), hasher: Sample.hasher)
        await #expect(throws: AuthenticationError.locked(until: Sample.start.addingTimeInterval(904))) {
            _ = try await reopened.authenticate(name: "alice", password: Sample.password, from: nil, at: Sample.start.addingTimeInterval(600))
        }
    }

    @Test func unlockingLiftsTheLockAndIsAudited() async throws {
        for attempt in 0..<5 { _ = try? await signIn("alice", "wrong password!", from: nil, after: Double(attempt)) }
        #expect(try await administration.loginLock(name: "alice", at: Sample.start.addingTimeInterval(10)) != nil)
        try await administration.unlock(.user("alice"), actor: "cli:admin", at: Sample.start.addingTimeInterval(10))
        #expect(try await administration.loginLock(name: "alice", at: Sample.start.addingTimeInterval(10)) == nil)
        #expect(try await signIn(from: nil, after: 11).user.name == "alice")
        let entry = try #require(try await database.auditEntries(limit: 1).first)
        #expect(entry.kind == .loginUnlocked && entry.actor == "cli:admin")
    }

    @Test func aPasswordStoredAtALowerCostIsRehashedAtSignIn() async throws {
        let stronger = Authenticator(store: database, hasher: BcryptPasswordHasher(cost: 5))
        let id = try #require(try await database.user(name: "alice")?.id)
        #expect(try await database.passwordHash(userID: id)?.hasPrefix("$2b$04$") == true)
        _ = try await stronger.authenticate(name: "alice", password: Sample.password, from: nil, at: Sample.start)
        let rehashed = try #require(try await database.passwordHash(userID: id))
        #expect(rehashed.hasPrefix("$2b$05$"))
        #expect(try await stronger.authenticate(name: "alice", password: Sample.password, from: nil, at: Sample.start).user.name == "alice")
    }

    @Test func sessionsAreReadAgainEachTime() async throws {
        let id = try #require(try await database.user(name: "alice")?.id)
        #expect(try await authenticator.sessionPrincipal(userID: id)?.user.deviceExtensions == ["200"])
        _ = try await administration.changeUser(name: "alice", User.Changes(addDevices: ["201"]), actor: "test", at: Sample.start)
        #expect(try await authenticator.sessionPrincipal(userID: id)?.user.deviceExtensions == ["200", "201"])
        _ = try await administration.changeUser(name: "alice", User.Changes(isEnabled: false), actor: "test", at: Sample.start)
        #expect(try await authenticator.sessionPrincipal(userID: id) == nil)
        #expect(try await authenticator.sessionPrincipal(userID: 9999) == nil)
    }
}
