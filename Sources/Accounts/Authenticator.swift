import FaxCore
import Foundation
import Logging
import Synchronization

/// Turns what a client presents — a name and password, an API token, a session's user id —
/// into a `Principal`. The web sign-in, SMTP AUTH of the mail gateway and the REST API all
/// come through here, so that the lockout, the timing and the messages are the same everywhere.
public struct Authenticator: Sendable {
    public let policy: LoginThrottlePolicy
    private let store: any AccountStore
    private let hasher: any PasswordHasher
    private let logger: Logger
    private let decoy: DecoyHash

    /// Passwords longer than this are refused without hashing (bcrypt reads 72 bytes anyway).
    static let maximumPasswordBytes = 1024

    public init(
        store: any AccountStore, hasher: any PasswordHasher = BcryptPasswordHasher(), policy: LoginThrottlePolicy = LoginThrottlePolicy(),
        logger: Logger = Logger(label: "faxline.accounts")
    ) {
        self.store = store
        self.hasher = hasher
        self.policy = policy
        self.logger = logger
        decoy = DecoyHash(hasher: hasher)
    }

    /// Checks a name and password at `now`. `address` is the client's network address without
    /// port (`nil` where there is none, e.g. a local pipe). Throws `AuthenticationError`, or a
    /// store error.
    ///
    /// Failures are counted per name and per address; at the policy's limit both are locked
    /// for its lock duration, also for the right password. A name that does not exist, a user
    /// without a password and a wrong password cost the same bcrypt check and get the same
    /// answer. A successful sign-in clears the name's failures (not the address's), records the
    /// time, and rehashes a password stored at a lower cost.
    public func authenticate(name: String, password: String, from address: String?, at now: Date) async throws -> Principal {
        let subjects = [LoginSubject.user(name)] + (address.map { [LoginSubject.address($0)] } ?? [])
        let counted = subjects.filter { !$0.value.isEmpty }
        let locks = try await store.loginFailures(counted).compactMap { policy.lockedUntil($0, at: now) }
        if let until = locks.max() { throw AuthenticationError.locked(until: until) }

        let loginName = User.loginName(name)
        let isPossibleName = (try? User.validateName(loginName)) != nil
        let user = isPossibleName ? try await store.user(name: loginName) : nil
        let storedHash = if let id = user?.id { try await store.passwordHash(userID: id) } else { String?.none }
        let matches: Bool
        if let storedHash, password.utf8.count <= Self.maximumPasswordBytes {
            matches = await hasher.verify(password, against: storedHash)
        } else {
            _ = await hasher.verify("", against: await decoy.hash())
            matches = false
        }
        guard matches, let user, let id = user.id, let storedHash else {
            try await recordFailure(counted, at: now)
            throw AuthenticationError.refused
        }
        guard user.isEnabled else { throw AuthenticationError.disabled }
        try await store.clearLoginFailures(.user(loginName))
        try await store.recordLogin(userID: id, at: now)
        if hasher.needsRehash(storedHash) {
            try await store.setPasswordHash(await hasher.hash(password), userID: id, at: now)
        }
        var signedIn = user
        signedIn.lastLoginAt = now
        return Principal(user: signedIn, credential: .password)
    }

    /// The principal of a bearer token at `now`, or `nil` when it is not a token of ours, its
    /// secret is wrong, it is revoked or expired, or its user is disabled or gone. Records the
    /// use, at most once a minute per token.
    public func verifyToken(_ bearer: String, at now: Date) async throws -> Principal? {
        guard let text = APITokenText(parsing: bearer), let credential = try await store.tokenCredential(id: text.id),
              APITokenSecret.matches(text.secret, hash: credential.secretHash)
        else { return nil }
        let token = credential.token
        guard token.isUsable(at: now) else {
            logger.info("API token refused", metadata: ["token.id": "\(text.id)", "reason": "\(token.state(at: now))"])
            return nil
        }
        guard let user = credential.user, user.isEnabled else {
            logger.info("API token refused", metadata: ["token.id": "\(text.id)", "reason": "user disabled"])
            return nil
        }
        if token.shouldRecordUse(at: now) { try await store.recordTokenUse(id: text.id, at: now) }
        return Principal(user: user, credential: .token(id: text.id, scope: token.scope))
    }

    /// The principal behind a signed-in session, read again on every request so that disabling
    /// a user, or taking a device away, takes effect at once; `nil` when the user is disabled or
    /// gone.
    public func sessionPrincipal(userID: Int64) async throws -> Principal? {
        guard let user = try await store.user(id: userID), user.isEnabled else { return nil }
        return Principal(user: user, credential: .password)
    }

    private func recordFailure(_ subjects: [LoginSubject], at now: Date) async throws {
        var lockedUntil: Date?
        for subject in subjects {
            let failures = try await store.recordLoginFailure(subject, at: now, policy: policy)
            guard failures.count == policy.maximumFailures, let until = failures.lockedUntil else { continue }
            lockedUntil = max(lockedUntil ?? until, until)
            let summary = "sign-in locked for \(subject) until \(ISO8601DateFormatter().string(from: until)) "
                + "after \(failures.count) failures" + (subjects.count > 1 ? " (last: \(subjects.map(\.description).joined(separator: " from ")))" : "")
            logger.warning("sign-in locked", metadata: ["subject": "\(subject)", "until": "\(until)"])
            try await store.appendAudit(AuditEntry(at: now, kind: .loginLocked, actor: "faxline", summary: summary))
        }
        if let lockedUntil { throw AuthenticationError.locked(until: lockedUntil) }
    }
}

/// A hash of a random password at the hasher's cost, checked against when there is no real
/// one, so that a missing user takes as long as a wrong password. Made at the first need.
private final class DecoyHash: Sendable {
    private let hasher: any PasswordHasher
    private let cached = Mutex<String?>(nil)

    init(hasher: any PasswordHasher) {
        self.hasher = hasher
    }

    func hash() async -> String {
        if let hash = cached.withLock({ $0 }) { return hash }
        let hash = await hasher.hash(APITokenSecret.generate())
        cached.withLock { $0 = $0 ?? hash }
        return hash
    }
}
