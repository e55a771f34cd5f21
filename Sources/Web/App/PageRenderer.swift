import Accounts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Mustache

/// Renders the web app's pages: the Mustache templates of `PageTemplates`, each filling the
/// `main` block of the one layout (`{{<layout}}…{{/layout}}`). Values are HTML-escaped by
/// Mustache; no template uses triple braces.
struct PageRenderer: Sendable {
    private let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (name, text) in PageTemplates.all { try library.register(text, named: name) }
        self.library = library
    }

    /// The page as a response; never cached (it shows the user's data and the form token).
    func page(_ template: String, _ model: Any, status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(model, withTemplate: template) ?? "template \(template) is missing"
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// The page for an error: its status, a heading and the detail.
    func errorPage(status: HTTPResponse.Status, detail: String, session: WebSessions.SignedIn?) -> Response {
        struct ErrorModel {
            var chrome: Chrome
            var heading: String
            var detail: String
        }
        let heading = "\(status.code) \(status.reasonPhrase)"
        return page("error", ErrorModel(chrome: Chrome(title: heading, session: session, current: nil), heading: heading, detail: detail),
                    status: status)
    }
}

/// What the layout shows around every page: the title, the navigation, who is signed in, and
/// the form token of the sign-out form.
struct Chrome {
    struct NavItem {
        var label: String
        var href: String
        var current: Bool
    }

    enum Section: String, CaseIterable {
        case inbox, send, jobs, contacts, monitor, admin
    }

    var title: String
    var userName: String?
    var isAdmin: Bool
    var formToken: String
    var nav: [NavItem]

    init(title: String, session: WebSessions.SignedIn?, current: Section?) {
        self.title = title
        userName = session.map { $0.principal.user.displayName.isEmpty ? $0.principal.user.name : $0.principal.user.displayName }
        isAdmin = session?.principal.user.isAdmin ?? false
        formToken = session?.formToken ?? ""
        nav = [
            NavItem(label: "Inbox", href: "/inbox", current: current == .inbox),
            NavItem(label: "Send", href: "/send", current: current == .send),
            NavItem(label: "Outbox", href: "/jobs", current: current == .jobs),
            NavItem(label: "Contacts", href: ContactsPage.href, current: current == .contacts),
            NavItem(label: "Monitor", href: "/monitor", current: current == .monitor),
        ]
        if isAdmin { nav.append(NavItem(label: "Admin", href: AdminPage.path, current: current == .admin)) }
    }
}
