import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Sign in (name and password through the `Authenticator`, with its lockout) and sign out.
struct SignInPage: Sendable {
    let app: WebApp

    struct Model {
        var chrome: Chrome
        var formToken: String
        var next: String
        var name: String
        var message: String?
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/signin") { request, context in try await show(request, context: context) }
        router.post("/signin") { request, context in try await signIn(request, context: context) }
        router.post("/signout") { request, context in try await signOut(request, context: context) }
    }

    private func show(_ request: Request, context: WebRequestContext) async throws -> Response {
        if context.session != nil { return WebApp.redirect(Self.safeNext(WebForm(query: request)["next"])) }
        return page(next: WebForm(query: request)["next"] ?? "", name: "", message: nil, status: .ok, context: context)
    }

    /// The form with a fresh token, set as the sign-in cookie too: a form posted from another
    /// site has neither.
    private func page(next: String, name: String, message: String?, status: HTTPResponse.Status, context: WebRequestContext) -> Response {
        let token = UUID().uuidString.lowercased()
        var response = app.renderer.page(
            "signin", Model(chrome: Chrome(title: "Sign in", session: nil, current: nil), formToken: token, next: next, name: name, message: message),
            status: status)
        response.setCookie(app.cookie(WebApp.signInCookie, value: token, context: context))
        return response
    }

    private func signIn(_ request: Request, context: WebRequestContext) async throws -> Response {
        var request = request
        let form = WebForm(encoded: String(buffer: try await request.collectBody(upTo: WebForm.maximumBytes)))
        guard let expected = request.cookies[WebApp.signInCookie]?.value, !expected.isEmpty,
              WebSessions.formTokenMatches(form[WebForm.formTokenField], expected)
        else { throw WebPageError.formTokenMissing }
        let name = form.text("name") ?? ""
        let next = form["next"] ?? ""
        let principal: Principal
        do {
            principal = try await app.authenticator.authenticate(
                name: name, password: form["password"] ?? "", from: context.clientAddress, at: app.now())
        } catch let error as AuthenticationError {
            return page(next: next, name: name, message: Self.words(error), status: .unauthorized, context: context)
        }
        let (secret, expires) = try await app.sessions.start(for: principal, at: app.now())
        var response = WebApp.redirect(Self.safeNext(next))
        response.setCookie(app.cookie(WebApp.sessionCookie, value: secret, expires: expires, context: context))
        response.setCookie(app.cookie(WebApp.signInCookie, value: nil, context: context))
        return response
    }

    private func signOut(_ request: Request, context: WebRequestContext) async throws -> Response {
        _ = try await WebForm.posted(request, context: context)
        if let secret = request.cookies[WebApp.sessionCookie]?.value { try await app.sessions.end(secret: secret) }
        var response = WebApp.redirect("/signin")
        response.setCookie(app.cookie(WebApp.sessionCookie, value: nil, context: context))
        return response
    }

    /// The authenticator's own words, as a sentence.
    static func words(_ error: AuthenticationError) -> String {
        error.description.prefix(1).uppercased() + error.description.dropFirst() + "."
    }

    /// Only a path of this site (never `//host` or a scheme): no open redirect.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"), !next.contains("\r"), !next.contains("\n")
        else { return "/inbox" }
        return next
    }
}
