import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// One user, for administrators: change their address, devices and role; disable or enable;
/// set a new password (the app's "forgot password"); lift a sign-in lock; remove; and their API
/// tokens — list, create (the token shown once, on the answer to the form), revoke. Every
/// change goes through `AccountAdministration` and `AccessPolicy` as in the API, and is
/// audited as `admin (web)`.
struct UserPage: Sendable {
    let app: WebApp

    static func href(_ name: String) -> String { "/admin/users/" + name }

    struct Token {
        var id: Int64
        var scope: String
        var label: String
        var state: String
        var tone: String
        var created: String
        var expires: String
        var lastUsed: String
        var isRevocable: Bool
    }

    /// A token just made: its text is in this answer and nowhere else.
    struct IssuedToken {
        var id: Int64
        var text: String
    }

    struct Model {
        var chrome: Chrome
        var href: String
        var notice: String?
        var message: String?
        var issued: IssuedToken?
        var name: String
        var displayName: String
        var email: String
        var isAdmin: Bool
        var isEnabled: Bool
        var isSelf: Bool
        var password: String
        var created: String
        var lastSignIn: String
        var lockedUntil: String?
        var devices: [PeoplePages.Choice]
        var tokens: [Token]
        var hasTokens: Bool
        var scopes: [PeoplePages.Option]
        var defaultLifetimeDays: Int
        var maximumLifetimeDays: Int
        var minimumPassword: Int
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/admin/users/:name") { request, context in try await show(request, context: context) }
        router.post("/admin/users/:name") { request, context in try await change(request, context: context) }
        router.post("/admin/users/:name/enable") { request, context in try await setEnabled(true, request, context: context) }
        router.post("/admin/users/:name/disable") { request, context in try await setEnabled(false, request, context: context) }
        router.post("/admin/users/:name/password") { request, context in try await setPassword(request, context: context) }
        router.post("/admin/users/:name/unlock") { request, context in try await unlock(request, context: context) }
        router.post("/admin/users/:name/remove") { request, context in try await remove(request, context: context) }
        router.post("/admin/users/:name/tokens") { request, context in try await createToken(request, context: context) }
        router.post("/admin/users/:name/tokens/:id/revoke") { request, context in try await revokeToken(request, context: context) }
    }

    private var accounts: AccountAdministration { AccountAdministration(store: app.services.accounts) }

    private func user(_ context: WebRequestContext) async throws -> User {
        let name = User.loginName(try context.parameters.require("name"))
        guard let user = try await app.services.accounts.user(name: name) else { throw WebPageError.notFound("User \(name)") }
        return user
    }

    /// The posted form of an administrator, and the user it is about.
    private func posted(_ request: Request, context: WebRequestContext, _ area: AdministrationArea = .users)
        async throws -> (WebForm, WebSessions.SignedIn, User)
    {
        let (form, session) = try await WebForm.posted(request, context: context)
        try WebApp.require(session, .administer(area))
        return (form, session, try await user(context))
    }

    private func show(_ request: Request, context: WebRequestContext) async throws -> Response {
        let session = try PeoplePages.administrator(context, .users)
        let notice: String? = switch WebForm(query: request)["done"] {
        case "added": "The user was added."
        case "changed": "Saved."
        case "enabled": "The user may sign in and use their tokens again."
        case "disabled": "The user is disabled: no sign-in, their tokens are refused (and kept)."
        case "password": "The new password is set. Tell the user; it works from now on."
        case "unlocked": "Sign-ins for this user are unlocked."
        case "revoked": "The token is revoked: it is refused from now on."
        default: nil
        }
        return try await page(try await user(context), session, notice: notice)
    }

