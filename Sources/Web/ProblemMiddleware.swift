import Hummingbird
import Logging

/// Turns every error thrown below it into RFC 9457 problem details, and logs the ones that are
/// the server's fault with what they were.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = APIProblem(from: error)
            if problem.status.code >= 500 {
                context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            }
            return problem.response(instance: request.uri.path)
        }
    }
}
