import HTTPTypes
import OpenAPIRuntime

/// A request without Content-Type has no body the API can read: the handlers see none. (The
/// transport always hands a body over, empty or not, and an optional JSON body that is empty
/// would otherwise fail to decode.)
struct NoContentTypeMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        try await next(request, request.headerFields[.contentType] == nil ? nil : body, metadata)
    }
}
