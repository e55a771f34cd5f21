import FaxCore
import Foundation

/// Changes to the fax devices, the routing table and the device groups, each written to the
/// audit log with who made it (`actor`: "cli:alice" from the shell, the user's name from the
/// web app and the API) — the one way all three change them, so that the log misses none.
/// A change that changes nothing writes no entry. The caller has already asked `AccessPolicy`.
public struct DeviceAdministration: Sendable {
    public typealias Store = DeviceRepository & RoutingRepository & RetentionRepository
    private let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    // MARK: - Devices

    public func addDevice(_ device: FaxDevice, retention: RetentionChange, actor: String, at now: Date) async throws -> FaxDevice {
        let stored = try await store.addDevice(device, retention: retention)
        var facts = ["mail to \(stored.emailAddresses.joined(separator: ", ")) as \(stored.deliveryFormat.rawValue)"]
        if let group = stored.group { facts.append("group \(group)") }
        if !stored.isEnabled { facts.append("switched off") }
        let own = try await store.retentionOverrides().devices[stored.extensionNumber]
        if own != nil { facts.append("retention \(RetentionOverride.describe(own))") }
        try await audit(.deviceAdded, actor: actor, at: now, "added device \(Self.name(stored)) (\(facts.joined(separator: "; ")))")
        return stored
    }

    public func changeDevice(extension number: String, _ changes: FaxDevice.Changes, retention: RetentionChange,
                             actor: String, at now: Date) async throws -> FaxDevice {
        guard let before = try await store.device(extension: number) else { throw RepositoryError.notFound("fax device \(number)") }
        let retentionBefore = try await store.retentionOverrides().devices[number]
        let after = try await store.changeDevice(extension: number, changes, retention: retention)
        let retentionAfter = try await store.retentionOverrides().devices[number]
        var differences = Self.differences(before, after)
        if retentionBefore != retentionAfter {
            differences.append(
                "retention \(RetentionOverride.describe(retentionBefore)) → \(RetentionOverride.describe(retentionAfter))")
        }
        if !differences.isEmpty {
            try await audit(.deviceChanged, actor: actor, at: now,
                            "changed device \(Self.name(after)): \(differences.joined(separator: ", "))")
        }
        return after
    }

    public func setDeviceEnabled(_ enabled: Bool, extension number: String, actor: String, at now: Date) async throws {
        guard let device = try await store.device(extension: number) else { throw RepositoryError.notFound("fax device \(number)") }
        guard device.isEnabled != enabled else { return }
        try await store.setDeviceEnabled(enabled, extension: number)
        try await audit(.deviceChanged, actor: actor, at: now, "switched device \(Self.name(device)) \(enabled ? "on" : "off")")
    }

    /// The device's faxes stay; a rule or the default route that points at it refuses.
    public func removeDevice(extension number: String, actor: String, at now: Date) async throws {
        guard let device = try await store.device(extension: number) else { throw RepositoryError.notFound("fax device \(number)") }
        try await store.removeDevice(extension: number)
        try await audit(.deviceRemoved, actor: actor, at: now, "removed device \(Self.name(device)) (its faxes stay)")
    }

    // MARK: - Routing

    public func addRule(_ rule: RoutingRule, actor: String, at now: Date) async throws -> RoutingRule {
        let stored = try await store.addRule(rule)
        try await audit(.routeAdded, actor: actor, at: now, "added the routing rule \(Self.describe(stored))")
        return stored
    }

    /// Moves the rule and/or switches it; the rule as it is afterwards.
    public func changeRule(id: Int64, position: Int?, enabled: Bool?, actor: String, at now: Date) async throws -> RoutingRule {
        let before = try await rule(id: id)
        if let position, position != before.position { try await store.moveRule(id: id, to: position) }
        if let enabled, enabled != before.isEnabled { try await store.setRuleEnabled(enabled, id: id) }
        let after = try await rule(id: id)
        var differences: [String] = []
        if after.position != before.position { differences.append("moved from position \(before.position) to \(after.position)") }
        if after.isEnabled != before.isEnabled { differences.append(after.isEnabled ? "switched on" : "switched off") }
        if !differences.isEmpty {
            try await audit(.routeChanged, actor: actor, at: now,
                            "changed the routing rule \(after.summary): \(differences.joined(separator: ", "))")
        }
        return after
    }

    public func removeRule(id: Int64, actor: String, at now: Date) async throws {
        let rule = try await rule(id: id)
        try await store.removeRule(id: id)
        try await audit(.routeRemoved, actor: actor, at: now, "removed the routing rule \(Self.describe(rule))")
    }

