import Crypto
import FaxCore
import Foundation

/// Signed-in sessions of the web app: the cookie's secret is 32 random bytes, stored only as
/// their SHA-256, for `lifetime` from the sign-in (no sliding: a stolen cookie ends too). The
/// user is read again on every request (`Authenticator.sessionPrincipal`), so disabling a user
/// or taking a device away takes effect at once. The form token (CSRF) is derived from the
/// secret: it needs no storage and tells nothing about the secret.
public struct WebSessions: Sendable {
    public static let defaultLifetime: TimeInterval = 12 * 3600

    private let store: any AccountStore
    private let authenticator: Authenticator
    public let lifetime: TimeInterval

    public init(store: any AccountStore, authenticator: Authenticator, lifetime: TimeInterval = Self.defaultLifetime) {
        self.store = store
        self.authenticator = authenticator
        self.lifetime = lifetime
    }

    /// A signed-in session: who, and the token its forms carry.
    public struct SignedIn: Sendable {
        public var principal: Principal
        public var formToken: String
        public var expiresAt: Date
    }

    /// Starts a session for a principal the authenticator let in; returns the cookie's value.
    public func start(for principal: Principal, at now: Date) async throws -> (secret: String, expiresAt: Date) {
        guard let userID = principal.user.id else { throw RepositoryError.notFound("user \(principal.user.name)") }
        let secret = APITokenSecret.generate()
        let expiresAt = now.addingTimeInterval(lifetime)
        try await store.addSession(WebSession(userID: userID, createdAt: now, expiresAt: expiresAt), secretHash: APITokenSecret.hash(secret))
        return (secret, expiresAt)
    }

    /// The session of a cookie's value at `now`, or `nil` when it is unknown, expired, or its
    /// user is disabled or gone.
    public func signedIn(secret: String, at now: Date) async throws -> SignedIn? {
        guard secret.utf8.count <= 128, let session = try await store.session(secretHash: APITokenSecret.hash(secret)),
              session.expiresAt > now, let principal = try await authenticator.sessionPrincipal(userID: session.userID)
        else { return nil }
        return SignedIn(principal: principal, formToken: Self.formToken(secret: secret), expiresAt: session.expiresAt)
    }

    /// Signs out: the session is forgotten (the cookie is worth nothing after).
    public func end(secret: String) async throws {
        try await store.removeSession(secretHash: APITokenSecret.hash(secret))
    }

    /// The form token of a session's secret.
    static func formToken(secret: String) -> String {
        Data(SHA256.hash(data: Data(("faxline-form:" + secret).utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Whether a submitted form token is the session's, compared in constant time.
    public static func formTokenMatches(_ given: String?, _ expected: String) -> Bool {
        guard let given else { return false }
        return Secret(expected).matches(given)
    }
}
