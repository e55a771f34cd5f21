import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// `Authorization: Bearer fxl_…` → the token's principal, for the handlers below
/// (`RequestPrincipal.current`). Everything but the listed public paths needs a valid token.
struct TokenAuthenticationMiddleware<Context: RequestContext>: RouterMiddleware {
    let authenticator: Authenticator
    let publicPaths: Set<String>
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if publicPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw APIProblem.unauthorized("this needs an API token: send Authorization: Bearer fxl_…")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIProblem.unauthorized("the Authorization header must be Bearer followed by an API token")
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard let principal = try await authenticator.verifyToken(token, at: now()) else {
            throw APIProblem.unauthorized("the API token is not valid: wrong, expired or revoked, or its user is disabled")
        }
        var context = context
        context.logger[metadataKey: "user"] = "\(principal.user.name)"
        return try await RequestPrincipal.$current.withValue(principal) {
            try await next(request, context)
        }
    }
}
