import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// The users, for administrators: every user with their address, devices, role, state and last
/// sign-in, and a form to add one. Adding goes through `AccountAdministration`, as the API and
/// `faxline users add` do (the same checks, bcrypt, the same audit entry).
struct UsersPage: Sendable {
    let app: WebApp

    struct Row {
        var href: String
        var name: String
        var displayName: String
        var email: String
        var isAdmin: Bool
        var devices: String
        var isEnabled: Bool
        var password: String
        var lastSignIn: String
    }

    /// What the add form holds (again, after a refusal; never the password).
    struct NewUser {
        var name = ""
        var displayName = ""
        var email = ""
        var isAdmin = false
        var devices: [String] = []
    }

    struct Model {
        var chrome: Chrome
        var notice: String?
        var message: String?
        var count: String
        var users: [Row]
        var new: NewUser
        var devices: [PeoplePages.Choice]
        var minimumPassword: Int
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/admin/users") { request, context in try await list(request, context: context) }
        router.post("/admin/users") { request, context in try await add(request, context: context) }
    }

    private func list(_ request: Request, context: WebRequestContext) async throws -> Response {
        let session = try PeoplePages.administrator(context, .users)
        let notice: String? = switch WebForm(query: request)["done"] {
        case "removed": "The user was removed, with their tokens; their devices, faxes and jobs stay."
        default: nil
        }
        return try await page(session, notice: notice, refusal: nil, new: NewUser())
    }

    private func add(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session) = try await WebForm.posted(request, context: context)
        try WebApp.require(session, .administer(.users))
        let new = NewUser(
            name: User.loginName(form["name"] ?? ""), displayName: form.text("display_name") ?? "", email: form.text("email") ?? "",
            isAdmin: form.flag("admin"), devices: form.all("device"))
        do {
            let user = try User(
                name: new.name, displayName: new.displayName, email: new.email, isAdmin: new.isAdmin, deviceExtensions: new.devices,
                createdAt: app.now())
            let password = form["password"].flatMap { $0.isEmpty ? nil : $0 }
            let stored = try await AccountAdministration(store: app.services.accounts).addUser(user, password: password, actor: WebApp.actor(session))
            return WebApp.redirect(UserPage.href(stored.name) + "?done=added")
        } catch {
            return try await page(session, notice: nil, refusal: try PeoplePages.Refusal.from(error), new: new)
        }
    }

    private func page(_ session: WebSessions.SignedIn, notice: String?, refusal: PeoplePages.Refusal?, new: NewUser) async throws -> Response {
        let users = try await app.services.accounts.users()
        let devices = try await app.services.administration.devices()
        let model = Model(
            chrome: Chrome(title: "Users", session: session, current: PeoplePages.section), notice: notice, message: refusal?.message,
            count: Plural.count(users.count, "user"),
            users: users.map { user in
                Row(href: UserPage.href(user.name), name: user.name, displayName: user.displayName, email: user.email, isAdmin: user.isAdmin,
                    devices: user.deviceExtensions.isEmpty ? "none" : user.deviceExtensions.joined(separator: ", "), isEnabled: user.isEnabled,
                    password: user.hasPassword ? "set" : "none (tokens only)", lastSignIn: PeoplePages.time(user.lastLoginAt))
            },
            new: new,
            devices: devices.map { device in
                PeoplePages.Choice(id: "device-\(device.extensionNumber)", value: device.extensionNumber,
                                   label: "\(device.extensionNumber) · \(device.name)", checked: new.devices.contains(device.extensionNumber))
            },
            minimumPassword: PasswordRules.minimumLength)
        return app.renderer.page("users", model, status: refusal?.status ?? .ok)
    }
}
