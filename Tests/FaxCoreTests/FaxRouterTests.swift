import Testing

@testable import FaxCore

@Suite struct FaxRouterTests {
    let devices: [FaxDevice]

    init() throws {
        devices = [
            try FaxDevice(extensionNumber: "200", name: "Desk", emailAddresses: ["desk@example.com"]),
            try FaxDevice(extensionNumber: "201", name: "Sales", emailAddresses: ["sales@example.com"], group: "sales"),
            try FaxDevice(extensionNumber: "202", name: "Archive", emailAddresses: ["archive@example.com"]),
            try FaxDevice(extensionNumber: "203", name: "Off", emailAddresses: ["off@example.com"], isEnabled: false),
            try FaxDevice(extensionNumber: "204", name: "Sales 2", emailAddresses: ["s2@example.com"], group: "sales"),
        ]
    }

    func rule(
        _ id: Int64, _ position: Int, did: String? = nil, caller: String? = nil, to target: String? = nil,
        continue continues: Bool = false, enabled: Bool = true
    ) throws -> RoutingRule {
        try RoutingRule(
            id: id, position: position, didPattern: did.map(DialPattern.init), callerPattern: caller.map(DialPattern.init),
            action: target.map { .deliver(toExtension: $0) } ?? .reject, continueAfterMatch: continues, isEnabled: enabled,
            description: "rule \(id)")
    }

    func extensions(_ decision: RoutingDecision) -> [String] { decision.devices.map(\.extensionNumber) }

    @Test func deviceLookupByCalledExtensionComesFirst() throws {
        let table = RoutingTable(rules: [try rule(1, 1, to: "202")])
        let decision = FaxRouter.route(InboundCall(calledExtension: "200", did: "4930555", callerNumber: "123"), devices: devices, table: table)
        #expect(extensions(decision) == ["200"])
        guard case .deliver(let plan) = decision else { Issue.record("refused"); return }
        #expect(plan.matches == [.deviceLookup(extension: "200")])
    }

    @Test("a device the dialplan names gets the call, or nobody does: no rule, no default route")
    func requestedDevice() throws {
        let table = RoutingTable(rules: [try rule(1, 1, to: "202")], defaultExtension: "200",
                                 flags: FaxEnableFlags(disabledGroups: ["sales"]))
        let named = FaxRouter.route(InboundCall(calledExtension: "202", did: "4930555", requestedDevice: "202"), devices: devices, table: table)
        #expect(extensions(named) == ["202"])
        let missing = FaxRouter.route(InboundCall(calledExtension: "777", did: "4930555", requestedDevice: "777"), devices: devices, table: table)
        #expect(missing == .refuse(.noSuchDevice(extension: "777")))
        #expect(missing.refusal?.description == "no fax device 777 (named by the dialplan's ?device=)")
        let disabled = FaxRouter.route(InboundCall(calledExtension: "201", requestedDevice: "201"), devices: devices, table: table)
        #expect(disabled == .refuse(.disabledForGroup(group: "sales", extension: "201")))
    }

    @Test func deviceLookupFallsBackToTheDID() {
        let decision = FaxRouter.route(InboundCall(calledExtension: "s", did: "202"), devices: devices, table: RoutingTable())
        #expect(extensions(decision) == ["202"])
    }

    @Test func rulesAreEvaluatedByPositionAndTheFirstMatchWins() throws {
        // Given out of order on purpose.
        let table = RoutingTable(rules: [try rule(1, 2, did: "_49XXX", to: "202"), try rule(2, 1, did: "_49.", to: "201")])
        let decision = FaxRouter.route(InboundCall(calledExtension: "49123", did: "49123"), devices: devices, table: table)
        #expect(extensions(decision) == ["201"])
    }

    @Test func continueAfterMatchCollectsSeveralDevicesOnce() throws {
        let table = RoutingTable(rules: [
            try rule(1, 1, did: "_49.", to: "202", continue: true),
            try rule(2, 2, caller: "_030.", to: "201", continue: true),
            try rule(3, 3, to: "202", continue: true),
            try rule(4, 4, to: "200"),
            try rule(5, 5, to: "204"),
        ])
        let decision = FaxRouter.route(
            InboundCall(calledExtension: "4955", did: "4955", callerNumber: "0301234"), devices: devices, table: table)
        #expect(extensions(decision) == ["202", "201", "200"])
        guard case .deliver(let plan) = decision else { Issue.record("refused"); return }
        #expect(plan.matches == [.rule(id: 1, position: 1), .rule(id: 2, position: 2), .rule(id: 4, position: 4)])
    }

    @Test func callerPatternAloneAndDidFallbackToCalledExtension() throws {
        let table = RoutingTable(rules: [try rule(1, 1, did: "_8XX", caller: "_0800.", to: "202")])
        #expect(extensions(FaxRouter.route(InboundCall(calledExtension: "812", callerNumber: "08001"), devices: devices, table: table)) == ["202"])
        #expect(FaxRouter.route(InboundCall(calledExtension: "812", callerNumber: "0900"), devices: devices, table: table).refusal == .noDevice)
    }

