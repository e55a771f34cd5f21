import Accounts
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// In front of every page: finds the signed-in session from its cookie, answers errors with
/// an HTML page (the API's mapping of errors to statuses), sends the unsigned-in to sign in,
/// and adds the security headers to every response.
struct WebAppMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    let app: WebApp

    /// Scripts and styles only from files of ours (no inline script, no eval); nothing may
    /// frame a page; forms post only here.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var response: Response
        do {
            if let secret = request.cookies[WebApp.sessionCookie]?.value, !secret.isEmpty {
                context.session = try await app.sessions.signedIn(secret: secret, at: app.now())
                if let user = context.session?.principal.user.name { context.logger[metadataKey: "user"] = "\(user)" }
            }
            response = try await next(request, context)
        } catch let redirect as WebRedirect {
            let back = request.method == .get ? "?" + WebForm.encode([("next", request.uri.description)]) : ""
            response = WebApp.redirect(redirect.location + (redirect.location == WebRedirect.signIn.location ? back : ""))
        } catch let error as WebPageError {
            response = app.renderer.errorPage(status: error.status, detail: error.detail, session: context.session)
        } catch {
            let problem = APIProblem(from: error)
            if problem.status.code >= 500 {
                context.logger.error("page failed", metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            }
            response = app.renderer.errorPage(status: problem.status, detail: problem.detail, session: context.session)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        if app.usesTLS { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        return response
    }
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
