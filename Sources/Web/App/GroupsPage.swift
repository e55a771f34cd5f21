import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// Administration of device groups and retention: the configured periods, and each group with
/// its switch, its retention override and its devices — `FaxAdministration` as the API's
/// `/groups` uses it. A group exists once a device is in it (the device page sets it).
struct GroupsPage: Sendable {
    let app: WebApp

    struct Group {
        var name: String
        var href: String
        var enabled: Bool
        var retention: String
        var retentionDays: String
        var zeroRetention: Bool
        var devices: String
        var message: String?
    }

    struct Model {
        var chrome: Chrome
        var notice: String?
        var policy: [DevicesPage.Detail]
        var minimumDays: Int
        var maximumDays: Int
        var groups: [Group]
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/admin/groups") { request, context in try await list(request, context: context) }
        router.post("/admin/groups/:group") { request, context in try await change(request, context: context) }
    }

    private func list(_ request: Request, context: WebRequestContext) async throws -> Response {
        let session = try AdminPage.administrator(context, .groups)
        let done = WebForm(query: request)["done"]
        return try await page(session, notice: done.map { "The group \($0) was saved." }, refused: nil, status: .ok)
    }

    /// `refused`: the group whose form comes back with the reason and what was typed.
    private func page(
        _ session: WebSessions.SignedIn, notice: String?, refused: (group: Group, message: String)?, status: HTTPResponse.Status
    ) async throws -> Response {
        let policy = app.services.administration.retentionPolicy
        let groups = try await app.services.administration.groups().map { group in
            if let refused, refused.group.name == group.name {
                var shown = refused.group
                shown.message = refused.message
                return shown
            }
            return Group(
                name: group.name, href: "/admin/groups/\(group.name)", enabled: group.isEnabled,
                retention: DevicesPage.retention(group.retention), retentionDays: group.retention?.days.map(String.init) ?? "",
                zeroRetention: group.retention?.zeroRetention ?? false,
                devices: group.deviceExtensions.isEmpty ? "none" : group.deviceExtensions.joined(separator: ", "))
        }
        let model = Model(
            chrome: Chrome(title: "Groups and retention", session: session, current: .admin), notice: notice,
            policy: [
                DevicesPage.Detail(label: "Received faxes", value: Plural.count(policy.receivedFaxDays, "day")),
                DevicesPage.Detail(label: "Sent faxes", value: Plural.count(policy.sentFaxDays, "day")),
                DevicesPage.Detail(label: "Other records", value: Plural.count(policy.finishedRecordDays, "day")),
                DevicesPage.Detail(label: "Temporary files", value: Plural.count(policy.temporaryFileHours, "hour")),
            ],
            minimumDays: RetentionPolicy.minimumDays, maximumDays: RetentionPolicy.maximumDays, groups: groups)
        return app.renderer.page("adminGroups", model, status: status)
    }

    private func change(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session) = try await AdminPage.posted(request, context: context, .groups)
        let name = try context.parameters.require("group")
        guard let group = try await app.services.administration.groups().first(where: { $0.name == name }) else {
            throw WebPageError.notFound("Group \(name.prefix(64))")
        }
        let typed = Group(
            name: group.name, href: "/admin/groups/\(group.name)", enabled: form.flag("enabled"),
            retention: DevicesPage.retention(group.retention), retentionDays: form.text("retention_days") ?? "",
            zeroRetention: form.flag("zero_retention"), devices: group.deviceExtensions.joined(separator: ", "))
        do {
            // Blank days go back to the default, as 0 does in the API.
            let days = try AdminPage.days(form.text("retention_days"), field: "retention days") ?? 0
            _ = try await app.services.administration.changeGroup(
                group.name, enabled: typed.enabled, retention: FaxlineAPI.retentionChange(days: days, zeroRetention: typed.zeroRetention),
                actor: WebApp.actor(session))
        } catch {
            let refusal = try AdminPage.refusal(error)
            return try await page(session, notice: nil, refused: (typed, refusal.message), status: refusal.status)
        }
        return WebApp.redirect("/admin/groups?" + WebForm.encode([("done", group.name)]))
    }
}
