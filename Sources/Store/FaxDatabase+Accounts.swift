import FaxCore
import Foundation

extension FaxDatabase: UserRepository {
    public func users() async throws -> [User] { try await read { try $0.users() } }
    public func user(name: String) async throws -> User? { try await read { try $0.user(name: name) } }
    public func user(id: Int64) async throws -> User? { try await read { try $0.user(id: id) } }
    public func addUser(_ user: User, passwordHash: String?) async throws -> User {
        try await write { try $0.addUser(user, passwordHash: passwordHash) }
    }
    public func updateUser(_ user: User) async throws -> User { try await write { try $0.updateUser(user) } }
    public func removeUser(name: String) async throws { try await write { try $0.removeUser(name: name) } }
    public func passwordHash(userID: Int64) async throws -> String? { try await read { try $0.passwordHash(userID: userID) } }
    public func setPasswordHash(_ hash: String?, userID: Int64, at now: Date) async throws {
        try await write { try $0.setPasswordHash(hash, userID: userID, at: now) }
    }
    public func recordLogin(userID: Int64, at now: Date) async throws {
        try await write { try $0.recordLogin(userID: userID, at: now) }
    }
}

extension FaxDatabase: APITokenRepository {
    public func addToken(_ token: APIToken, secretHash: [UInt8]) async throws -> APIToken {
        try await write { try $0.addToken(token, secretHash: secretHash) }
    }
    public func token(id: Int64) async throws -> APIToken? { try await read { try $0.token(id: id) } }
    public func tokenCredential(id: Int64) async throws -> APITokenCredential? {
        try await read { try $0.tokenCredential(id: id) }
    }
    public func tokens(userID: Int64?) async throws -> [APIToken] { try await read { try $0.tokens(userID: userID) } }
    public func revokeToken(id: Int64, at now: Date) async throws -> APIToken {
        try await write { try $0.revokeToken(id: id, at: now) }
    }
    public func recordTokenUse(id: Int64, at now: Date) async throws {
        try await write { try $0.recordTokenUse(id: id, at: now) }
    }
}

extension FaxDatabase: LoginThrottleRepository {
    public func loginFailures(_ subjects: [LoginSubject]) async throws -> [LoginFailures] {
        try await read { try $0.loginFailures(subjects) }
    }
    public func recordLoginFailure(_ subject: LoginSubject, at now: Date, policy: LoginThrottlePolicy) async throws
        -> LoginFailures
    {
        try await write { try $0.recordLoginFailure(subject, at: now, policy: policy) }
    }
    public func clearLoginFailures(_ subject: LoginSubject) async throws {
        try await write { try $0.clearLoginFailures(subject) }
    }
}

// `appendAudit` and `auditEntries` are the retention store's.
extension FaxDatabase: AuditRepository {}
