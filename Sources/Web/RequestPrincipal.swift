import FaxCore

/// Who the current request acts for, set by the authentication middleware for the handlers it
/// runs (the generated API handlers get no request context, so the principal travels with the
/// task).
public enum RequestPrincipal {
    @TaskLocal public static var current: Principal?

    /// The principal, or a 401 when the request was not authenticated.
    static func required() throws -> Principal {
        guard let principal = current else { throw APIProblem.unauthorized("this needs an API token: Authorization: Bearer fxl_…") }
        return principal
    }
}
