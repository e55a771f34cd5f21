/// Who is asking: a user, and how they proved it. Made by the authenticator (sign-in, token);
/// the access rules (`AccessPolicy`) decide what it may do.
public struct Principal: Sendable, Equatable {
    public enum Credential: Sendable, Equatable {
        /// Signed in with the password: a web session, SMTP AUTH, HTTP basic. All the user's
        /// rights.
        case password
        /// An API token: the user's rights, cut down to the token's scope.
        case token(id: Int64, scope: TokenScope)
    }

    public var user: User
    public var credential: Credential

    public init(user: User, credential: Credential) {
        self.user = user
        self.credential = credential
    }

    /// The scope the principal acts with: a password counts as the widest.
    public var scope: TokenScope {
        switch credential {
        case .password: .admin
        case .token(_, let scope): scope
        }
    }
}
