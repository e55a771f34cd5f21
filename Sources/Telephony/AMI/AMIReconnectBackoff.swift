/// Delays between reconnection attempts: exponential with a cap, and jitter so that
/// several Faxline nodes do not hit a restarted Asterisk in step.
public struct AMIReconnectBackoff: Sendable, Hashable {
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public var multiplier: Double
    /// Fraction of the delay added or removed at random (0.2 → ±20 %).
    public var jitter: Double
    /// Attempts since the last reset.
    public private(set) var attempt = 0

    public init(
        initialDelay: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(30), multiplier: Double = 2,
        jitter: Double = 0.2
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = max(1, multiplier)
        self.jitter = min(max(0, jitter), 1)
    }

    public mutating func nextDelay() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    public mutating func nextDelay(using generator: inout some RandomNumberGenerator) -> Duration {
        let base = min(Self.seconds(initialDelay) * pow(multiplier, attempt), Self.seconds(maximumDelay))
        attempt += 1
        let spread = jitter == 0 ? 0 : Double.random(in: -jitter...jitter, using: &generator)
        let delay = min(max(0, base * (1 + spread)), Self.seconds(maximumDelay))
        return .nanoseconds(Int64(delay * 1e9))
    }

    public mutating func reset() {
        attempt = 0
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    private func pow(_ base: Double, _ exponent: Int) -> Double {
        // Capped early: past 64 doublings the delay is at the maximum anyway.
        var result = 1.0
        for _ in 0..<min(exponent, 64) { result *= base }
        return result
    }
}
