import FaxCore
import Foundation

// The models as the API shows them (the generated `Components.Schemas`).

extension Components.Schemas.FaxSummary {
    init(_ fax: FaxRecord) {
        self.init(
            id: fax.id, direction: .init(fax.direction), status: .init(fax.status), createdAt: fax.createdAt, finishedAt: fax.finishedAt,
            devices: fax.deviceExtensions, callerNumber: fax.callerNumber, callerName: fax.callerName, did: fax.did,
            remoteStationId: fax.session.remoteStationID, pages: fax.session.pages,
            deliveryState: Components.Schemas.DeliveryState(rawValue: fax.deliveryState.rawValue) ?? .none,
            hasPdf: fax.files.pdf != nil, hasTiff: fax.files.tiff != nil)
    }
}

extension Components.Schemas.FaxDirection {
    init(_ direction: FaxDirection) {
        self = Self(rawValue: direction.rawValue) ?? .received
    }

    var model: FaxDirection { FaxDirection(rawValue: rawValue) ?? .received }
}

extension Components.Schemas.FaxStatus {
    init(_ status: FaxStatus) {
        self = Self(rawValue: status.rawValue) ?? .failed
    }

    var model: FaxStatus { FaxStatus(rawValue: rawValue) ?? .failed }
}

extension Components.Schemas.FaxDetail {
    init(_ fax: FaxRecord, deliveries: [MailDelivery]) {
        self.init(
            summary: .init(fax), lineName: fax.lineName, bitRate: fax.session.bitRate, ecm: fax.session.ecm,
            resolution: fax.session.resolution, compression: fax.session.compression, localStationId: fax.session.localStationID,
            duration: fax.session.duration, completionCode: fax.session.completionCode, errorText: fax.session.errorText,
            statusString: fax.session.statusString, events: fax.events.map(Components.Schemas.LogEntry.init),
            deliveries: deliveries.map(Components.Schemas.Delivery.init))
    }
}

extension Components.Schemas.LogEntry {
    init(_ entry: FaxLogEntry) {
        self.init(time: entry.time, kind: entry.kind, text: entry.text)
    }
}

extension Components.Schemas.Delivery {
    init(_ delivery: MailDelivery) {
        self.init(
            id: delivery.id, recipient: delivery.recipient, format: .init(delivery.format),
            state: StatePayload(rawValue: delivery.state.rawValue) ?? .pending, attempts: delivery.attempts,
            nextAttemptAt: delivery.nextAttemptAt, lastError: delivery.lastError, deliveredAt: delivery.deliveredAt,
            createdAt: delivery.createdAt)
    }
}

extension Components.Schemas.DeliveryFormat {
    init(_ format: DeliveryFormat) {
        self = Self(rawValue: format.rawValue) ?? .pdf
    }

    var model: DeliveryFormat { DeliveryFormat(rawValue: rawValue) ?? .pdf }
}

extension Components.Schemas.Job {
    init(_ job: Job) {
        self.init(
            id: job.id ?? 0, broadcastId: job.broadcastID, number: job.number, state: .init(job.state), reason: job.reason,
            pages: job.pageCount, pagesConfirmed: job.pagesConfirmed, priority: job.priority, tries: job.tries, maxTries: job.maxTries,
            dials: job.dials, maxDials: job.maxDials, submittedAt: job.submittedAt, notBefore: job.notBefore, killAt: job.killAt,
            finishedAt: job.finishedAt, owner: job.owner, device: job.sender.deviceExtension, stationId: job.sender.stationID,
            tag: job.tag?.text, calls: job.attempts.map(Components.Schemas.JobCall.init))
    }
}

extension Components.Schemas.JobState {
    init(_ state: JobState) {
        self = Self(rawValue: state.rawValue) ?? .queued
    }

    var model: JobState { JobState(rawValue: rawValue) ?? .queued }
}

