import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// The administrators' pages: an index linking to each area, and the configuration the server
/// runs with (read only, secrets masked). Devices, routes and groups have pages of their own;
/// every one asks `AccessPolicy` for `.administer(area)` and changes things only through
/// `FaxAdministration`, as the API's administration endpoints do.
struct AdminPage: Sendable {
    static let path = "/admin"
    let app: WebApp

    struct Link {
        var label: String
        var href: String
        var summary: String
    }

    struct IndexModel {
        var chrome: Chrome
        var links: [Link]
    }

    struct Setting {
        var key: String
        var value: String
        var isSecret: Bool
        var isEmpty: Bool
    }

    struct Section {
        var name: String
        var settings: [Setting]
    }

    struct ConfigurationModel {
        var chrome: Chrome
        var filePath: String
        var sections: [Section]
    }

    static let areas: [Link] = [
        Link(label: "Devices", href: "/admin/devices", summary: "Extensions, where their faxes are mailed, station ids, retention."),
        Link(label: "Routes", href: "/admin/routes", summary: "Which device takes a call, in order; the default route."),
        Link(label: "Groups and retention", href: "/admin/groups", summary: "Switch groups off, keep their faxes longer or not at all."),
        Link(label: "Users", href: "/admin/users", summary: "People, their devices and passwords; API tokens."),
        Link(label: "Webhooks", href: "/admin/webhooks", summary: "Where events are posted, and their deliveries."),
        Link(label: "Audit log", href: "/admin/audit", summary: "Who deleted, changed or signed in to what."),
        Link(label: "Configuration", href: "/admin/configuration", summary: "faxline.conf as the server runs with it (read only)."),
    ]

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/admin") { _, context in try index(context: context) }
        router.get("/admin/configuration") { _, context in try configuration(context: context) }
    }

    private func index(context: WebRequestContext) throws -> Response {
        let session = try context.requireSession()
        // The index only links: whoever may administer any area sees it.
        guard AdministrationArea.allCases.contains(where: { AccessPolicy.decide(session.principal, .administer($0)).isAllowed }) else {
            throw WebPageError.forbidden(.administratorsOnly)
        }
        return app.renderer.page("admin", IndexModel(chrome: Chrome(title: "Administration", session: session, current: .admin), links: Self.areas))
    }

    private func configuration(context: WebRequestContext) throws -> Response {
        let session = try Self.administrator(context, .configuration)
        let effective = app.services.administration.effectiveConfiguration
        var sections: [Section] = []
        for setting in effective.settings {
            let shown = Setting(
                key: setting.key, value: setting.shown, isSecret: { if case .secret = setting.value { true } else { false } }(),
                isEmpty: setting.shown.isEmpty)
            if sections.last?.name == setting.section {
                sections[sections.count - 1].settings.append(shown)
            } else {
                sections.append(Section(name: setting.section, settings: [shown]))
            }
        }
        return app.renderer.page("adminConfiguration", ConfigurationModel(
            chrome: Chrome(title: "Configuration", session: session, current: .admin), filePath: effective.filePath, sections: sections))
    }

    /// The signed-in user when they may administer `area`; 403 otherwise.
    static func administrator(_ context: WebRequestContext, _ area: AdministrationArea) throws -> WebSessions.SignedIn {
        let session = try context.requireSession()
        try WebApp.require(session, .administer(area))
        return session
    }

    /// A posted form of an administration page, refused without the form token or the right.
    static func posted(_ request: Request, context: WebRequestContext, _ area: AdministrationArea) async throws -> (WebForm, WebSessions.SignedIn) {
        let (form, session) = try await WebForm.posted(request, context: context)
        try WebApp.require(session, .administer(area))
        return (form, session)
    }

    /// What a form shows for a change the services refused for a reason a person can fix
    /// (the API's status and detail for it); anything else is the server's failure, rethrown.
    static func refusal(_ error: any Error) throws -> (status: HTTPResponse.Status, message: String) {
        let problem = APIProblem(from: error)
        guard (400..<500).contains(problem.status.code) else { throw error }
        return (problem.status, problem.detail.prefix(1).uppercased() + problem.detail.dropFirst())
    }

    /// A number of days from a form: blank is `nil`; anything else must be a whole number.
    static func days(_ text: String?, field: String) throws -> Int? {
        guard let text else { return nil }
        guard let days = Int(text) else { throw FaxValidationError(field: field, reason: "\"\(text.prefix(20))\" is not a whole number of days") }
        return days
    }
}
