import FaxCore
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Per-token request rate ([web] rate_limit and rate_burst): each token (or signed-in user) has
/// its own bucket; an empty bucket gets 429 with Retry-After.
final class RateLimiter: Sendable {
    let rate: Double
    let burst: Double
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let clock: @Sendable () -> Double

    init(rate: Double, burst: Int, clock: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.rate = rate
        self.burst = Double(burst)
        self.clock = clock
    }

    /// 0 when the request may go ahead, else the seconds to wait.
    func admit(_ key: String) -> Double {
        let now = clock()
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? TokenBucket(rate: rate, capacity: burst, now: now)
            let wait = bucket.take(now: now)
            buckets[key] = bucket
            // Full buckets are as good as new ones: drop them so idle tokens cost no memory.
            if buckets.count > 10_000 { buckets = buckets.filter { !$0.value.isFull(at: now) } }
            return wait
        }
    }

    static let monotonicSeconds: @Sendable () -> Double = {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    var rateText: String { rate == rate.rounded() ? String(Int(rate)) : String(format: "%.1f", rate) }

    static func key(for principal: Principal) -> String {
        switch principal.credential {
        case .token(let id, _): "token:\(id)"
        case .password: "user:\(principal.user.id ?? 0)"
        }
    }
}

struct RateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let principal = RequestPrincipal.current else { return try await next(request, context) }
        let wait = limiter.admit(RateLimiter.key(for: principal))
        guard wait == 0 else {
            let seconds = max(1, Int(wait.rounded(.up)))
            var headers = HTTPFields()
            headers[.retryAfter] = String(seconds)
            throw APIProblem(
                .tooManyRequests,
                "this token sent more than \(Int(limiter.burst)) requests at once or \(limiter.rateText) a second; try again in \(seconds) s",
                headers: headers)
        }
        return try await next(request, context)
    }
}
