import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// Administration of inbound routing: the rules in the order they are tried (move up and down,
/// switch off, remove, add), the default route and the global switch — `FaxAdministration` as
/// the API's `/routes` uses it; `RoutingRule` and the store decide what is valid.
struct RoutesPage: Sendable {
    let app: WebApp

    struct Rule {
        var id: Int64
        var href: String
        var position: Int
        var did: String
        var caller: String
        var action: String
        var continues: Bool
        var enabled: Bool
        var description: String
        var canMoveUp: Bool
        var canMoveDown: Bool
    }

    /// The add form, as shown (after a refusal: as the user typed it).
    struct Fields {
        var did = ""
        var caller = ""
        var reject = false
        var targets: [DevicesPage.Option] = []
        var continues = false
        var description = ""
        var position = ""
        var enabled = true
    }

    struct Model {
        var chrome: Chrome
        var notice: String?
        var message: String?
        var faxingEnabled: Bool
        var disabledGroups: String?
        var rules: [Rule]
        var defaultRoute: String
        var defaults: [DevicesPage.Option]
        var fields: Fields
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/admin/routes") { request, context in try await list(request, context: context) }
        router.post("/admin/routes") { request, context in try await add(request, context: context) }
        router.post("/admin/routes/default") { request, context in try await changeDefault(request, context: context) }
        router.post("/admin/routes/:id/move") { request, context in try await move(request, context: context) }
        router.post("/admin/routes/:id/switch") { request, context in try await switchRule(request, context: context) }
        router.post("/admin/routes/:id/remove") { request, context in try await remove(request, context: context) }
    }

    private func list(_ request: Request, context: WebRequestContext) async throws -> Response {
        let session = try AdminPage.administrator(context, .routes)
        let notice: String? = switch WebForm(query: request)["done"] {
        case "added": "The rule was added."
        case "moved": "The rule was moved."
        case "switched": "The rule was switched."
        case "removed": "The rule was removed."
        case "default": "The default route and the switch were saved."
        default: nil
        }
        return try await page(session, notice: notice, message: nil, fields: nil, status: .ok)
    }

    private func page(
        _ session: WebSessions.SignedIn, notice: String?, message: String?, fields: Fields?, status: HTTPResponse.Status
    ) async throws -> Response {
        let table = try await app.services.administration.routingTable()
        let devices = try await app.services.administration.devices()
        let names = Dictionary(devices.map { ($0.extensionNumber, $0.name) }, uniquingKeysWith: { first, _ in first })
        func device(_ number: String) -> String { names[number].map { "\(number) (\($0))" } ?? number }
        var form = fields ?? Fields()
        let chosenTarget = fields?.targets.first(where: \.selected)?.value
        form.targets = devices.map { DevicesPage.Option(value: $0.extensionNumber, label: "\($0.extensionNumber) · \($0.name)",
                                                        selected: $0.extensionNumber == chosenTarget) }
        let model = Model(
            chrome: Chrome(title: "Routes", session: session, current: .admin), notice: notice, message: message,
            faxingEnabled: table.flags.globallyEnabled,
            disabledGroups: table.flags.disabledGroups.isEmpty ? nil : table.flags.disabledGroups.sorted().joined(separator: ", "),
            rules: table.rules.map { rule in
                let id = rule.id ?? 0
                return Rule(
                    id: id, href: "/admin/routes/\(id)", position: rule.position, did: rule.didPattern?.text ?? "*",
                    caller: rule.callerPattern?.text ?? "*", action: rule.targetExtension.map { "deliver to " + device($0) } ?? "reject",
                    continues: rule.continueAfterMatch, enabled: rule.isEnabled, description: rule.description,
                    canMoveUp: rule.position > 1, canMoveDown: rule.position < table.rules.count)
            },
            defaultRoute: table.defaultExtension.map { "deliver to " + device($0) } ?? "refuse the call",
            defaults: [DevicesPage.Option(value: "", label: "none: refuse the call", selected: table.defaultExtension == nil)]
                + devices.map { DevicesPage.Option(value: $0.extensionNumber, label: "\($0.extensionNumber) · \($0.name)",
                                                   selected: $0.extensionNumber == table.defaultExtension) },
            fields: form)
        return app.renderer.page("adminRoutes", model, status: status)
    }