extension Components.Schemas.JobCall {
    init(_ attempt: JobAttempt) {
        self.init(
            startedAt: attempt.startedAt, endedAt: attempt.endedAt, line: attempt.lineName, firstPage: attempt.firstPage,
            pagesConfirmed: attempt.pagesConfirmed, cause: attempt.cause?.rawValue, result: attempt.result,
            remoteStationId: attempt.remoteStationID, bitRate: attempt.bitRate, events: attempt.events.map(Components.Schemas.LogEntry.init))
    }
}

extension Components.Schemas.ServerStatus {
    init(_ status: StatusReport) {
        self.init(
            version: status.version, startedAt: status.startedAt,
            lines: status.lines.map {
                Components.Schemas.StatusLine(
                    name: $0.name, state: $0.state, direction: $0.direction, faxId: $0.faxID, remoteNumber: $0.remoteNumber, since: $0.since)
            },
            inboundCalls: status.inboundCalls, outboundCalls: status.outboundCalls, succeeded: status.succeeded, failed: status.failed,
            refusedNoFreeLine: status.refusedNoFreeLine, freeDiskBytes: status.freeDiskBytes, refusingCalls: status.refusingCalls,
            outbound: status.outbound,
            queue: .init(additionalProperties: Dictionary(uniqueKeysWithValues: JobState.allCases.filter { !$0.isFinal }.map {
                ($0.rawValue, status.queue[$0] ?? 0)
            })),
            mailBacklog: status.mailBacklog)
    }
}

extension Components.Schemas.Device {
    init(_ device: FaxDevice, retention: RetentionOverride?) {
        self.init(
            _extension: device.extensionNumber, name: device.name, emails: device.emailAddresses, format: .init(device.deliveryFormat),
            stationId: device.stationID, header: device.headerText, enabled: device.isEnabled, group: device.group,
            retentionDays: retention?.days, zeroRetention: retention?.zeroRetention ?? false)
    }
}

extension Components.Schemas.Route {
    init(_ rule: RoutingRule) {
        self.init(
            id: rule.id ?? 0, position: rule.position, did: rule.didPattern?.text, caller: rule.callerPattern?.text,
            action: rule.targetExtension == nil ? .reject : .deliver, to: rule.targetExtension, _continue: rule.continueAfterMatch,
            enabled: rule.isEnabled, description: rule.description)
    }
}

extension Components.Schemas.RoutingTable {
    init(_ table: RoutingTable) {
        self.init(
            faxingEnabled: table.flags.globallyEnabled, disabledGroups: table.flags.disabledGroups.sorted(),
            rules: table.rules.sorted { $0.position < $1.position }.map(Components.Schemas.Route.init),
            defaultExtension: table.defaultExtension)
    }
}

extension Components.Schemas.Group {
    init(_ group: DeviceGroup) {
        self.init(
            name: group.name, enabled: group.isEnabled, retentionDays: group.retention?.days,
            zeroRetention: group.retention?.zeroRetention ?? false, devices: group.deviceExtensions)
    }
}

extension Components.Schemas.User {
    init(_ user: User) {
        self.init(
            name: user.name, displayName: user.displayName, email: user.email, admin: user.isAdmin, enabled: user.isEnabled,
            devices: user.deviceExtensions, hasPassword: user.hasPassword, createdAt: user.createdAt, lastLoginAt: user.lastLoginAt)
    }
}

extension Components.Schemas.TokenScope {
    init(_ scope: TokenScope) {
        self = Self(rawValue: scope.rawValue) ?? .read
    }

    var model: TokenScope { TokenScope(rawValue: rawValue) ?? .read }
}

extension Components.Schemas.Token {
    init(_ token: APIToken, now: Date) {
        self.init(
            id: token.id ?? 0, user: token.userName, scope: .init(token.scope), label: token.label,
            state: StatePayload(rawValue: token.state(at: now)) ?? .active, createdAt: token.createdAt, expiresAt: token.expiresAt,
            lastUsedAt: token.lastUsedAt, revokedAt: token.revokedAt)
    }
}

extension Components.Schemas.AuditEntry {
    init(_ entry: AuditEntry) {
        self.init(id: entry.id ?? 0, at: entry.at, kind: entry.kind.rawValue, actor: entry.actor, summary: entry.summary)
    }
}