    /// `defaultExtension` `.some(nil)` refuses faxes nobody claims; `nil` leaves it.
    public func changeRouting(defaultExtension: String??, faxingEnabled: Bool?, actor: String, at now: Date) async throws {
        let before = try await store.routingTable()
        var differences: [String] = []
        if let defaultExtension, defaultExtension != before.defaultExtension {
            try await store.setDefaultExtension(defaultExtension)
            differences.append(defaultExtension.map { "faxes nobody claims go to \($0)" } ?? "faxes nobody claims are refused")
        }
        if let faxingEnabled, faxingEnabled != before.flags.globallyEnabled {
            try await store.setFaxingEnabled(faxingEnabled)
            differences.append(faxingEnabled ? "faxing enabled" : "faxing disabled: every fax call is refused")
        }
        guard !differences.isEmpty else { return }
        try await audit(.routingChanged, actor: actor, at: now, "changed the routing: \(differences.joined(separator: ", "))")
    }

    // MARK: - Groups

    /// Switches the group and/or changes its retention; a refused period changes nothing.
    public func changeGroup(_ name: String, enabled: Bool?, retention: RetentionChange, actor: String, at now: Date) async throws {
        try retention.validate()
        let disabledBefore = try await store.routingTable().flags.disabledGroups.contains(name)
        let retentionBefore = try await groupRetention(name)
        if let enabled, enabled == disabledBefore { try await store.setGroupEnabled(enabled, group: name) }
        // Without any change the row is still written: that is how a group gets one to list.
        if !retention.isEmpty || enabled == nil { try await store.changeGroupRetention(retention, group: name) }
        let retentionAfter = try await groupRetention(name)
        var differences: [String] = []
        if let enabled, enabled == disabledBefore { differences.append(enabled ? "faxing enabled" : "faxing disabled") }
        if retentionBefore != retentionAfter {
            differences.append(
                "retention \(RetentionOverride.describe(retentionBefore)) → \(RetentionOverride.describe(retentionAfter))")
        }
        guard !differences.isEmpty else { return }
        try await audit(.groupChanged, actor: actor, at: now, "changed group \(name): \(differences.joined(separator: ", "))")
    }

    // MARK: -

    private func rule(id: Int64) async throws -> RoutingRule {
        guard let rule = try await store.routingTable().rules.first(where: { $0.id == id }) else {
            throw RepositoryError.notFound("routing rule \(id)")
        }
        return rule
    }

    private func groupRetention(_ name: String) async throws -> RetentionOverride? {
        let override = try await store.groupRetentions().first { $0.group == name }?.override
        return override?.isEmpty == false ? override : nil
    }

    private func audit(_ kind: AuditEntry.Kind, actor: String, at now: Date, _ summary: String) async throws {
        try await store.appendAudit(AuditEntry(at: now, kind: kind, actor: actor, summary: summary))
    }

    /// "203 · Customer support".
    private static func name(_ device: FaxDevice) -> String { "\(device.extensionNumber) · \(device.name)" }

    /// "at position 2: DID 5550[1-3]XX → 201 (sales DIDs), switched off".
    private static func describe(_ rule: RoutingRule) -> String {
        "at position \(rule.position): \(rule.summary)" + (rule.description.isEmpty ? "" : " (\(rule.description))")
            + (rule.isEnabled ? "" : ", switched off")
    }

    private static func differences(_ before: FaxDevice, _ after: FaxDevice) -> [String] {
        func text(_ value: String) -> String { value.isEmpty ? "none" : value }
        var differences: [String] = []
        if before.name != after.name { differences.append("name \(before.name) → \(after.name)") }
        if before.emailAddresses != after.emailAddresses {
            differences.append("mail to \(before.emailAddresses.joined(separator: ", ")) → \(after.emailAddresses.joined(separator: ", "))")
        }
        if before.deliveryFormat != after.deliveryFormat {
            differences.append("format \(before.deliveryFormat.rawValue) → \(after.deliveryFormat.rawValue)")
        }
        if before.stationID != after.stationID { differences.append("station id \(text(before.stationID)) → \(text(after.stationID))") }
        if before.headerText != after.headerText { differences.append("page header \(text(before.headerText)) → \(text(after.headerText))") }
        if before.isEnabled != after.isEnabled { differences.append(after.isEnabled ? "switched on" : "switched off") }
        if before.group != after.group { differences.append("group \(before.group ?? "none") → \(after.group ?? "none")") }
        return differences
    }
}
