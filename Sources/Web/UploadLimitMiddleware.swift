import Hummingbird
import NIOCore

/// Refuses request bodies over the upload limit with 413: at once when Content-Length says so,
/// and while reading when the body is chunked (the body stream then throws, the handler stops,
/// and nothing half-read is kept).
struct UploadLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }) {
            guard length <= limit else { throw APIProblem.tooLarge(limit: limit) }
            return try await next(request, context)
        }
        guard request.method == .post || request.method == .put || request.method == .patch else {
            return try await next(request, context)
        }
        var limited = request
        let limit = self.limit
        limited.body = RequestBody(asyncSequence: LimitedBody(base: request.body, limit: limit))
        return try await next(limited, context)
    }
}

/// A body that throws the 413 problem once more than `limit` bytes have come.
struct LimitedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let limit: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: Int
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            seen += buffer.readableBytes
            if seen > limit { throw APIProblem.tooLarge(limit: limit) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit)
    }
}
