/// The numbers of an inbound call that routing looks at (AGI's `agi_extension`, `agi_dnid`,
/// `agi_callerid`).
public struct InboundCall: Sendable, Equatable {
    public var calledExtension: String
    public var did: String
    public var callerNumber: String
    /// The device the dialplan named (`AGI(…/inbound?device=201)`): the call goes to it or is
    /// refused; no rule and no default route is asked.
    public var requestedDevice: String?

    public init(calledExtension: String, did: String = "", callerNumber: String = "", requestedDevice: String? = nil) {
        self.calledExtension = calledExtension
        self.did = did
        self.callerNumber = callerNumber
        self.requestedDevice = requestedDevice
    }
}

/// Which entry of the routing table selected a device.
public enum RouteMatch: Sendable, Equatable, CustomStringConvertible {
    case deviceLookup(extension: String)
    case rule(id: Int64?, position: Int)
    case defaultRoute(extension: String)

    public var description: String {
        switch self {
        case .deviceLookup(let number): "device lookup (\(number))"
        case .rule(let id, let position): "rule \(id.map(String.init) ?? "?") at position \(position)"
        case .defaultRoute(let number): "default route (\(number))"
        }
    }
}

/// Why a call, or one device of it, gets no fax.
public enum RoutingRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case noDevice
    /// The dialplan named a device that does not exist.
    case noSuchDevice(extension: String)
    case disabledGlobally
    case disabledForGroup(group: String, extension: String)
    case disabledForDevice(extension: String)
    case rejectedByRule(id: Int64?, description: String)

    public var description: String {
        switch self {
        case .noDevice: "no fax device for this call"
        case .noSuchDevice(let number): "no fax device \(number) (named by the dialplan's ?device=)"
        case .disabledGlobally: "faxing is disabled"
        case .disabledForGroup(let group, let number): "faxing is disabled for group \(group) (device \(number))"
        case .disabledForDevice(let number): "fax device \(number) is disabled"
        case .rejectedByRule(let id, let text):
            "rejected by routing rule \(id.map(String.init) ?? "?")" + (text.isEmpty ? "" : " (\(text))")
        }
    }
}

public struct RoutePlan: Sendable, Equatable {
    /// Devices to deliver to, in routing order, each once.
    public var devices: [FaxDevice]
    /// The table entries that matched, in order (for the fax's event log).
    public var matches: [RouteMatch]
    /// Devices that matched but are switched off.
    public var skipped: [RoutingRefusal]
}

public enum RoutingDecision: Sendable, Equatable {
    case deliver(RoutePlan)
    case refuse(RoutingRefusal)

    public var devices: [FaxDevice] {
        if case .deliver(let plan) = self { return plan.devices }
        return []
    }

    public var refusal: RoutingRefusal? {
        if case .refuse(let refusal) = self { return refusal }
        return nil
    }
}

/// Decides where an inbound fax goes. Pure: the same call, devices and table always give the
/// same decision.
///
/// Order: the built-in device lookup (called extension, then DID, equal to a device's
/// extension) ends routing when it finds a device; then the enabled user rules by position —
/// a matching `deliver` rule adds its device and ends routing unless it continues after match,
/// a matching `reject` rule refuses the call outright; then, if no device was collected, the
/// default route. Devices switched off (globally, by group, by device flag) are dropped; if
/// none is left the call is refused with the reason of the first one dropped. A call whose
/// dialplan named a device goes to that device only.
public enum FaxRouter {
    public static func route(_ call: InboundCall, devices: [FaxDevice], table: RoutingTable) -> RoutingDecision {
        guard table.flags.globallyEnabled else { return .refuse(.disabledGlobally) }
        var byExtension: [String: FaxDevice] = [:]
        for device in devices { byExtension[device.extensionNumber] = device }

        var selected: [(FaxDevice, RouteMatch)] = []
        if let requested = call.requestedDevice {
            guard let device = byExtension[requested] else { return .refuse(.noSuchDevice(extension: requested)) }
            selected.append((device, .deviceLookup(extension: device.extensionNumber)))
        } else if let device = byExtension[call.calledExtension] ?? (call.did.isEmpty ? nil : byExtension[call.did]) {
            selected.append((device, .deviceLookup(extension: device.extensionNumber)))
        } else {
            let did = call.did.isEmpty ? call.calledExtension : call.did
            let rules = table.rules.enumerated().sorted { ($0.element.position, $0.offset) < ($1.element.position, $1.offset) }
            for rule in rules.map(\.element) where rule.isEnabled && rule.matches(did: did, callerNumber: call.callerNumber) {
                switch rule.action {
                case .reject:
                    return .refuse(.rejectedByRule(id: rule.id, description: rule.description))
                case .deliver(let target):
                    if let device = byExtension[target] {
                        selected.append((device, .rule(id: rule.id, position: rule.position)))
                    }
                }
                if !rule.continueAfterMatch { break }
            }
            if selected.isEmpty, let target = table.defaultExtension, let device = byExtension[target] {
                selected.append((device, .defaultRoute(extension: target)))
            }
        }

        var plan = RoutePlan(devices: [], matches: [], skipped: [])
        var seen = Set<String>()
        for (device, match) in selected where seen.insert(device.extensionNumber).inserted {
            if let group = device.group, !table.flags.isGroupEnabled(group) {
                plan.skipped.append(.disabledForGroup(group: group, extension: device.extensionNumber))
            } else if !device.isEnabled {
                plan.skipped.append(.disabledForDevice(extension: device.extensionNumber))
            } else {
                plan.devices.append(device)
                plan.matches.append(match)
            }
        }
        if plan.devices.isEmpty { return .refuse(plan.skipped.first ?? .noDevice) }
        return .deliver(plan)
    }
}
