import Foundation

/// A stored token with the SHA-256 hash of its secret: what verification compares against.
public struct APITokenCredential: Sendable, Equatable {
    public var token: APIToken
    public var secretHash: [UInt8]
    /// The token's user, read with it: every API request verifies a token, and one read of
    /// the store is half the wait of two.
    public var user: User?

    public init(token: APIToken, secretHash: [UInt8], user: User?) {
        self.token = token
        self.secretHash = secretHash
        self.user = user
    }
}

/// The store side of API tokens. A token belongs to one user and goes with them.
public protocol APITokenRepository: Sendable {
    /// Stores a new token with the hash of its secret (32 bytes) and returns it with its id.
    /// Throws `RepositoryError.notFound` if its user does not exist.
    func addToken(_ token: APIToken, secretHash: [UInt8]) async throws -> APIToken
    func token(id: Int64) async throws -> APIToken?
    func tokenCredential(id: Int64) async throws -> APITokenCredential?
    /// Newest first; every user's when `userID` is `nil`.
    func tokens(userID: Int64?) async throws -> [APIToken]
    /// Marks the token revoked at `now` (it stays listed) and returns it; a token revoked
    /// before keeps its first revocation time.
    func revokeToken(id: Int64, at now: Date) async throws -> APIToken
    func recordTokenUse(id: Int64, at now: Date) async throws
}
