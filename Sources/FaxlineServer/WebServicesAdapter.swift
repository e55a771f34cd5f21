import Documents
import FaxCore
import FaxEngine
import Foundation
import HTTPTypes
import Logging
import Store
import Web

/// The REST API's view of the server (`Web.APIServices`), on the store, the spool, the
/// submitter and the status snapshot. The only place the Web module meets the rest of the
/// server: when the core changes (repositories, the job state machine), this file follows.
struct WebServicesAdapter: FaxArchive, JobQueue, FaxAdministration, ServerMonitor {
    let services: FaxServices
    /// Wakes the dispatcher after a submission or a retry (`nil` without outbound faxing).
    let dispatcherWakeUp: WakeUpSignal?
    let snapshot: @Sendable () async -> ServerStatus

    private var database: FaxDatabase { services.database }
    private var spool: Spool { services.spool }

    static func makeServices(_ adapter: WebServicesAdapter) -> APIServices {
        APIServices(faxes: adapter, jobs: adapter, administration: adapter, monitor: adapter, accounts: adapter.services.database)
    }

    // MARK: - FaxArchive

    func faxes(_ query: FaxListQuery) async throws -> ListPage<FaxRecord> {
        try await database.read { try $0.faxPage(query) }
    }

    func fax(id: String) async throws -> FaxRecord? {
        guard UUID(uuidString: id) != nil else { return nil }
        return try await database.fax(id: id)
    }

    func deliveries(faxID: String) async throws -> [MailDelivery] {
        try await database.deliveries(faxID: faxID)
    }

    func filePath(_ kind: FaxFileKind, of fax: FaxRecord) -> String? {
        let file = switch kind {
        case .pdf: fax.files.pdf
        case .tiff: fax.files.tiff
        }
        guard let path = file?.absolutePath(under: spool.root), FileManager.default.isReadableFile(atPath: path) else { return nil }
        return path
    }

    /// Previews live in the spool's temporary folder: the daily cleanup removes them after
    /// `[retention] temporary_hours`, and they are made again when asked for.
    var previewDirectory: String { spool.temporaryDirectory }

    func deviceRecipients(of fax: FaxRecord) async throws -> [MailRecipient] {
        let devices = try await database.devices().filter { fax.deviceExtensions.contains($0.extensionNumber) }
        return MailRecipient.recipients(of: devices)
    }

    func mailAgain(_ fax: FaxRecord, to recipients: [MailRecipient]) async throws -> [MailDelivery] {
        let id = fax.id
        let deliveries = try await database.write { try $0.requeueDeliveries(faxID: id, recipients: recipients, at: Date()) }
        services.deliveryWakeUp.signal()
        return deliveries
    }

    func delete(_ fax: FaxRecord, force: Bool, actor: String) async throws {
        let cleaner = SpoolCleaner(configuration: services.configuration, database: database, logger: services.logger)
        let report = try await cleaner.deleteFax(id: fax.id, evenIfUndelivered: force, actor: actor, now: Date())
        if !report.errors.isEmpty {
            services.logger.warning("fax deleted with errors", metadata: ["fax.id": "\(fax.id)", "errors": "\(report.errors)"])
        }
    }

    // MARK: - JobQueue

    var uploadDirectory: String { spool.temporaryDirectory }

