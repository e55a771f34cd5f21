import Accounts
import Crypto
import FaxCore
import Foundation
import Store
import Testing

/// Tokens made by the administration and checked by the authenticator.
@Suite struct APITokenServiceTests {
    typealias Sample = AccountSample

    let database: FaxDatabase
    let administration: AccountAdministration
    let authenticator: Authenticator

    init() async throws {
        database = try FaxDatabase.inMemory()
        administration = AccountAdministration(store: database, hasher: Sample.hasher)
        authenticator = Authenticator(store: database, hasher: Sample.hasher)
        _ = try await database.addDevice(Sample.device("200"))
        _ = try await administration.addUser(try Sample.user("alice", devices: ["200"]), password: nil, actor: "test")
        _ = try await administration.addUser(try Sample.user("root", admin: true), password: nil, actor: "test")
    }

    func create(_ user: String = "alice", scope: TokenScope = .send, expiresAfter days: Double? = 90) async throws -> IssuedAPIToken {
        try await administration.createToken(
            userName: user, scope: scope, label: "scanner", expiresAt: days.map { Sample.start.addingTimeInterval($0 * 86_400) },
            actor: "cli:admin", at: Sample.start)
    }

    func verify(_ text: String, after seconds: TimeInterval = 60) async throws -> Principal? {
        try await authenticator.verifyToken(text, at: Sample.start.addingTimeInterval(seconds))
    }

    @Test func aNewTokenOpensTheAPIWithItsScope() async throws {
        let issued = try await create(scope: .read)
        let id = try #require(issued.token.id)
        #expect(issued.text.hasPrefix("fxl_\(id)_"))
        #expect(issued.text.count == "fxl_\(id)_".count + 43)
        let principal = try #require(try await verify(issued.text))
        #expect(principal.user.name == "alice")
        #expect(principal.credential == .token(id: id, scope: .read))
        #expect(AccessPolicy.decide(principal, .send(asDevice: "200")) == .denied(.scope(needed: .send, granted: .read)))
        #expect(issued.token.label == "scanner" && issued.token.userName == "alice")
    }

    @Test func onlyTheHashOfTheSecretIsStored() async throws {
        let issued = try await create()
        let text = try #require(APITokenText(parsing: issued.text))
        let stored = try #require(try await database.tokenCredential(id: text.id))
        #expect(stored.secretHash == Array(SHA256.hash(data: Data(text.secret.utf8))))
        let other = try await create()
        #expect(other.text != issued.text)
        #expect(APITokenText(parsing: other.text)?.secret != text.secret)
    }

    @Test func aWrongOrMalformedSecretOpensNothing() async throws {
        let issued = try await create()
        let text = try #require(APITokenText(parsing: issued.text))
        var wrongSecret = text
        wrongSecret.secret = String(text.secret.reversed())
        #expect(try await verify(wrongSecret.text) == nil)
        var otherID = text
        otherID.id += 1
        #expect(try await verify(otherID.text) == nil)
        #expect(try await verify("fxl_\(text.id)_short") == nil)
        #expect(try await verify("") == nil)
        #expect(try await verify("Basic YWxpY2U6c2VjcmV0") == nil)
        #expect(try await verify(issued.text) != nil)
    }

    @Test func expiredRevokedAndDisabledAreRefused() async throws {
        let shortLived = try await create(expiresAfter: 1)
        #expect(try await verify(shortLived.text, after: 86_399) != nil)
        #expect(try await verify(shortLived.text, after: 86_400) == nil)

        let revoked = try await create()
        let revokedID = try #require(revoked.token.id)
        #expect(try await verify(revoked.text, after: 99) != nil)
        _ = try await administration.revokeToken(id: revokedID, actor: "cli:admin", at: Sample.start.addingTimeInterval(100))
        #expect(try await verify(revoked.text, after: 101) == nil)

        let forever = try await create(expiresAfter: nil)
        #expect(try await verify(forever.text, after: 10 * 365 * 86_400) != nil)
        _ = try await administration.changeUser(name: "alice", User.Changes(isEnabled: false), actor: "test", at: Sample.start)
        #expect(try await verify(forever.text) == nil)
        _ = try await administration.changeUser(name: "alice", User.Changes(isEnabled: true), actor: "test", at: Sample.start)
        #expect(try await verify(forever.text) != nil)
        try await administration.removeUser(name: "alice", actor: "test", at: Sample.start)
        #expect(try await verify(forever.text) == nil)
    }

    @Test func lastUseIsRecordedAtMostOnceAMinute() async throws {
        let issued = try await create()
        let id = try #require(issued.token.id)
        _ = try await verify(issued.text, after: 10)
        #expect(try await database.token(id: id)?.lastUsedAt == Sample.start.addingTimeInterval(10))
        _ = try await verify(issued.text, after: 69)
        #expect(try await database.token(id: id)?.lastUsedAt == Sample.start.addingTimeInterval(10))
        _ = try await verify(issued.text, after: 70)
        #expect(try await database.token(id: id)?.lastUsedAt == Sample.start.addingTimeInterval(70))
    }

    @Test func tokensAreListedAndEveryChangeIsAudited() async throws {
        let alices = try await create()
        let roots = try await create("root", scope: .admin)
        #expect(try await administration.tokens(userName: "alice").map(\.id) == [alices.token.id])
        #expect(Set(try await administration.tokens(userName: nil).map(\.id)) == [alices.token.id, roots.token.id])
        let id = try #require(alices.token.id)
        let revoked = try await administration.revokeToken(id: id, actor: "cli:admin", at: Sample.start.addingTimeInterval(5))
        #expect(revoked.revokedAt == Sample.start.addingTimeInterval(5))
        let again = try await administration.revokeToken(id: id, actor: "cli:admin", at: Sample.start.addingTimeInterval(9))
        #expect(again.revokedAt == Sample.start.addingTimeInterval(5))
        let audit = try await database.auditEntries(limit: 20)
        #expect(audit.filter { $0.kind == .tokenCreated }.count == 2)
        #expect(audit.filter { $0.kind == .tokenRevoked }.map(\.summary) == ["revoked API token \(id) of alice"])
        #expect(audit.allSatisfy { !$0.summary.contains(alices.text) })
    }

    @Test func tokensNeedAnEnabledUserWhoExists() async throws {
        await #expect(throws: RepositoryError.notFound("user ghost")) { _ = try await create("ghost") }
        await #expect(throws: RepositoryError.notFound("user ghost")) { _ = try await administration.tokens(userName: "ghost") }
        await #expect(throws: RepositoryError.notFound("API token 77")) {
            _ = try await administration.revokeToken(id: 77, actor: "test", at: Sample.start)
        }
        _ = try await administration.changeUser(name: "alice", User.Changes(isEnabled: false), actor: "test", at: Sample.start)
        await #expect(throws: FaxValidationError.self) { _ = try await create() }
    }
}
