/// A token bucket: `capacity` requests at once, refilled at `rate` per second. Pure: the time
/// is passed in (seconds on any monotonic clock).
struct TokenBucket: Sendable, Equatable {
    let rate: Double
    let capacity: Double
    private(set) var tokens: Double
    private(set) var updatedAt: Double

    init(rate: Double, capacity: Double, now: Double) {
        self.rate = rate
        self.capacity = capacity
        tokens = capacity
        updatedAt = now
    }

    /// Takes one token if there is one. Returns 0 when allowed, else the seconds until one is.
    mutating func take(now: Double) -> Double {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return 0
        }
        return (1 - tokens) / rate
    }

    /// Whether the bucket would be full at `now` (then it need not be kept).
    func isFull(at now: Double) -> Bool {
        tokens + max(0, now - updatedAt) * rate >= capacity
    }

    private mutating func refill(now: Double) {
        if now > updatedAt {
            tokens = min(capacity, tokens + (now - updatedAt) * rate)
            updatedAt = now
        }
    }
}
