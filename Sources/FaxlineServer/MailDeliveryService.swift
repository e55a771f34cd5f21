import FaxCore
import Foundation
import Logging
import Mail
import ServiceLifecycle

/// Delivers received faxes by email from the durable queue: due deliveries are sent, temporary
/// failures (mail server down, 4xx) are retried with backoff, permanent ones (5xx) are marked
/// failed with the server's words. Nothing is lost across restarts: a delivery that was being
/// sent when the process died is due again at start.
public final class MailDeliveryService: Service, Sendable {
    /// The mail settings of `faxline.conf`.
    public struct Settings: Sendable {
        public var fromAddress: String
        public var retry: DeliveryRetryPolicy
        /// How often the queue is looked at (and at once when a fax was queued).
        public var pollInterval: Duration

        public init(fromAddress: String, retry: DeliveryRetryPolicy, pollInterval: Duration) {
            self.fromAddress = fromAddress
            self.retry = retry
            self.pollInterval = pollInterval
        }
    }

    let deliveries: any DeliveryRepository
    /// Mails about no fax (print-to-fax refusals), sent after the faxes' mails of each pass.
    let notices: (any NoticeRepository)?
    /// Where a delivery report finds its job's pages.
    let jobs: (any JobRepository)?
    let faxes: any FaxRepository
    let devices: any DeviceRepository
    let spool: Spool
    let settings: Settings
    let sender: any MailSender
    let composer: FaxMailComposer
    let clock: any Clock<Duration>
    let logger: Logger
    /// Called with the fax once every mail of it was delivered (zero retention deletes its
    /// images then).
    let allDelivered: (@Sendable (FaxRecord) async -> Void)?
    private let wakeUps = WakeUps()
    /// At most this many deliveries are taken per pass.
    let batchSize = 20

    public init(deliveries: any DeliveryRepository, faxes: any FaxRepository, devices: any DeviceRepository, spool: Spool,
                settings: Settings, sender: any MailSender, clock: any Clock<Duration> = ContinuousClock(),
                logger: Logger, notices: (any NoticeRepository)? = nil, jobs: (any JobRepository)? = nil,
                allDelivered: (@Sendable (FaxRecord) async -> Void)? = nil) throws(MailError) {
        self.deliveries = deliveries
        self.notices = notices
        self.jobs = jobs
        self.faxes = faxes
        self.devices = devices
        self.spool = spool
        self.settings = settings
        self.sender = sender
        self.clock = clock
        self.logger = logger
        self.allDelivered = allDelivered
        composer = FaxMailComposer(from: try MailAddress(settings.fromAddress, displayName: "Faxline"))
    }

    /// Deliveries were queued: look at once.
    public func wake() {
        wakeUps.wake()
    }

    public func run() async throws {
        let recovered = try await deliveries.recoverInterruptedDeliveries(at: Date())
        let recoveredNotices = try await notices?.recoverInterruptedNotices(at: Date()) ?? 0
        if recovered + recoveredNotices > 0 {
            logger.notice("mail deliveries interrupted by a restart are due again", metadata: ["count": "\(recovered + recoveredNotices)"])
        }
        await cancelWhenGracefulShutdown {
            await self.wakeUps.run(every: self.settings.pollInterval, clock: self.clock) {
                await self.deliverDue()
            }
        }
    }

    /// One pass over the due deliveries. Returns how many were delivered.
    @discardableResult
    public func deliverDue(now: Date = Date()) async -> Int {
        let database = deliveries
        let due: [MailDelivery]
        do {
            due = try await database.dueDeliveries(at: now, limit: batchSize)
        } catch is CancellationError {
            return 0  // the server is stopping
        } catch {
            logger.error("cannot read the mail queue", metadata: ["error": "\(ErrorWords.describe(error))"])
            return 0
        }
        var delivered = 0
        for candidate in due {
            guard let delivery = try? await database.markSending(id: candidate.id, at: now) else { continue }
            var logger = self.logger
            logger[metadataKey: "fax.id"] = "\(delivery.faxID)"
            logger[metadataKey: "mail.to"] = "\(delivery.recipient)"
            do {
                let message = try await compose(delivery)
                try await sender.send(message, from: settings.fromAddress, to: [delivery.recipient])
                try await database.markDelivered(id: delivery.id, at: Date())
                delivered += 1
                logger.info("fax delivered by mail")
                if let allDelivered, let fax = try? await faxes.fax(id: delivery.faxID), fax.deliveryState == .delivered {
                    await allDelivered(fax)
                }
            } catch {
                let stopping = await recordFailure(error, attempts: delivery.attempts, queuedAt: delivery.createdAt, logger: logger) {
                    try await database.markFailed(id: delivery.id, error: $0, nextAttemptAt: $1)
                }
                if stopping { return delivered }
            }
        }
        return delivered + (await deliverDueNotices(now: now))
    }

