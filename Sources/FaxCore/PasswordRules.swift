/// What a password must be before it is stored.
public enum PasswordRules {
    public static let minimumLength = 10
    /// bcrypt reads only the first 72 bytes; a longer password would look stronger than it is.
    public static let maximumBytes = 72

    /// Throws a `FaxValidationError` (field "password") naming the rule broken.
    public static func validate(_ password: String, for user: User) throws {
        func refuse(_ reason: String) -> FaxValidationError { FaxValidationError(field: "password", reason: reason) }
        guard password.count >= minimumLength else {
            throw refuse("must be at least \(minimumLength) characters (it has \(password.count))")
        }
        guard password.utf8.count <= maximumBytes else {
            throw refuse("must be at most \(maximumBytes) bytes (it has \(password.utf8.count)); only that much counts")
        }
        guard !FieldRules.hasControlCharacters(password) else { throw refuse("must not contain control characters") }
        guard Set(password).count > 2 else { throw refuse("must not repeat one or two characters") }
        let lowered = password.lowercased()
        let local = user.email.split(separator: "@").first.map { String($0).lowercased() } ?? ""
        for taken in [user.name, user.email.lowercased(), local] where taken.count >= 3 && lowered.contains(taken) {
            throw refuse("must not contain the user's name or mail address")
        }
    }
}

/// Turns passwords into stored hashes and checks them. The hashing is slow on purpose; an
/// implementation runs it off the caller's executor.
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) async -> String
    /// Whether `password` matches `hash`, compared in constant time.
    func verify(_ password: String, against hash: String) async -> Bool
    /// Whether `hash` was made with weaker settings than this hasher's and should be replaced
    /// at the next successful sign-in.
    func needsRehash(_ hash: String) -> Bool
}