    func submit(_ request: SendRequest) async throws -> [Job] {
        var submission = JobSubmission(numbers: request.numbers, files: request.documents.map(\.path))
        var sender = JobSender(callerIDNumber: request.callerID)
        if let number = request.deviceExtension {
            guard let device = try await database.device(extension: number) else { throw RepositoryError.notFound("fax device \(number)") }
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
        submission.owner = request.owner
        var submitter = JobSubmitter(
            database: database, spoolRoot: services.configuration.spoolDirectory, minimumFreeBytes: services.configuration.minimumFreeBytes)
        submitter.converter.options.cover = request.cover
        let jobs: [Job]
        do {
            jobs = try await submitter.submit(submission)
        } catch let error as DiskSpaceError {
            throw NoRoomForSubmission(detail: error.description)
        }
        dispatcherWakeUp?.signal()
        return jobs
    }

    func jobs(_ query: JobListQuery) async throws -> ListPage<Job> {
        try await database.read { try $0.jobPage(query) }
    }

    func job(id: Int64) async throws -> Job? {
        try await database.job(id: id)
    }

    func kill(jobID: Int64, actor: String) async throws -> Job {
        try await change(jobID) { job in
            guard !job.state.isFinal else {
                throw JobTransitionError(jobID: jobID, from: job.state, to: .killed)
            }
            job.state = .killed
            job.reason = "killed by \(actor)"
            job.finishedAt = Date()
        }
    }

    func retry(jobID: Int64, actor: String) async throws -> Job {
        let job = try await change(jobID) { job in
            guard job.state == .failed || job.state == .killed else {
                throw JobTransitionError(jobID: jobID, from: job.state, to: .queued)
            }
            let now = Date()
            job.state = .queued
            job.reason = ""
            job.tries = 0
            job.dials = 0
            job.notBefore = now
            job.killAt = max(job.killAt, now.addingTimeInterval(Job.defaultKillAfter))
            job.finishedAt = nil
        }
        dispatcherWakeUp?.signal()
        return job
    }

    /// Applies `edit` to the stored job, again if the dispatcher changed it meanwhile.
    private func change(_ id: Int64, _ edit: (inout Job) throws -> Void) async throws -> Job {
        for _ in 0..<5 {
            guard var job = try await database.job(id: id) else { throw RepositoryError.notFound("job \(id)") }
            let before = job.state
            try edit(&job)
            do {
                try await database.saveJob(job, expecting: before)
                return job
            } catch is JobTransitionError {
                continue
            }
        }
        throw RepositoryError.conflict("job \(id) keeps changing; try again")
    }

    // MARK: - FaxAdministration

    func devices() async throws -> [FaxDevice] { try await database.devices() }

    func device(extension number: String) async throws -> FaxDevice? { try await database.device(extension: number) }

    func addDevice(_ device: FaxDevice, retention: RetentionSetting) async throws -> FaxDevice {
        let change = Self.change(retention)
        return try await database.write { transaction in
            let stored = try transaction.addDevice(device)
            if !change.isEmpty { try transaction.changeDeviceRetention(change, extension: stored.extensionNumber) }
            return stored
        }
    }

    func changeDevice(extension number: String, _ changes: FaxDevice.Changes, retention: RetentionSetting) async throws -> FaxDevice {
        let change = Self.change(retention)
        return try await database.write { transaction in
            guard let device = try transaction.device(extension: number) else { throw RepositoryError.notFound("fax device \(number)") }
            if !change.isEmpty { try transaction.changeDeviceRetention(change, extension: number) }
            return try transaction.updateDevice(device.applying(changes))
        }
    }

    func removeDevice(extension number: String) async throws { try await database.removeDevice(extension: number) }

    func retentionOverrides() async throws -> RetentionOverrides { try await database.retentionOverrides() }

    func routingTable() async throws -> RoutingTable { try await database.routingTable() }

    func addRule(_ rule: RoutingRule) async throws -> RoutingRule { try await database.addRule(rule) }

    func changeRule(id: Int64, position: Int?, enabled: Bool?) async throws -> RoutingRule {
        try await database.write { transaction in
            if let position { try transaction.moveRule(id: id, to: position) }
            if let enabled { try transaction.setRuleEnabled(enabled, id: id) }
            guard let rule = try transaction.rule(id: id) else { throw RepositoryError.notFound("routing rule \(id)") }
            return rule
        }
    }

    func removeRule(id: Int64) async throws { try await database.removeRule(id: id) }

    func changeRouting(defaultExtension: String??, faxingEnabled: Bool?) async throws {
        try await database.write { transaction in
            if let defaultExtension { try transaction.setDefaultExtension(defaultExtension) }
            if let faxingEnabled { try transaction.setFaxingEnabled(faxingEnabled) }
        }
    }

    func groups() async throws -> [DeviceGroup] {
        try await database.read { transaction in
            try Self.groups(retentions: transaction.groupRetentions(), devices: transaction.devices(),
                            disabled: transaction.routingTable().flags.disabledGroups)
        }
    }

    func changeGroup(_ name: String, enabled: Bool?, retention: RetentionSetting) async throws -> DeviceGroup {
        let change = Self.change(retention)
        return try await database.write { transaction in
            if let enabled { try transaction.setGroupEnabled(enabled, group: name) }
            if !change.isEmpty || enabled == nil { try transaction.changeGroupRetention(change, group: name) }
            let groups = try Self.groups(retentions: transaction.groupRetentions(), devices: transaction.devices(),
                                         disabled: transaction.routingTable().flags.disabledGroups)
            guard let group = groups.first(where: { $0.name == name }) else { throw RepositoryError.notFound("group \(name)") }
            return group
        }
    }

    var retentionPolicy: RetentionPolicy { services.configuration.retention }

    func auditEntries(limit: Int) async throws -> [AuditEntry] { try await database.auditEntries(limit: limit) }

    func appendAudit(_ entry: AuditEntry) async throws { try await database.appendAudit(entry) }

    private static func change(_ setting: RetentionSetting) -> RetentionChange {
        RetentionChange(days: setting.days.map { $0 == 0 ? .clear : .set($0) }, zeroRetention: setting.zeroRetention)
    }

    /// Groups that have a row (a switch or a retention) or a device, by name.
    private static func groups(retentions: [(group: String, override: RetentionOverride)], devices: [FaxDevice],
                               disabled: Set<String>) -> [DeviceGroup] {
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
        let status = await snapshot()
        let (queue, backlog) = try await database.read { try ($0.jobCountsByState(), $0.mailBacklog()) }
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
