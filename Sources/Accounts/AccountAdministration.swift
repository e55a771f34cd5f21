import FaxCore
import Foundation

/// A token as its creator gets it: the stored record and, once, the text.
public struct IssuedAPIToken: Sendable {
    public var token: APIToken
    /// `fxl_<id>_<secret>`; not stored, not shown again.
    public var text: String
}

/// Changes to users and tokens, each checked and written to the audit log with who made it
/// (`actor`: "cli:alice" from the shell, the signed-in user's name from the web app and the
/// API). The caller has already asked `AccessPolicy` whether the actor may.
public struct AccountAdministration: Sendable {
    private let store: any AccountStore
    private let hasher: any PasswordHasher

    public init(store: any AccountStore, hasher: any PasswordHasher = BcryptPasswordHasher()) {
        self.store = store
        self.hasher = hasher
    }

    // MARK: - Users

    /// Stores a new user; with `password` `nil` the user signs in only with tokens.
    public func addUser(_ user: User, password: String?, actor: String) async throws -> User {
        try user.validate()
        if let password { try PasswordRules.validate(password, for: user) }
        let hash: String? = if let password { await hasher.hash(password) } else { nil }
        let stored = try await store.addUser(user, passwordHash: hash)
        var facts = [stored.isAdmin ? "administrator" : "user"]
        facts.append(stored.deviceExtensions.isEmpty ? "no devices" : "devices " + stored.deviceExtensions.joined(separator: ", "))
        facts.append(hash == nil ? "token-only" : "with a password")
        if !stored.isEnabled { facts.append("disabled") }
        try await audit(.userAdded, actor: actor, at: stored.createdAt, "added user \(stored.name) (\(facts.joined(separator: "; ")))")
        return stored
    }

    /// Applies `changes` to the user named `name`; writes and audits nothing when nothing
    /// differs.
    public func changeUser(name: String, _ changes: User.Changes, actor: String, at now: Date) async throws -> User {
        let user = try await existingUser(name)
        let changed = try user.applying(changes, at: now)
        let differences = user.differences(to: changed)
        guard !differences.isEmpty else { return user }
        let stored = try await store.updateUser(changed)
        try await audit(.userChanged, actor: actor, at: now, "changed user \(name): \(differences.joined(separator: ", "))")
        return stored
    }

    /// Refuses an administrator's change that would lock themselves out: taking their own
    /// administration, disabling themselves, or (`changes` `nil`) removing themselves. Another
    /// administrator must do it, so that there is always one left who can.
    public static func refuseSelfLockout(by acting: User, of name: String, _ changes: User.Changes?) throws(RepositoryError) {
        guard acting.name == name else { return }
        guard let changes else {
            throw RepositoryError.conflict("administrators cannot remove themselves; ask another administrator")
        }
        if changes.isAdmin == false || changes.isEnabled == false {
            throw RepositoryError.conflict(
                "administrators cannot take their own administration or disable themselves; ask another administrator")
        }
    }

    /// Sets the user's password, or with `nil` removes it (the user keeps their tokens).
    public func setPassword(name: String, to password: String?, actor: String, at now: Date) async throws {
        let user = try await existingUser(name)
        guard let id = user.id else { throw RepositoryError.notFound("user \(name)") }
        if let password { try PasswordRules.validate(password, for: user) }
        let hash: String? = if let password { await hasher.hash(password) } else { nil }
        try await store.setPasswordHash(hash, userID: id, at: now)
        try await audit(.passwordChanged, actor: actor, at: now, password == nil ? "removed the password of \(name)" : "set the password of \(name)")
    }

    /// Removes the user and their tokens; their faxes and jobs stay.
    public func removeUser(name: String, actor: String, at now: Date) async throws {
        try await store.removeUser(name: name)
        try await store.clearLoginFailures(.user(name))
        try await audit(.userRemoved, actor: actor, at: now, "removed user \(name)")
    }

    /// Until when sign-ins as `name` are locked, if they are.
    public func loginLock(name: String, at now: Date, policy: LoginThrottlePolicy = LoginThrottlePolicy()) async throws -> Date? {
        try await store.loginFailures([.user(name)]).compactMap { policy.lockedUntil($0, at: now) }.first
    }

    /// Lifts the lock on a name or an address and forgets its failures.
    public func unlock(_ subject: LoginSubject, actor: String, at now: Date) async throws {
        try await store.clearLoginFailures(subject)
        try await audit(.loginUnlocked, actor: actor, at: now, "lifted the sign-in lock for \(subject)")
    }

    // MARK: - Tokens

    /// Makes a token for the user named `userName`. `expiresAt` `nil`: it does not expire.
    public func createToken(
        userName: String, scope: TokenScope, label: String = "", expiresAt: Date?, actor: String, at now: Date
    ) async throws -> IssuedAPIToken {
        let user = try await existingUser(userName)
        guard let userID = user.id else { throw RepositoryError.notFound("user \(userName)") }
        guard user.isEnabled else {
            throw FaxValidationError(field: "user", reason: "\(userName) is disabled; enable the user first")
        }
        let secret = APITokenSecret.generate()
        let token = try APIToken(userID: userID, userName: user.name, scope: scope, label: label, createdAt: now, expiresAt: expiresAt)
        let stored = try await store.addToken(token, secretHash: APITokenSecret.hash(secret))
        guard let id = stored.id else { throw RepositoryError.notFound("stored API token") }
        let expiry = expiresAt.map { "expires \(ISO8601DateFormatter().string(from: $0))" } ?? "does not expire"
        try await audit(
            .tokenCreated, actor: actor, at: now,
            "created API token \(id) for \(user.name) (scope \(scope.rawValue), \(expiry)\(label.isEmpty ? "" : ", label \(label)"))")
        return IssuedAPIToken(token: stored, text: APITokenText(id: id, secret: secret).text)
    }

    /// Newest first; every user's when `userName` is `nil`.
    public func tokens(userName: String?) async throws -> [APIToken] {
        guard let userName else { return try await store.tokens(userID: nil) }
        guard let userID = try await existingUser(userName).id else { throw RepositoryError.notFound("user \(userName)") }
        return try await store.tokens(userID: userID)
    }

    /// Revokes the token; one revoked before stays as it was (and is not audited again).
    public func revokeToken(id: Int64, actor: String, at now: Date) async throws -> APIToken {
        guard let existing = try await store.token(id: id) else { throw RepositoryError.notFound("API token \(id)") }
        if existing.revokedAt != nil { return existing }
        let revoked = try await store.revokeToken(id: id, at: now)
        try await audit(.tokenRevoked, actor: actor, at: now, "revoked API token \(id) of \(revoked.userName)")
        return revoked
    }

    // MARK: -

    private func existingUser(_ name: String) async throws -> User {
        guard let user = try await store.user(name: name) else { throw RepositoryError.notFound("user \(name)") }
        return user
    }

    private func audit(_ kind: AuditEntry.Kind, actor: String, at now: Date, _ summary: String) async throws {
        try await store.appendAudit(AuditEntry(at: now, kind: kind, actor: actor, summary: summary))
    }
}