    /// The pass over the due notices: each a mail of its own, a job's report with its pages.
    private func deliverDueNotices(now: Date) async -> Int {
        guard let notices, let due = try? await notices.dueNotices(at: now, limit: batchSize) else { return 0 }
        var delivered = 0
        for candidate in due {
            guard let notice = try? await notices.markNoticeSending(id: candidate.id, at: now) else { continue }
            var logger = self.logger
            logger[metadataKey: "notice.id"] = "\(notice.id)"
            logger[metadataKey: "mail.to"] = "\(notice.recipient)"
            do {
                let message = try await compose(notice)
                try await sender.send(message, from: settings.fromAddress, to: [notice.recipient])
                try await notices.markNoticeDelivered(id: notice.id, at: Date())
                delivered += 1
                logger.info("notice delivered by mail")
            } catch {
                let stopping = await recordFailure(error, attempts: notice.attempts, queuedAt: notice.createdAt, logger: logger) {
                    try await notices.markNoticeFailed(id: notice.id, error: $0, nextAttemptAt: $1)
                }
                if stopping { break }
            }
        }
        return delivered
    }

    /// After a failed attempt: marks it for a retry, or failed for good, through `mark`
    /// (the error in words, the next attempt). Returns true when the server is stopping — then
    /// nothing is marked: the mail stays 'sending' and the startup recovery makes it due again.
    private func recordFailure(_ error: any Error, attempts: Int, queuedAt: Date, logger: Logger,
                               mark: (String, Date?) async throws -> Void) async -> Bool {
        if Task.isCancelled || error is CancellationError {
            logger.notice("mail delivery interrupted by shutdown; it is sent again after restart")
            return true
        }
        // Only the mail server's own permanent refusal (5xx, a bad address) gives up;
        // anything unexpected is retried.
        let temporary = (error as? MailError)?.isTemporary ?? true
        let words = ErrorWords.describe(error)
        let next = temporary ? settings.retry.nextAttempt(afterFailedAttempts: attempts, queuedAt: queuedAt, now: Date()) : nil
        do {
            try await mark(words, next)
        } catch {
            logger.error("cannot record the failed delivery", metadata: ["error": "\(ErrorWords.describe(error))"])
        }
        if let next {
            logger.warning("mail delivery failed; will retry", metadata: ["error": "\(words)", "retry.at": "\(next)"])
        } else {
            logger.error("mail delivery failed for good", metadata: ["error": "\(words)"])
        }
        return false
    }

    private func compose(_ notice: MailNotice) async throws -> MailMessage {
        let to = [try MailAddress(notice.recipient)]
        guard let jobID = notice.jobID else {
            return MailMessage(from: composer.from, to: to, subject: notice.subject, body: .plainText(notice.body))
        }
        let document = try await jobs?.job(id: jobID).map { $0.document.absolutePath(under: spool.root) }
        let body = await JobReport.body(text: notice.body, jobID: jobID, document: document, workDirectory: spool.temporaryDirectory)
        return MailMessage(
            from: composer.from, to: to, subject: notice.subject, extraHeaders: [(name: "X-Faxline-Job-Id", value: String(jobID))], body: body)
    }

    private func compose(_ delivery: MailDelivery) async throws -> MailMessage {
        guard let fax = try await faxes.fax(id: delivery.faxID) else {
            throw MailError.invalidContent("fax \(delivery.faxID) is gone")
        }
        let devices = try await devices.devices()
        let device = devices.first { $0.emailAddresses.contains(delivery.recipient) && fax.deviceExtensions.contains($0.extensionNumber) }
            ?? devices.first { fax.deviceExtensions.contains($0.extensionNumber) }
        let content = ReceivedFaxMailContent(
            deviceName: device?.name ?? "Fax",
            deviceExtension: device?.extensionNumber ?? fax.deviceExtensions.first ?? "",
            callerNumber: fax.callerNumber,
            callerName: fax.callerName.isEmpty ? nil : fax.callerName,
            remoteStationID: fax.session.remoteStationID.isEmpty ? nil : fax.session.remoteStationID,
            pages: fax.session.pages,
            receivedAt: fax.createdAt,
            duration: fax.session.duration,
            isPartial: fax.status == .partial,
            statusText: fax.status == .partial ? fax.session.statusString : nil,
            pdfFile: fax.files.pdf.map { URL(fileURLWithPath: $0.absolutePath(under: spool.root)) },
            tiffFile: fax.files.tiff.map { URL(fileURLWithPath: $0.absolutePath(under: spool.root)) },
            thumbnailFile: fax.files.thumbnail.map { URL(fileURLWithPath: $0.absolutePath(under: spool.root)) },
            faxID: fax.id)
        return try composer.compose(content, to: [try MailAddress(delivery.recipient)], format: delivery.format)
    }
}
