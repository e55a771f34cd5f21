import Documents
import FaxCore
import FaxEngine
import Foundation
import HTTPTypes
import Logging
import Web

/// The REST API's view of the server (`Web.APIServices`), on the store, the spool, the
/// submitter and the status snapshot. The only place the Web module meets the rest of the
/// server: when the core changes (repositories, the job state machine), this file follows.
struct WebServicesAdapter: FaxArchive, JobQueue, FaxAdministration, ServerMonitor, WebhookAdministration {
    let store: any FaxStore
    let spool: Spool
    let configuration: FaxlineConfiguration
    let logger: Logger
    /// Sends the mail queue's worker looking for due deliveries.
    let mailWakeUp: @Sendable () -> Void
    /// Kills through the dispatcher when it has the job on the line; wakes it after a
    /// submission or a retry.
    let jobs: JobControl
    /// Times the conversions of submissions.
    let metrics: ServerMetrics
    /// Lines, today's counts, disk, outbound: the status file's data.
    let snapshot: @Sendable () -> ServerStatus

    var apiServices: APIServices {
        APIServices(faxes: self, jobs: self, administration: self, monitor: self, accounts: store, contacts: store, webhooks: self)
    }

    // MARK: - FaxArchive

    func faxes(_ query: FaxListQuery) async throws -> ListPage<FaxRecord> {
        try await store.faxPage(query)
    }

    func fax(id: String) async throws -> FaxRecord? {
        guard UUID(uuidString: id) != nil else { return nil }
        return try await store.fax(id: id)
    }

    func deliveries(faxID: String) async throws -> [MailDelivery] {
        try await store.deliveries(faxID: faxID)
    }

    func filePath(_ kind: FaxFileKind, of fax: FaxRecord) -> String? {
        try? FaxCommands(store: store, spool: spool).file(kind, of: fax)
    }

    /// Previews live in the spool's temporary folder: the daily cleanup removes them after
    /// `[retention] temporary_hours`, and they are made again when asked for.
    var previewDirectory: String { spool.temporaryDirectory }

    func deviceRecipients(of fax: FaxRecord) async throws -> [MailRecipient] {
        let devices = try await store.devices().filter { fax.deviceExtensions.contains($0.extensionNumber) }
        return MailRecipient.recipients(of: devices)
    }

    func mailAgain(_ fax: FaxRecord, to recipients: [MailRecipient], actor: String) async throws -> [MailDelivery] {
        let deliveries = try await FaxCommands(store: store, spool: spool).mailAgain(fax, to: recipients, actor: actor)
        mailWakeUp()
        return deliveries
    }

    func delete(_ fax: FaxRecord, force: Bool, actor: String) async throws {
        let cleaner = SpoolCleaner(configuration: configuration, store: store, logger: logger)
        let report = try await cleaner.deleteFax(id: fax.id, evenIfUndelivered: force, actor: actor, now: Date())
        if !report.errors.isEmpty {
            logger.warning("fax deleted with errors", metadata: ["fax.id": "\(fax.id)", "errors": "\(report.errors)"])
        }
    }

    func annotation(of fax: FaxRecord) async throws -> FaxAnnotation { try await store.annotation(faxID: fax.id) }

    func annotate(_ fax: FaxRecord, _ annotation: FaxAnnotation) async throws { try await store.setAnnotation(annotation, faxID: fax.id) }

    func markRead(_ fax: FaxRecord, userID: Int64, at now: Date) async throws {
        try await store.markRead(faxID: fax.id, userID: userID, at: now)
    }

    func readFaxIDs(_ faxIDs: [String], userID: Int64) async throws -> Set<String> {
        try await store.readFaxIDs(faxIDs, userID: userID)
    }

    // MARK: - JobQueue

    var uploadDirectory: String { spool.temporaryDirectory }

    func submit(_ request: SendRequest) async throws -> [Job] {
        let (submitter, submission) = try await submitter(for: request)
        let submitted: [Job]
        do {
            submitted = try await submitter.submit(submission)
        } catch let error as DiskSpaceError {
            throw NoRoomForSubmission(detail: error.description)
        }
        jobs.wake()
        return submitted
    }

