import Accounts
import FaxCore
import Foundation

extension FaxlineAPI {
    // MARK: - Devices

    func listDevices(_ input: Operations.ListDevices.Input) async throws -> Operations.ListDevices.Output {
        _ = try principal(allowedTo: .administer(.devices))
        let overrides = try await services.administration.retentionOverrides()
        let devices = try await services.administration.devices()
        return .ok(.init(body: .json(devices.map { Components.Schemas.Device($0, retention: overrides.devices[$0.extensionNumber]) })))
    }

    func addDevice(_ input: Operations.AddDevice.Input) async throws -> Operations.AddDevice.Output {
        let principal = try principal(allowedTo: .administer(.devices))
        guard case .json(let new) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let device = try FaxDevice(
            extensionNumber: new._extension, name: new.name, emailAddresses: new.emails, deliveryFormat: new.format?.model ?? .pdf,
            stationID: new.stationId ?? "", headerText: new.header ?? "", isEnabled: new.enabled ?? true, group: new.group)
        let stored = try await services.administration.addDevice(
            device, retention: Self.retentionChange(days: new.retentionDays, zeroRetention: new.zeroRetention), actor: Self.actor(principal))
        return .created(.init(body: .json(try await deviceRepresentation(stored))))
    }

    func getDevice(_ input: Operations.GetDevice.Input) async throws -> Operations.GetDevice.Output {
        _ = try principal(allowedTo: .administer(.devices))
        guard let device = try await services.administration.device(extension: input.path._extension) else {
            throw APIProblem.notFound("fax device \(input.path._extension)")
        }
        return .ok(.init(body: .json(try await deviceRepresentation(device))))
    }

    func changeDevice(_ input: Operations.ChangeDevice.Input) async throws -> Operations.ChangeDevice.Output {
        let principal = try principal(allowedTo: .administer(.devices))
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let changes = FaxDevice.Changes(
            name: body.name, emailAddresses: body.emails, deliveryFormat: body.format?.model, stationID: body.stationId,
            headerText: body.header, isEnabled: body.enabled, group: body.group.map { $0.isEmpty ? .remove : .set($0) })
        let changed = try await services.administration.changeDevice(
            extension: input.path._extension, changes,
            retention: Self.retentionChange(days: body.retentionDays, zeroRetention: body.zeroRetention), actor: Self.actor(principal))
        return .ok(.init(body: .json(try await deviceRepresentation(changed))))
    }

    func removeDevice(_ input: Operations.RemoveDevice.Input) async throws -> Operations.RemoveDevice.Output {
        let principal = try principal(allowedTo: .administer(.devices))
        try await services.administration.removeDevice(extension: input.path._extension, actor: Self.actor(principal))
        return .noContent(.init())
    }

    private func deviceRepresentation(_ device: FaxDevice) async throws -> Components.Schemas.Device {
        let overrides = try await services.administration.retentionOverrides()
        return Components.Schemas.Device(device, retention: overrides.devices[device.extensionNumber])
    }

    // MARK: - Routing

    func getRoutingTable(_ input: Operations.GetRoutingTable.Input) async throws -> Operations.GetRoutingTable.Output {
        _ = try principal(allowedTo: .administer(.routes))
        return .ok(.init(body: .json(.init(try await services.administration.routingTable()))))
    }

    func addRoute(_ input: Operations.AddRoute.Input) async throws -> Operations.AddRoute.Output {
        let principal = try principal(allowedTo: .administer(.routes))
        guard case .json(let new) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let reject = new.reject ?? false
        guard (new.to != nil) != reject else {
            throw APIProblem(.unprocessableContent, "give either to (a device) or reject: true", title: "Invalid value", field: "to")
        }
        let rule = try RoutingRule(
            position: new.position ?? Int.max, didPattern: new.did.map(DialPattern.init), callerPattern: new.caller.map(DialPattern.init),
            action: new.to.map { .deliver(toExtension: $0) } ?? .reject, continueAfterMatch: new._continue ?? false,
            isEnabled: new.enabled ?? true, description: new.description ?? "")
        return .created(.init(body: .json(.init(try await services.administration.addRule(rule, actor: Self.actor(principal))))))
    }

