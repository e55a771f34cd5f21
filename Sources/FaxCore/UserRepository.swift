import Foundation

/// The store side of users. Names are unique; a user's devices must exist.
public protocol UserRepository: Sendable {
    /// All users, by name.
    func users() async throws -> [User]
    func user(name: String) async throws -> User?
    func user(id: Int64) async throws -> User?
    /// Stores a new user with their devices and password hash (`nil`: token-only) and returns
    /// it with its id. Throws `RepositoryError.conflict` if the name is taken and
    /// `RepositoryError.notFound("fax device N")` for a device that does not exist.
    func addUser(_ user: User, passwordHash: String?) async throws -> User
    /// Replaces the stored user with the same id — fields and devices; not the password, not
    /// the last login. Same errors as `addUser`.
    func updateUser(_ user: User) async throws -> User
    /// Removes the user and their tokens; faxes and jobs stay.
    func removeUser(name: String) async throws
    func passwordHash(userID: Int64) async throws -> String?
    /// `nil` removes the password (the user keeps their tokens).
    func setPasswordHash(_ hash: String?, userID: Int64, at now: Date) async throws
    func recordLogin(userID: Int64, at now: Date) async throws
}
