import FaxCore
import Foundation
import Logging
import ServiceLifecycle

/// The daily cleanup inside `faxline serve` (`[retention] cleanup_time`, default 03:30, `off`
/// leaves it to cron). It shares the lock with `faxline cleanup`, so they never overlap.
public struct RetentionService: Service {
    let cleaner: SpoolCleaner
    let schedule: RetentionSchedule?
    /// The time of day, for the schedule.
    let now: @Sendable () -> Date
    /// Waits until the next run.
    let clock: any Clock<Duration>
    let logger: Logger

    public init(cleaner: SpoolCleaner, schedule: RetentionSchedule?, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }, clock: any Clock<Duration> = ContinuousClock()) {
        self.cleaner = cleaner
        self.schedule = schedule
        self.now = now
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        guard let schedule else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let start = now()
                let next = schedule.nextRun(after: start)
                logger.debug("next cleanup", metadata: ["at": "\(next)"])
                do {
                    try await clock.sleep(for: .milliseconds(Int64(max(1, next.timeIntervalSince(start)) * 1000)))
                } catch {
                    break
                }
                await runOnce()
            }
        }
    }

    /// One scheduled run; failures are logged, never fatal to the server.
    @discardableResult
    public func runOnce() async -> SpoolCleaner.Outcome? {
        do {
            let outcome = try await cleaner.run(now: now(), actor: "serve")
            if case .alreadyRunning = outcome {
                logger.notice("skipped the scheduled cleanup: another cleanup is running")
            }
            return outcome
        } catch {
            logger.error("the scheduled cleanup failed", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
