import FaxCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Web
import Webhooks

/// Posts the webhook queue: each due delivery is signed (its webhook's secret, or the callback
/// secret for a job's callback URL) and posted; a 2xx answer delivers it, anything else (an
/// error status, no answer, a timeout, a refused destination) is retried on the retry policy's
/// backoff until a day has passed, then it has failed. Nothing is lost across restarts: the
/// queue is in the store, and a delivery that was being posted when the process died is due
/// again at start. Delivered and failed deliveries are pruned after `keepFinished`.
public final class WebhookDeliveryService: Service, Sendable {
    let store: any WebhookRepository
    let poster: any WebhookPoster
    let settings: WebhookSettings
    let clock: any Clock<Duration>
    /// The time of every decision (due, retry, give up); tests move it.
    let now: @Sendable () -> Date
    let logger: Logger
    private let wakeUps = WakeUps()
    /// When finished deliveries were last pruned: once an hour is enough.
    private let lastPrune = Mutex<Date?>(nil)
    /// At most this many deliveries are taken per pass, and this many posted at once.
    let batchSize = 20
    let concurrentPosts = 4
    static let keepFinished: TimeInterval = 30 * 24 * 3600

    public init(store: any WebhookRepository, poster: any WebhookPoster, settings: WebhookSettings,
                clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.store = store
        self.poster = poster
        self.settings = settings
        self.clock = clock
        self.now = now
        self.logger = logger
    }

    /// Deliveries were queued: look at once.
    public func wake() {
        wakeUps.wake()
    }

    public func run() async throws {
        let recovered = try await store.recoverInterruptedWebhookDeliveries(at: now())
        if recovered > 0 {
            logger.notice("webhook deliveries interrupted by a restart are due again", metadata: ["count": "\(recovered)"])
        }
        await cancelWhenGracefulShutdown {
            await self.wakeUps.run(every: self.settings.pollInterval, clock: self.clock) {
                await self.deliverDue()
            }
        }
    }

    /// One pass over the due deliveries. Returns how many were delivered.
    @discardableResult
    public func deliverDue() async -> Int {
        let due: [WebhookDelivery]
        do {
            try await pruneHourly()
            due = try await store.dueWebhookDeliveries(at: now(), limit: batchSize)
        } catch is CancellationError {
            return 0
        } catch {
            logger.error("cannot read the webhook queue", metadata: ["error": "\(ErrorWords.describe(error))"])
            return 0
        }
        guard !due.isEmpty else { return 0 }
        let callbackSecret: Secret
        do {
            if let configured = settings.callbackSecret {
                callbackSecret = configured
            } else {
                callbackSecret = try await store.storedCallbackSecret()
            }
        } catch {
            logger.error("cannot read the callback secret", metadata: ["error": "\(ErrorWords.describe(error))"])
            return 0
        }
        let secret = callbackSecret
        return await withTaskGroup(of: Bool.self) { group in
            var delivered = 0
            var started = 0
            for delivery in due {
                if started >= concurrentPosts, let done = await group.next() { delivered += done ? 1 : 0 }
                group.addTask { await self.attempt(delivery, callbackSecret: secret) }
                started += 1
            }
            for await done in group { delivered += done ? 1 : 0 }
            return delivered
        }
    }

    private func pruneHourly() async throws {
        let now = now()
        let due = lastPrune.withLock { last in
            guard last.map({ now.timeIntervalSince($0) >= 3600 }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        let pruned = try await store.pruneWebhookDeliveries(queuedBefore: now.addingTimeInterval(-Self.keepFinished))
        if pruned > 0 { logger.info("old webhook deliveries pruned", metadata: ["count": "\(pruned)"]) }
    }

    /// One attempt at one delivery. Returns whether it was delivered.
    private func attempt(_ candidate: WebhookDelivery, callbackSecret: Secret) async -> Bool {
        guard let delivery = try? await store.markWebhookSending(id: candidate.id, at: now()) else { return false }
        var logger = self.logger
        logger[metadataKey: "webhook.delivery"] = "\(delivery.id)"
        logger[metadataKey: "webhook.event"] = "\(delivery.event.rawValue)"
        logger[metadataKey: "webhook.url"] = "\(delivery.url)"
        if let webhookID = delivery.webhookID { logger[metadataKey: "webhook.id"] = "\(webhookID)" }
        if let jobID = delivery.jobID { logger[metadataKey: "job.id"] = "\(jobID)" }
        if let faxID = delivery.faxID { logger[metadataKey: "fax.id"] = "\(faxID)" }

        var status: Int?
        let failure: String
        do {
            let secret: Secret
            if let webhookID = delivery.webhookID {
                guard let webhook = try await store.webhook(id: webhookID) else { throw WebhookGone(id: webhookID) }
                secret = webhook.secret
            } else {
                secret = callbackSecret
            }
            let body = try WebhookPayload.body(of: delivery)
            let timestamp = Int(now().timeIntervalSince1970)
            let headers = [
                "Content-Type": "application/json",
                WebhookSignature.headerName: WebhookSignature.header(secret: secret, timestamp: timestamp, body: body),
                "Faxline-Event": delivery.event.rawValue,
                "Faxline-Delivery": delivery.id,
            ]
            let answer = try await poster.post(body, to: delivery.url, headers: headers, restricted: delivery.isRestricted)
            status = answer
            if (200..<300).contains(answer) {
                try await store.markWebhookDelivered(id: delivery.id, status: answer, at: now())
                logger.info("webhook delivered", metadata: ["http.status": "\(answer)"])
                return true
            }
            failure = "the receiver answered HTTP \(answer)"
        } catch WebhookPostError.cancelled {
            // Shutting down mid-post: it stays 'sending', and the startup recovery makes it due again.
            logger.notice("webhook delivery interrupted by shutdown; it is posted again after restart")
            return false
        } catch {
            if Task.isCancelled { return false }
            failure = ErrorWords.describe(error)
        }
        let next = settings.retry.nextAttempt(afterFailedAttempts: delivery.attempts, queuedAt: delivery.createdAt, now: now())
        do {
            try await store.markWebhookFailed(id: delivery.id, status: status, error: failure, nextAttemptAt: next)
        } catch {
            logger.error("cannot record the failed webhook delivery", metadata: ["error": "\(ErrorWords.describe(error))"])
        }
        if let next {
            logger.warning("webhook delivery failed; will retry", metadata: ["error": "\(failure)", "retry.at": "\(next)"])
        } else {
            logger.error("webhook delivery failed for good", metadata: ["error": "\(failure)"])
        }
        return false
    }
}

/// The webhook of a delivery was removed while it was being posted.
struct WebhookGone: Error, CustomStringConvertible {
    var id: String
    var description: String { "webhook \(id) was removed" }
}
