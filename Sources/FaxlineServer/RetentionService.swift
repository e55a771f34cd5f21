import FaxCore
import Foundation
import Logging
import ServiceLifecycle

/// The daily cleanup inside `faxline serve` (`[retention] cleanup_time`, default 03:30, `off`
/// leaves it to cron). It shares the lock with `faxline cleanup`, so they never overlap.
public struct RetentionService: Service {
    let cleaner: SpoolCleaner
    let schedule: RetentionSchedule?
    let clock: @Sendable () -> Date
    let logger: Logger

    public init(cleaner: SpoolCleaner, schedule: RetentionSchedule?, logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.cleaner = cleaner
        self.schedule = schedule
        self.clock = clock
        self.logger = logger
    }

    public init(services: FaxServices) {
        self.init(
            cleaner: SpoolCleaner(configuration: services.configuration, database: services.database, logger: services.logger),
            schedule: services.configuration.cleanupSchedule, logger: services.logger)
    }

    public func run() async throws {
        guard let schedule else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let now = clock()
                let next = schedule.nextRun(after: now)
                logger.debug("next cleanup", metadata: ["at": "\(next)"])
                do {
                    try await Task.sleep(for: .seconds(max(1, next.timeIntervalSince(now))))
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
            let outcome = try await cleaner.run(now: clock(), actor: "serve")
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
