import Accounts
import FaxCore

/// Whose a new webhook is: global, or another user's (both for administrators only), else the
/// asker's own. The API and the web app's webhook page both decide it here.
enum WebhookOwner {
    /// `nil`: global.
    static func resolve(global: Bool, userName: String?, for principal: Principal, accounts: any AccountStore) async throws -> User? {
        if global {
            guard userName == nil else { throw APIProblem.badRequest("a global webhook has no user", field: "user") }
            try requireAdministration(principal)
            return nil
        }
        guard let name = userName.map(User.loginName), name != principal.user.name else { return principal.user }
        try requireAdministration(principal)
        guard let user = try await accounts.user(name: name) else { throw APIProblem.notFound("user \(name)") }
        return user
    }

    private static func requireAdministration(_ principal: Principal) throws {
        if case .denied(let denial) = AccessPolicy.decide(principal, .administer(.webhooks)) { throw APIProblem.forbidden(denial) }
    }
}