    @Test func disabledRulesAreSkipped() throws {
        let table = RoutingTable(rules: [try rule(1, 1, to: "201", enabled: false), try rule(2, 2, to: "202")])
        #expect(extensions(FaxRouter.route(InboundCall(calledExtension: "999"), devices: devices, table: table)) == ["202"])
    }

    @Test func rejectRuleRefusesEvenAfterCollectedDevices() throws {
        let table = RoutingTable(
            rules: [try rule(1, 1, to: "202", continue: true), try rule(2, 2, caller: "_0900.")], defaultExtension: "200")
        let decision = FaxRouter.route(InboundCall(calledExtension: "999", callerNumber: "09001"), devices: devices, table: table)
        #expect(decision.refusal == .rejectedByRule(id: 2, description: "rule 2"))
        #expect(decision.devices.isEmpty)
        #expect(decision.refusal?.description.contains("rule 2") == true)
    }

    @Test func defaultRouteTakesWhatNobodyClaimed() throws {
        let table = RoutingTable(rules: [try rule(1, 1, did: "_5XX", to: "201")], defaultExtension: "202")
        let decision = FaxRouter.route(InboundCall(calledExtension: "999"), devices: devices, table: table)
        #expect(extensions(decision) == ["202"])
        guard case .deliver(let plan) = decision else { Issue.record("refused"); return }
        #expect(plan.matches == [.defaultRoute(extension: "202")])
    }

    @Test func noDefaultRouteRefuses() {
        #expect(FaxRouter.route(InboundCall(calledExtension: "999"), devices: devices, table: RoutingTable()).refusal == .noDevice)
        // A default pointing at a device that no longer exists refuses as well.
        let table = RoutingTable(defaultExtension: "777")
        #expect(FaxRouter.route(InboundCall(calledExtension: "999"), devices: devices, table: table).refusal == .noDevice)
    }

    @Test func ruleWhoseDeviceIsMissingLeavesTheFaxToTheDefault() throws {
        let table = RoutingTable(rules: [try rule(1, 1, to: "777")], defaultExtension: "200")
        #expect(extensions(FaxRouter.route(InboundCall(calledExtension: "999"), devices: devices, table: table)) == ["200"])
    }

    @Test func globalDisableWinsOverEverything() {
        let table = RoutingTable(defaultExtension: "200", flags: FaxEnableFlags(globallyEnabled: false))
        #expect(FaxRouter.route(InboundCall(calledExtension: "200"), devices: devices, table: table).refusal == .disabledGlobally)
    }

    @Test func groupDisableRefusesEnabledDevicesOfTheGroup() {
        let table = RoutingTable(flags: FaxEnableFlags(disabledGroups: ["sales"]))
        #expect(
            FaxRouter.route(InboundCall(calledExtension: "201"), devices: devices, table: table).refusal
                == .disabledForGroup(group: "sales", extension: "201"))
        #expect(extensions(FaxRouter.route(InboundCall(calledExtension: "200"), devices: devices, table: table)) == ["200"])
    }

    @Test func groupDisableIsReportedBeforeTheDeviceFlag() throws {
        var offInSales = devices
        offInSales[1].isEnabled = false
        let table = RoutingTable(flags: FaxEnableFlags(disabledGroups: ["sales"]))
        #expect(
            FaxRouter.route(InboundCall(calledExtension: "201"), devices: offInSales, table: table).refusal
                == .disabledForGroup(group: "sales", extension: "201"))
    }

    @Test func disabledDeviceIsRefusedAndNotReplacedByTheDefault() {
        let table = RoutingTable(defaultExtension: "200")
        #expect(
            FaxRouter.route(InboundCall(calledExtension: "203"), devices: devices, table: table).refusal
                == .disabledForDevice(extension: "203"))
    }

    @Test func disabledDevicesAreDroppedFromACollectionAndReported() throws {
        let table = RoutingTable(
            rules: [try rule(1, 1, to: "203", continue: true), try rule(2, 2, to: "201", continue: true), try rule(3, 3, to: "202")],
            flags: FaxEnableFlags(disabledGroups: ["sales"]))
        let decision = FaxRouter.route(InboundCall(calledExtension: "999"), devices: devices, table: table)
        #expect(extensions(decision) == ["202"])
        guard case .deliver(let plan) = decision else { Issue.record("refused"); return }
        #expect(plan.skipped == [.disabledForDevice(extension: "203"), .disabledForGroup(group: "sales", extension: "201")])
    }

    @Test func enablingAGroupAgainRestoresDelivery() {
        let table = RoutingTable(flags: FaxEnableFlags(disabledGroups: ["support"]))
        #expect(extensions(FaxRouter.route(InboundCall(calledExtension: "204"), devices: devices, table: table)) == ["204"])
    }
}
