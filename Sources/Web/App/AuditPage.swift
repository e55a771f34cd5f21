import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// The audit log, for administrators: newest first, 50 a page with keyset paging, filtered by
/// actor, action and a date range — what `faxline cleanup audit` and the API's `audit` show.
struct AuditPage: Sendable {
    let app: WebApp
    static let href = "/admin/audit"

    struct Row {
        var time: String
        var machineTime: String
        var action: String
        var tone: String
        var actor: String
        var summary: String
    }

    struct Model {
        var chrome: Chrome
        var actor: String
        var actions: [PeoplePages.Option]
        var since: String
        var until: String
        var filtered: Bool
        var empty: Bool
        var summary: String
        var entries: [Row]
        var firstHref: String?
        var nextHref: String?
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/admin/audit") { request, context in try await show(request, context: context) }
    }

    private func show(_ request: Request, context: WebRequestContext) async throws -> Response {
        let session = try PeoplePages.administrator(context, .auditLog)
        let query = WebForm(query: request)
        let actor = query.text("actor").map { String($0.prefix(100)) }
        let action = query.text("action").flatMap(AuditEntry.Kind.init(rawValue:))
        let since = query.text("since").flatMap(InboxPage.day)
        let until = query.text("until").flatMap(InboxPage.day)
        let cursor = query.text("cursor")
        let page = try await app.services.administration.auditPage(AuditQuery(
            limit: InboxPage.pageSize, cursor: cursor, actor: actor, kinds: action.map { [$0] } ?? [], since: since,
            until: until.map { $0.addingTimeInterval(86_400) }))
        let filters: [(String, String)] = [
            ("actor", actor ?? ""), ("action", action?.rawValue ?? ""),
            ("since", since == nil ? "" : query.text("since") ?? ""), ("until", until == nil ? "" : query.text("until") ?? ""),
        ].filter { !$0.1.isEmpty }
        let model = Model(
            chrome: Chrome(title: "Audit log", session: session, current: PeoplePages.section), actor: actor ?? "",
            actions: AuditEntry.Kind.allCases.map { PeoplePages.Option(value: $0.rawValue, label: $0.rawValue, selected: $0 == action) },
            since: since == nil ? "" : query.text("since") ?? "", until: until == nil ? "" : query.text("until") ?? "",
            filtered: !filters.isEmpty, empty: page.items.isEmpty,
            summary: page.items.isEmpty ? "" : (cursor == nil ? "Newest \(page.items.count)" : "\(page.items.count) older")
                + (page.nextCursor == nil ? "" : ", more below"),
            entries: page.items.map { entry in
                Row(time: WebDisplay.time(entry.at), machineTime: WebDisplay.machineTime(entry.at), action: entry.kind.rawValue,
                    tone: Self.tone(entry.kind), actor: entry.actor, summary: entry.summary)
            },
            firstHref: cursor == nil ? nil : Self.href + (filters.isEmpty ? "" : "?" + WebForm.encode(filters)),
            nextHref: page.nextCursor.map { Self.href + "?" + WebForm.encode(filters + [("cursor", $0)]) })
        return app.renderer.page("audit", model)
    }

    /// Deletions and locks stand out; the rest is plain.
    private static func tone(_ kind: AuditEntry.Kind) -> String {
        switch kind {
        case .manualDeletion, .userRemoved, .tokenRevoked, .webhookRemoved, .loginLocked, .deviceRemoved, .routeRemoved: "bad"
        case .userAdded, .tokenCreated, .webhookAdded, .deviceAdded, .routeAdded: "good"
        default: "plain"
        }
    }
}