    func changeRouting(_ input: Operations.ChangeRouting.Input) async throws -> Operations.ChangeRouting.Output {
        let principal = try principal(allowedTo: .administer(.routes))
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let defaultExtension: String?? = try body.defaultExtension.map { text in
            text.isEmpty ? String?.none : try Self.extensionNumber(text, field: "defaultExtension")
        }
        try await services.administration.changeRouting(
            defaultExtension: defaultExtension, faxingEnabled: body.faxingEnabled, actor: Self.actor(principal))
        return .ok(.init(body: .json(.init(try await services.administration.routingTable()))))
    }

    func changeRoute(_ input: Operations.ChangeRoute.Input) async throws -> Operations.ChangeRoute.Output {
        let principal = try principal(allowedTo: .administer(.routes))
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let rule = try await services.administration.changeRule(
            id: input.path.routeId, position: body.position, enabled: body.enabled, actor: Self.actor(principal))
        return .ok(.init(body: .json(.init(rule))))
    }

    func removeRoute(_ input: Operations.RemoveRoute.Input) async throws -> Operations.RemoveRoute.Output {
        let principal = try principal(allowedTo: .administer(.routes))
        try await services.administration.removeRule(id: input.path.routeId, actor: Self.actor(principal))
        return .noContent(.init())
    }

    // MARK: - Groups and retention

    func listGroups(_ input: Operations.ListGroups.Input) async throws -> Operations.ListGroups.Output {
        _ = try principal(allowedTo: .administer(.groups))
        return .ok(.init(body: .json(try await services.administration.groups().map(Components.Schemas.Group.init))))
    }

    func changeGroup(_ input: Operations.ChangeGroup.Input) async throws -> Operations.ChangeGroup.Output {
        let principal = try principal(allowedTo: .administer(.groups))
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        try FaxDevice.validateGroupName(input.path.group)
        let group = try await services.administration.changeGroup(
            input.path.group, enabled: body.enabled, retention: Self.retentionChange(days: body.retentionDays, zeroRetention: body.zeroRetention),
            actor: Self.actor(principal))
        return .ok(.init(body: .json(.init(group))))
    }

    func getRetention(_ input: Operations.GetRetention.Input) async throws -> Operations.GetRetention.Output {
        _ = try principal(allowedTo: .administer(.retention))
        let policy = services.administration.retentionPolicy
        return .ok(.init(body: .json(.init(
            receivedDays: policy.receivedFaxDays, sentDays: policy.sentFaxDays, recordsDays: policy.finishedRecordDays,
            temporaryHours: policy.temporaryFileHours, minimumDays: RetentionPolicy.minimumDays))))
    }

    // MARK: - Audit log

    func listAuditEntries(_ input: Operations.ListAuditEntries.Input) async throws -> Operations.ListAuditEntries.Output {
        _ = try principal(allowedTo: .administer(.auditLog))
        let query = input.query
        if let since = query.since, let until = query.until, until <= since {
            throw APIProblem.badRequest("until must be after since", field: "until")
        }
        let kinds = try (query.kind ?? []).map { text in
            guard let kind = AuditEntry.Kind(rawValue: text) else {
                throw APIProblem.badRequest(
                    "unknown kind \(text.prefix(40)); the kinds are " + AuditEntry.Kind.allCases.map(\.rawValue).joined(separator: ", "),
                    field: "kind")
            }
            return kind
        }
        let page = try await services.administration.auditPage(AuditQuery(
            limit: try Self.limit(query.limit), cursor: query.cursor, actor: query.actor, kinds: Set(kinds), since: query.since,
            until: query.until))
        // The array body has no room for the next page's cursor: a header carries it.
        return .ok(.init(headers: .init(faxlineNextCursor: page.nextCursor), body: .json(page.items.map(Components.Schemas.AuditEntry.init))))
    }
}

extension FaxlineAPI {
    /// A retention change from the request's fields: 0 days goes back to the default.
    static func retentionChange(days: Int?, zeroRetention: Bool?) -> RetentionChange {
        RetentionChange(days: days.map { $0 == 0 ? .clear : .set($0) }, zeroRetention: zeroRetention)
    }
}
