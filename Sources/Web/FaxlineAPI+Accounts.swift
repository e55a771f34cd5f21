import Accounts
import FaxCore
import Foundation

extension FaxlineAPI {
    // MARK: - Users

    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        _ = try principal(allowedTo: .administer(.users))
        return .ok(.init(body: .json(try await services.accounts.users().map(Components.Schemas.User.init))))
    }

    func addUser(_ input: Operations.AddUser.Input) async throws -> Operations.AddUser.Output {
        let principal = try principal(allowedTo: .administer(.users))
        guard case .json(let new) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let user = try User(
            name: User.loginName(new.name), displayName: new.displayName ?? "", email: new.email, isAdmin: new.admin ?? false,
            isEnabled: new.enabled ?? true, deviceExtensions: new.devices ?? [], createdAt: now())
        let stored = try await accountAdministration.addUser(user, password: new.password, actor: Self.actor(principal))
        return .created(.init(body: .json(.init(stored))))
    }

    func getUser(_ input: Operations.GetUser.Input) async throws -> Operations.GetUser.Output {
        _ = try principal(allowedTo: .administer(.users))
        return .ok(.init(body: .json(.init(try await existingUser(input.path.userName)))))
    }

    func changeUser(_ input: Operations.ChangeUser.Input) async throws -> Operations.ChangeUser.Output {
        let principal = try principal(allowedTo: .administer(.users))
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let name = try await existingUser(input.path.userName).name
        let changes = User.Changes(
            displayName: body.displayName, email: body.email, isAdmin: body.admin, isEnabled: body.enabled,
            addDevices: body.addDevices ?? [], removeDevices: body.removeDevices ?? [])
        try AccountAdministration.refuseSelfLockout(by: principal.user, of: name, changes)
        let changed = try await accountAdministration.changeUser(name: name, changes, actor: Self.actor(principal), at: now())
        return .ok(.init(body: .json(.init(changed))))
    }

    func removeUser(_ input: Operations.RemoveUser.Input) async throws -> Operations.RemoveUser.Output {
        let principal = try principal(allowedTo: .administer(.users))
        let name = try await existingUser(input.path.userName).name
        try AccountAdministration.refuseSelfLockout(by: principal.user, of: name, nil)
        try await accountAdministration.removeUser(name: name, actor: Self.actor(principal), at: now())
        return .noContent(.init())
    }

    private func existingUser(_ name: String) async throws -> User {
        guard let user = try await services.accounts.user(name: User.loginName(name)) else { throw APIProblem.notFound("user \(name)") }
        return user
    }

    // MARK: - Tokens

    func listTokens(_ input: Operations.ListTokens.Input) async throws -> Operations.ListTokens.Output {
        let principal = try RequestPrincipal.required()
        let userName: String?
        if let asked = input.query.user.map(User.loginName), asked != principal.user.name {
            _ = try self.principal(allowedTo: .administer(.tokens))
            userName = asked
        } else if input.query.user == nil, principal.user.isAdmin, principal.scope == .admin {
            userName = nil
        } else {
            _ = try self.principal(allowedTo: .ownAccount(.manageTokens))
            userName = principal.user.name
        }
        let tokens = try await accountAdministration.tokens(userName: userName)
        let now = now()
        return .ok(.init(body: .json(tokens.map { Components.Schemas.Token($0, now: now) })))
    }

    func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        let principal = try RequestPrincipal.required()
        guard case .json(let new) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let owner = new.user.map(User.loginName) ?? principal.user.name
        let scope = new.scope.model
        if case .denied(let denial) = AccessPolicy.decideTokenCreation(principal, owner: owner, scope: scope) {
            throw APIProblem.forbidden(denial)
        }
        let now = now()
        let expiresAt = try APIToken.expiry(days: new.expiresInDays ?? APIToken.defaultLifetimeDays, from: now, field: "expiresInDays")
        let issued = try await accountAdministration.createToken(
            userName: owner, scope: scope, label: new.label ?? "", expiresAt: expiresAt, actor: Self.actor(principal), at: now)
        return .created(.init(body: .json(.init(token: .init(issued.token, now: now), text: issued.text))))
    }

    func revokeToken(_ input: Operations.RevokeToken.Input) async throws -> Operations.RevokeToken.Output {
        let principal = try RequestPrincipal.required()
        guard let token = try await services.accounts.token(id: input.path.tokenId) else {
            throw APIProblem.notFound("API token \(input.path.tokenId)")
        }
        _ = try self.principal(allowedTo: token.userID == principal.user.id ? .ownAccount(.manageTokens) : .administer(.tokens))
        let revoked = try await accountAdministration.revokeToken(id: input.path.tokenId, actor: Self.actor(principal), at: now())
        return .ok(.init(body: .json(.init(revoked, now: now()))))
    }
}