    private func change(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session, user) = try await posted(request, context: context)
        let chosen = Set(form.all("device"))
        let owned = Set(user.deviceExtensions)
        let changes = User.Changes(
            displayName: form["display_name"].map { $0.trimmingCharacters(in: .whitespaces) }, email: form.text("email") ?? "",
            isAdmin: form.flag("admin"), addDevices: chosen.subtracting(owned).sorted(), removeDevices: owned.subtracting(chosen).sorted())
        return try await performing(user, session, done: "changed") {
            try AccountAdministration.refuseSelfLockout(by: session.principal.user, of: user.name, changes)
            _ = try await accounts.changeUser(name: user.name, changes, actor: WebApp.actor(session), at: app.now())
        }
    }

    private func setEnabled(_ enabled: Bool, _ request: Request, context: WebRequestContext) async throws -> Response {
        let (_, session, user) = try await posted(request, context: context)
        let changes = User.Changes(isEnabled: enabled)
        return try await performing(user, session, done: enabled ? "enabled" : "disabled") {
            try AccountAdministration.refuseSelfLockout(by: session.principal.user, of: user.name, changes)
            _ = try await accounts.changeUser(name: user.name, changes, actor: WebApp.actor(session), at: app.now())
        }
    }

    private func setPassword(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session, user) = try await posted(request, context: context)
        let password = form["password"] ?? ""
        return try await performing(user, session, done: "password") {
            guard password == form["confirm"] ?? "" else {
                throw PeoplePages.Refusal(.unprocessableContent, "The two passwords differ; type the same one twice.")
            }
            try await accounts.setPassword(name: user.name, to: password, actor: WebApp.actor(session), at: app.now())
        }
    }

    private func unlock(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (_, session, user) = try await posted(request, context: context)
        return try await performing(user, session, done: "unlocked") {
            try await accounts.unlock(.user(user.name), actor: WebApp.actor(session), at: app.now())
        }
    }

    private func remove(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session, user) = try await posted(request, context: context)
        do {
            guard form.flag("confirm") else {
                throw PeoplePages.Refusal(.unprocessableContent, "Tick the box to confirm that \(user.name) is to be removed.")
            }
            try AccountAdministration.refuseSelfLockout(by: session.principal.user, of: user.name, nil)
            try await accounts.removeUser(name: user.name, actor: WebApp.actor(session), at: app.now())
            return WebApp.redirect("/admin/users?done=removed")
        } catch {
            return try await page(user, session, refusal: try PeoplePages.Refusal.from(error))
        }
    }

    private func createToken(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session, user) = try await posted(request, context: context, .tokens)
        do {
            guard let scope = form["scope"].flatMap(TokenScope.init(rawValue:)) else {
                throw PeoplePages.Refusal(.unprocessableContent, "Choose a scope: read, send or admin.")
            }
            if case .denied(let denial) = AccessPolicy.decideTokenCreation(session.principal, owner: user.name, scope: scope) {
                throw WebPageError.forbidden(denial)
            }
            let text = form.text("expires_days") ?? "\(APIToken.defaultLifetimeDays)"
            guard let days = Int(text) else {
                throw PeoplePages.Refusal(.unprocessableContent, "Expires after: \(text) is not a number of days (0: never).")
            }
            let now = app.now()
            let issued = try await accounts.createToken(
                userName: user.name, scope: scope, label: form.text("label") ?? "", expiresAt: try APIToken.expiry(days: days, from: now),
                actor: WebApp.actor(session), at: now)
            let shown = IssuedToken(id: issued.token.id ?? 0, text: issued.text)
            return try await page(user, session, notice: "Token \(shown.id) was created. Copy it now: it is shown only this once.", issued: shown)
        } catch let error as WebPageError {
            throw error
        } catch {
            return try await page(user, session, refusal: try PeoplePages.Refusal.from(error))
        }
    }

    private func revokeToken(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (_, session, user) = try await posted(request, context: context, .tokens)
        let text = try context.parameters.require("id")
        guard let id = Int64(text), let token = try await app.services.accounts.token(id: id), token.userID == user.id else {
            throw WebPageError.notFound("API token \(text) of \(user.name)")
        }
        return try await performing(user, session, done: "revoked") {
            _ = try await accounts.revokeToken(id: id, actor: WebApp.actor(session), at: app.now())
        }
    }

    /// Runs a change; then back to the user's page with `done`, or the page with the refusal.
    private func performing(_ user: User, _ session: WebSessions.SignedIn, done: String, _ change: () async throws -> Void)
        async throws -> Response
    {
        do {
            try await change()
            return WebApp.redirect(Self.href(user.name) + "?done=" + done)
        } catch {
            return try await page(user, session, refusal: try PeoplePages.Refusal.from(error))
        }
    }

    private func page(
        _ stale: User, _ session: WebSessions.SignedIn, notice: String? = nil, refusal: PeoplePages.Refusal? = nil, issued: IssuedToken? = nil
    ) async throws -> Response {
        // Read again: the page shows the user as stored after (or without) the change.
        let user = try await app.services.accounts.user(name: stale.name) ?? stale
        let now = app.now()
        let devices = try await app.services.administration.devices()
        let tokens = try await accounts.tokens(userName: user.name)
        let lock = try await accounts.loginLock(name: user.name, at: now)
        let model = Model(
            chrome: Chrome(title: "User \(user.name)", session: session, current: PeoplePages.section), href: Self.href(user.name),
            notice: notice, message: refusal?.message, issued: issued, name: user.name, displayName: user.displayName, email: user.email,
            isAdmin: user.isAdmin, isEnabled: user.isEnabled, isSelf: user.name == session.principal.user.name,
            password: user.hasPassword ? "set" : "none: signs in only with tokens", created: WebDisplay.time(user.createdAt),
            lastSignIn: PeoplePages.time(user.lastLoginAt), lockedUntil: lock.map(WebDisplay.time),
            devices: devices.map { device in
                PeoplePages.Choice(id: "device-\(device.extensionNumber)", value: device.extensionNumber,
                                   label: "\(device.extensionNumber) · \(device.name)", checked: user.deviceExtensions.contains(device.extensionNumber))
            },
            tokens: tokens.map { token in
                let state = token.state(at: now)
                return Token(
                    id: token.id ?? 0, scope: token.scope.rawValue, label: token.label, state: state,
                    tone: state == "active" ? "good" : "plain", created: WebDisplay.time(token.createdAt),
                    expires: token.expiresAt.map(WebDisplay.time) ?? "never", lastUsed: PeoplePages.time(token.lastUsedAt),
                    isRevocable: token.revokedAt == nil)
            },
            hasTokens: !tokens.isEmpty,
            scopes: TokenScope.allCases.map { PeoplePages.Option(value: $0.rawValue, label: $0.rawValue, selected: $0 == .send) },
            defaultLifetimeDays: APIToken.defaultLifetimeDays, maximumLifetimeDays: APIToken.maximumLifetimeDays,
            minimumPassword: PasswordRules.minimumLength)
        return app.renderer.page("user", model, status: refusal?.status ?? .ok)
    }
}
