import FaxCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import Web

@Suite("REST API: per-token rate limit")
struct RateLimitTests {
    @Test("a token bucket: the burst at once, then one request per 1/rate seconds; never more than its capacity")
    func bucket() {
        var bucket = TokenBucket(rate: 2, capacity: 3, now: 100)
        #expect((0..<3).map { _ in bucket.take(now: 100) } == [0, 0, 0])
        #expect(bucket.take(now: 100) == 0.5)
        #expect(bucket.take(now: 100.25) == 0.25)
        #expect(bucket.take(now: 100.5) == 0)
        #expect(bucket.take(now: 100.5) == 0.5)
        #expect(bucket.isFull(at: 102) && !bucket.isFull(at: 101))
        // A long pause refills to the capacity, not beyond.
        #expect((0..<4).map { _ in bucket.take(now: 1000) } == [0, 0, 0, 0.5])
    }

    @Test("each token has its own bucket; the clock is the limiter's")
    func limiterKeys() {
        let clock = ManualClock(now: 10)
        let limiter = RateLimiter(rate: 1, burst: 2, clock: { clock.now })
        #expect(limiter.admit("token:1") == 0 && limiter.admit("token:1") == 0)
        #expect(limiter.admit("token:1") == 1)
        #expect(limiter.admit("token:2") == 0)
        clock.now = 11
        #expect(limiter.admit("token:1") == 0)
    }

    @Test("over the rate: 429 problem details with Retry-After, for that token only")
    func tooManyRequests() async throws {
        let fixture = try await APIFixture.make {
            $0.web.rateLimit = 0.01
            $0.web.rateBurst = 3
        }
        try await fixture.test { client in
            // The bucket refills 0.01 a second from the first request on: the wait it names is
            // 100 s less the time these requests took (which a busy machine stretches).
            let start = ContinuousClock.now
            for _ in 0..<3 { #expect(try await client.request("/api/v1/me", token: fixture.tokens["alice"]).status == .ok) }
            let limited = try await client.request("/api/v1/me", token: fixture.tokens["alice"])
            let problem = try limited.expectProblem(.tooManyRequests)
            #expect((problem["detail"] as? String)?.contains("more than 3 requests at once") == true)
            let retry = try #require(limited.headers[.retryAfter].flatMap(Int.init))
            let elapsed = Double((ContinuousClock.now - start).components.seconds) + 1
            #expect(Double(retry) >= 100 - elapsed - 1 && retry <= 100)
            #expect(try await client.request("/api/v1/me", token: fixture.tokens["bob"]).status == .ok)
        }
    }
}

/// A clock the test moves.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Double

    init(now: Double) { value = now }

    var now: Double {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
