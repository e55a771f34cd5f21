import Accounts
import FaxCore

/// Whose a new webhook or contact is: nobody's (a global webhook, a shared contact) or another
/// user's — both only where `othersNeed` is allowed — else the asker's own. The API and the web
/// app's pages decide it here.
enum RecordOwner {
    /// `nil`: nobody's. `nobodysName` says what such a record is, for the error.
    static func resolve(
        nobodys: Bool, userName: String?, for principal: Principal, accounts: any AccountStore, othersNeed request: AccessRequest,
        nobodysName: String
    ) async throws -> User? {
        if nobodys {
            guard userName == nil else { throw APIProblem.badRequest("\(nobodysName) has no user", field: "user") }
            try require(request, principal)
            return nil
        }
        guard let name = userName.map(User.loginName), name != principal.user.name else { return principal.user }
        try require(request, principal)
        guard let user = try await accounts.user(name: name) else { throw APIProblem.notFound("user \(name)") }
        return user
    }

    private static func require(_ request: AccessRequest, _ principal: Principal) throws {
        if case .denied(let denial) = AccessPolicy.decide(principal, request) { throw APIProblem.forbidden(denial) }
    }
}