    private func add(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session) = try await AdminPage.posted(request, context: context, .routes)
        var fields = Fields(
            did: form.text("did") ?? "", caller: form.text("caller") ?? "", reject: form["action"] == "reject",
            continues: form.flag("continue"), description: form.text("description") ?? "", position: form.text("position") ?? "",
            enabled: form.flag("enabled"))
        let target = form.text("to")
        fields.targets = target.map { [DevicesPage.Option(value: $0, label: $0, selected: true)] } ?? []
        do {
            var position = Int.max
            if !fields.position.isEmpty {
                guard let given = Int(fields.position) else {
                    throw FaxValidationError(field: "position", reason: "\"\(fields.position.prefix(20))\" is not a whole number")
                }
                position = given
            }
            let rule = try RoutingRule(
                position: position, didPattern: fields.did.isEmpty ? nil : DialPattern(fields.did),
                callerPattern: fields.caller.isEmpty ? nil : DialPattern(fields.caller),
                action: fields.reject ? .reject : .deliver(toExtension: target ?? ""), continueAfterMatch: fields.continues,
                isEnabled: fields.enabled, description: fields.description)
            _ = try await app.services.administration.addRule(rule, actor: WebApp.actor(session))
        } catch {
            let refusal = try AdminPage.refusal(error)
            return try await page(session, notice: nil, message: refusal.message, fields: fields, status: refusal.status)
        }
        return WebApp.redirect("/admin/routes?done=added")
    }

    private func rule(_ context: WebRequestContext) async throws -> RoutingRule {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), let rule = try await app.services.administration.routingTable().rules.first(where: { $0.id == id }) else {
            throw WebPageError.notFound("Routing rule \(text.prefix(20))")
        }
        return rule
    }

    /// One place up or down: the rule swaps with its neighbour (the store renumbers the rest).
    private func move(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session) = try await AdminPage.posted(request, context: context, .routes)
        let rule = try await rule(context)
        let position: Int
        switch form["direction"] {
        case "up": position = rule.position - 1
        case "down": position = rule.position + 1
        default: return try await page(session, notice: nil, message: "Move the rule up or down.", fields: nil, status: .badRequest)
        }
        do {
            _ = try await app.services.administration.changeRule(id: rule.id ?? 0, position: position, enabled: nil, actor: WebApp.actor(session))
        } catch {
            let refusal = try AdminPage.refusal(error)
            return try await page(session, notice: nil, message: refusal.message, fields: nil, status: refusal.status)
        }
        return WebApp.redirect("/admin/routes?done=moved")
    }

    private func switchRule(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session) = try await AdminPage.posted(request, context: context, .routes)
        let rule = try await rule(context)
        _ = try await app.services.administration.changeRule(
            id: rule.id ?? 0, position: nil, enabled: form.flag("enabled"), actor: WebApp.actor(session))
        return WebApp.redirect("/admin/routes?done=switched")
    }

    private func remove(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (_, session) = try await AdminPage.posted(request, context: context, .routes)
        let rule = try await rule(context)
        try await app.services.administration.removeRule(id: rule.id ?? 0, actor: WebApp.actor(session))
        return WebApp.redirect("/admin/routes?done=removed")
    }

    private func changeDefault(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session) = try await AdminPage.posted(request, context: context, .routes)
        do {
            let target = form.text("default")
            if let target { try FaxDevice.validateExtension(target) }
            try await app.services.administration.changeRouting(
                defaultExtension: .some(target), faxingEnabled: form.flag("faxing"), actor: WebApp.actor(session))
        } catch {
            let refusal = try AdminPage.refusal(error)
            return try await page(session, notice: nil, message: refusal.message, fields: nil, status: refusal.status)
        }
        return WebApp.redirect("/admin/routes?done=default")
    }
}
