import Foundation

/// When to try a failed mail or webhook delivery again, and when to give up.
public struct DeliveryRetryPolicy: Sendable, Equatable {
    /// Wait after the 1st, 2nd… failed attempt; the last one repeats.
    public var delays: [TimeInterval]
    /// No attempt is scheduled later than this after the delivery was queued.
    public var giveUpAfter: TimeInterval

    public static let standard = DeliveryRetryPolicy(
        delays: [60, 5 * 60, 15 * 60, 30 * 60, 60 * 60], giveUpAfter: 3 * 24 * 60 * 60)

    /// Webhooks: doubling from 30 seconds to 2 hours, for a day (a receiver is a program that
    /// is back soon, or its owner must look).
    public static let webhooks = DeliveryRetryPolicy(
        delays: [30, 60, 2 * 60, 4 * 60, 8 * 60, 16 * 60, 32 * 60, 64 * 60, 120 * 60], giveUpAfter: 24 * 60 * 60)

    public init(delays: [TimeInterval], giveUpAfter: TimeInterval) {
        precondition(!delays.isEmpty && delays.allSatisfy { $0 > 0 }, "retry delays must be positive")
        precondition(giveUpAfter >= 0, "giveUpAfter must not be negative")
        self.delays = delays
        self.giveUpAfter = giveUpAfter
    }

    /// The wait after `failedAttempts` failures (1 = the first attempt failed).
    public func delay(afterFailedAttempts failedAttempts: Int) -> TimeInterval {
        delays[min(max(failedAttempts, 1), delays.count) - 1]
    }

    /// When to try again after a failure, or `nil` to give up. The last attempt falls on the
    /// give-up deadline rather than being skipped.
    public func nextAttempt(afterFailedAttempts failedAttempts: Int, queuedAt: Date, now: Date) -> Date? {
        let deadline = queuedAt.addingTimeInterval(giveUpAfter)
        guard now < deadline else { return nil }
        return min(now.addingTimeInterval(delay(afterFailedAttempts: failedAttempts)), deadline)
    }
}