    func prepare(_ request: SendRequest, to output: String) async throws -> Int {
        let (submitter, submission) = try await submitter(for: request)
        do {
            return try await submitter.prepare(submission, to: output).pageCount
        } catch let error as DiskSpaceError {
            throw NoRoomForSubmission(detail: error.description)
        }
    }

    /// The submission `faxline send` would make of the request, and the submitter that
    /// converts it (with the cover page).
    private func submitter(for request: SendRequest) async throws -> (JobSubmitter, JobSubmission) {
        var submission = JobSubmission(numbers: request.numbers, files: request.documents.map(\.path))
        var sender = JobSender(callerIDNumber: request.callerID)
        if let number = request.deviceExtension {
            guard let device = try await store.device(extension: number) else { throw RepositoryError.notFound("fax device \(number)") }
            sender.deviceExtension = device.extensionNumber
            sender.stationID = device.stationID
            sender.header = device.headerText.isEmpty ? nil : device.headerText
            sender.callerIDName = device.name
        }
        if let stationID = request.stationID { sender.stationID = stationID }
        if let header = request.header { sender.header = header }
        submission.sender = sender
        submission.priority = request.priority ?? Job.defaultPriority
        submission.maxTries = request.tries ?? Job.defaultTries
        submission.maxDials = request.dials ?? Job.defaultDials
        submission.notBefore = request.notBefore
        submission.killAfter = request.killAfter ?? Job.defaultKillAfter
        submission.notifyEmail = request.notifyEmail
        submission.notifyOnRequeue = request.notifyOnRequeue
        submission.callbackURL = request.callbackURL
        submission.tag = request.tag
        submission.owner = request.owner
        var submitter = JobSubmitter(jobs: store, spoolRoot: spool.root, minimumFreeBytes: configuration.minimumFreeBytes)
        submitter.converter.options.cover = request.cover
        submitter.metrics = metrics
        return (submitter, submission)
    }

    func jobs(_ query: JobListQuery) async throws -> ListPage<Job> {
        try await store.jobPage(query)
    }

    func job(id: Int64) async throws -> Job? {
        try await store.job(id: id)
    }

    /// Through the dispatcher, which hangs up a call on the line (like `faxline jobs kill`).
    func kill(jobID: Int64, actor: String) async throws -> Job {
        _ = try await jobs.kill(jobID, by: actor)
        guard let job = try await store.job(id: jobID) else { throw RepositoryError.notFound("job \(jobID)") }
        return job
    }

    func retry(jobID: Int64, actor: String) async throws -> Job {
        let job = try await jobs.commands.retry(jobID)
        jobs.wake()
        return job
    }

    // MARK: - FaxAdministration

    func devices() async throws -> [FaxDevice] { try await store.devices() }

    func device(extension number: String) async throws -> FaxDevice? { try await store.device(extension: number) }

    func addDevice(_ device: FaxDevice, retention: RetentionChange, actor: String) async throws -> FaxDevice {
        try await administration.addDevice(device, retention: retention, actor: actor, at: Date())
    }

    func changeDevice(extension number: String, _ changes: FaxDevice.Changes, retention: RetentionChange, actor: String) async throws
        -> FaxDevice {
        try await administration.changeDevice(extension: number, changes, retention: retention, actor: actor, at: Date())
    }

    func removeDevice(extension number: String, actor: String) async throws {
        try await administration.removeDevice(extension: number, actor: actor, at: Date())
    }

    func retentionOverrides() async throws -> RetentionOverrides { try await store.retentionOverrides() }

    func routingTable() async throws -> RoutingTable { try await store.routingTable() }

    func addRule(_ rule: RoutingRule, actor: String) async throws -> RoutingRule {
        try await administration.addRule(rule, actor: actor, at: Date())
    }

    func changeRule(id: Int64, position: Int?, enabled: Bool?, actor: String) async throws -> RoutingRule {
        try await administration.changeRule(id: id, position: position, enabled: enabled, actor: actor, at: Date())
    }

    func removeRule(id: Int64, actor: String) async throws { try await administration.removeRule(id: id, actor: actor, at: Date()) }

    func changeRouting(defaultExtension: String??, faxingEnabled: Bool?, actor: String) async throws {
        try await administration.changeRouting(defaultExtension: defaultExtension, faxingEnabled: faxingEnabled, actor: actor, at: Date())
    }

