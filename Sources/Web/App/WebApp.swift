import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The web app: server-rendered pages for people (inbox, a fax, send, outbox, monitor) next to
/// the REST API, on the same listener and the same `APIServices`. Every page asks
/// `AccessPolicy` as the API does; a browser signs in with the user's password
/// (`Authenticator`, with its lockout) and gets a session cookie (`WebSessions`).
struct WebApp: Sendable {
    static let sessionCookie = "faxline_session"
    /// Before sign-in, the sign-in form's token is this cookie's value (double submit).
    static let signInCookie = "faxline_signin"

    let services: APIServices
    let authenticator: Authenticator
    let sessions: WebSessions
    let renderer: PageRenderer
    let previews: PagePreviews
    let usesTLS: Bool
    let maximumUploadBytes: Int
    let now: @Sendable () -> Date
    let logger: Logger

    init(services: APIServices, usesTLS: Bool, maximumUploadBytes: Int, logger: Logger, now: @escaping @Sendable () -> Date) throws {
        self.services = services
        authenticator = Authenticator(store: services.accounts, logger: logger)
        sessions = WebSessions(store: services.accounts, authenticator: authenticator)
        renderer = try PageRenderer()
        previews = PagePreviews(directory: services.faxes.previewDirectory)
        self.usesTLS = usesTLS
        self.maximumUploadBytes = maximumUploadBytes
        self.now = now
        self.logger = logger
    }

    func register(on router: Router<WebRequestContext>) {
        let pages = router.group()
        pages.add(middleware: WebAppMiddleware(app: self))
        pages.add(middleware: UploadLimitMiddleware(limit: maximumUploadBytes))
        StaticAssets.register(on: pages)
        SignInPage(app: self).register(on: pages)
        InboxPage(app: self).register(on: pages)
        FaxPage(app: self).register(on: pages)
        SendPage(app: self).register(on: pages)
        JobsPage(app: self).register(on: pages)
        ContactsPage(app: self).register(on: pages)
        MonitorPage(app: self).register(on: pages)
        AdminPage(app: self).register(on: pages)
        DevicesPage(app: self).register(on: pages)
        RoutesPage(app: self).register(on: pages)
        GroupsPage(app: self).register(on: pages)
        UsersPage(app: self).register(on: pages)
        UserPage(app: self).register(on: pages)
        WebhooksPage(app: self).register(on: pages)
        AuditPage(app: self).register(on: pages)
    }

    /// A 303 to `location` (after a form: the browser then GETs it).
    static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// Who an audit entry names for a request from the web app.
    static func actor(_ session: WebSessions.SignedIn) -> String { "\(session.principal.user.name) (web)" }

    /// Throws 403 unless the session's user may do `request`.
    static func require(_ session: WebSessions.SignedIn, _ request: AccessRequest) throws {
        if case .denied(let denial) = AccessPolicy.decide(session.principal, request) { throw WebPageError.forbidden(denial) }
    }

    /// Makes a cookie; `nil` value clears it. Secure when the client used TLS (to us, or to a
    /// trusted proxy that says so).
    func cookie(_ name: String, value: String?, expires: Date? = nil, context: WebRequestContext) -> Cookie {
        let secure = context.isSecure || usesTLS
        // Values are base64url from our own generator, always valid; `validated` only guards that.
        return (try? Cookie.validated(
            name: name, value: value ?? "", expires: value == nil ? Date(timeIntervalSince1970: 0) : expires, path: "/",
            secure: secure, httpOnly: true, sameSite: .strict))
            ?? Cookie(name: name, value: "", expires: Date(timeIntervalSince1970: 0), path: "/", secure: secure, httpOnly: true)
    }
}