    func groups() async throws -> [DeviceGroup] {
        try await Self.groups(
            retentions: store.groupRetentions(), devices: store.devices(), disabled: store.routingTable().flags.disabledGroups)
    }

    func changeGroup(_ name: String, enabled: Bool?, retention: RetentionChange, actor: String) async throws -> DeviceGroup {
        try await administration.changeGroup(name, enabled: enabled, retention: retention, actor: actor, at: Date())
        guard let group = try await groups().first(where: { $0.name == name }) else { throw RepositoryError.notFound("group \(name)") }
        return group
    }

    private var administration: DeviceAdministration { DeviceAdministration(store: store) }

    var retentionPolicy: RetentionPolicy { configuration.retention }

    var effectiveConfiguration: EffectiveConfiguration { configuration.effective }

    func auditEntries(limit: Int) async throws -> [AuditEntry] { try await store.auditEntries(limit: limit) }
    func auditPage(_ query: AuditQuery) async throws -> ListPage<AuditEntry> { try await store.auditPage(query) }

    func appendAudit(_ entry: AuditEntry) async throws { try await store.appendAudit(entry) }

    /// Groups that have a row (a switch or a retention) or a device, by name.
    private static func groups(retentions: [GroupRetention], devices: [FaxDevice], disabled: Set<String>) -> [DeviceGroup] {
        let names = Set(retentions.map(\.group)).union(devices.compactMap(\.group))
        return names.sorted().map { name in
            let override = retentions.first { $0.group == name }?.override
            return DeviceGroup(
                name: name, isEnabled: !disabled.contains(name), retention: override?.isEmpty == false ? override : nil,
                deviceExtensions: devices.filter { $0.group == name }.map(\.extensionNumber))
        }
    }

    // MARK: - ServerMonitor

    func status() async throws -> StatusReport {
        let status = snapshot()
        let queue = try await store.jobCountsByState()
        let backlog = try await store.mailBacklog()
        return StatusReport(
            version: status.version, startedAt: status.startedAt,
            lines: status.lines.map {
                StatusReport.Line(name: $0.name, state: $0.state, direction: $0.direction, faxID: $0.faxID,
                                  remoteNumber: $0.remoteNumber, since: $0.since)
            },
            inboundCalls: status.inboundCalls, outboundCalls: status.outboundCalls, succeeded: status.succeeded,
            failed: status.failed, refusedNoFreeLine: status.refusedNoFreeLine, freeDiskBytes: status.freeDiskBytes,
            refusingCalls: status.refusingCalls, outbound: status.outbound, queue: queue, mailBacklog: backlog)
    }
}

/// The spool's disk is nearly full: 507, like the CLI's error.
struct NoRoomForSubmission: SubmissionRefusal {
    var status: HTTPResponse.Status { HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage") }
    var detail: String
}

// MARK: - WebhookAdministration

extension WebServicesAdapter {
    private var webhookCommands: WebhookCommands {
        WebhookCommands(store: store, destinations: configuration.webhooks.destinations)
    }

    func webhooks(userID: Int64?) async throws -> [Webhook] {
        try await store.webhooks(userID: userID)
    }

    func webhook(id: String) async throws -> Webhook? {
        guard UUID(uuidString: id) != nil else { return nil }
        return try await store.webhook(id: id)
    }

    func addWebhook(url: String, events: Set<WebhookEvent>, secret: Secret?, owner: User?, actor: String) async throws -> Webhook {
        try await webhookCommands.add(url: url, events: events, secret: secret, owner: owner, actor: actor)
    }

    func removeWebhook(_ webhook: Webhook, actor: String) async throws {
        try await webhookCommands.remove(webhook, actor: actor)
    }

    func webhookDeliveries(_ query: WebhookDeliveryQuery) async throws -> [WebhookDelivery] {
        try await store.webhookDeliveries(query)
    }

    func webhookDelivery(id: String) async throws -> WebhookDelivery? {
        guard UUID(uuidString: id) != nil else { return nil }
        return try await store.webhookDelivery(id: id)
    }

    func replayWebhookDelivery(_ delivery: WebhookDelivery, actor: String) async throws -> WebhookDelivery {
        try await webhookCommands.replay(delivery, actor: actor)
    }

    func checkCallbackURL(_ url: String, for user: User) throws {
        try webhookCommands.checkDestination(url, for: user)
    }
}
