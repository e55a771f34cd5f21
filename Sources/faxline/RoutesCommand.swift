import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation
import Store

/// `faxline routes …`: the routing table for inbound faxes.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Show and edit the routing table for inbound faxes.",
        discussion: """
            Calls go first to the device whose extension is the called extension (or the DID), then \
            through the rules by position, then to the default route. Patterns: X any digit, Z 1-9, \
            N 2-9, [1-5] a set, . one or more characters, ! zero or more, * any number. Rules are \
            named by their position, the POS column of routes list.
            """,
        subcommands: [Add.self, List.self, Remove.self, Move.self, Default.self, Enable.self, Disable.self],
        defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a routing rule.")

        @Option(help: ArgumentHelp("Pattern for the called number (DID).", valueName: "pattern")) var did: String?
        @Option(help: ArgumentHelp("Pattern for the caller's number.", valueName: "pattern")) var caller: String?
        @Flag(help: "Match every call (a rule without --did or --caller).") var any = false
        @Option(help: ArgumentHelp("Deliver to the device with this extension.", valueName: "ext")) var to: String?
        @Flag(help: "Refuse the call.") var reject = false
        @Flag(name: .customLong("continue"), help: "Keep evaluating the rules below after this one matched.")
        var continueAfterMatch = false
        @Option(help: "Position in the table, 1 first (default: last).") var position: Int?
        @Option(help: "What the rule is for.") var description: String = ""
        @Flag(help: "Add it switched off.") var disabled = false
        @OptionGroup var data: DataOptions

        func validate() throws {
            guard (to != nil) != reject else { throw ValidationError("give either --to EXT or --reject") }
            if did == nil && caller == nil && !any {
                throw ValidationError("give --did or --caller; a rule for every call needs --any (it catches all calls no device takes)")
            }
            if any && (did != nil || caller != nil) { throw ValidationError("--any excludes --did and --caller") }
            if let position, position < 1 { throw ValidationError("--position must be 1 or more") }
        }

        func run() async throws {
            let rule = try reportingInvalidValues {
                try RoutingRule(
                    position: position ?? Int.max, didPattern: did.map(DialPattern.init),
                    callerPattern: caller.map(DialPattern.init),
                    action: to.map { .deliver(toExtension: $0) } ?? .reject, continueAfterMatch: continueAfterMatch,
                    isEnabled: !disabled, description: description)
            }
            let stored = try await DeviceAdministration(store: data.openDatabase()).addRule(rule, actor: CleanupCommand.actor, at: Date())
            print("Added the routing rule \(stored.summary) at position \(stored.position).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the routing table in the order it is evaluated.")

        @OptionGroup var data: DataOptions

        func run() async throws {
            let table = try await data.openDatabase().routingTable()
            print(Self.render(table))
        }

        static func render(_ table: RoutingTable) -> String {
            // Commands name a rule by its POS; the built-in lookup and the default route have none.
            var rows: [[String]] = [["-", "called ext or DID", "*", "device with that extension", "", "yes", "device lookup (built in)"]]
            for rule in table.rules.sorted(by: { $0.position < $1.position }) {
                let action = rule.targetExtension.map { "deliver to \($0)" } ?? "reject"
                rows.append([
                    String(rule.position), rule.didPattern?.text ?? "*",
                    rule.callerPattern?.text ?? "*", action, rule.continueAfterMatch ? "yes" : "", rule.isEnabled ? "yes" : "no",
                    rule.description,
                ])
            }
            rows.append([
                "-", "*", "*", table.defaultExtension.map { "deliver to \($0)" } ?? "refuse", "", "yes",
                "the default route: faxes nobody claimed",
            ])
            var lines = [
                "Faxing is " + (table.flags.globallyEnabled ? "enabled." : "DISABLED: every fax call is refused."),
            ]
            if !table.flags.disabledGroups.isEmpty {
                lines.append("Disabled groups: " + table.flags.disabledGroups.sorted().joined(separator: ", "))
            }
            lines.append(
                TextTable.render(header: ["POS", "DID", "CALLER", "ACTION", "CONTINUE", "ENABLED", "DESCRIPTION"], rows: rows))
            return lines.joined(separator: "\n")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a routing rule.")

        @Argument(help: ArgumentHelp("Position of the rule: the POS column of routes list.", valueName: "position"))
        var position: Int
        @OptionGroup var data: DataOptions

        func validate() throws {
            guard position >= 1 else { throw ValidationError("the position must be 1 or more (the POS column of routes list)") }
        }

        func run() async throws {
            let database = try data.openDatabase()
            let rule = try await RoutesCommand.rule(at: position, in: database)
            try await DeviceAdministration(store: database).removeRule(id: rule.id ?? 0, actor: CleanupCommand.actor, at: Date())
            print("Removed the routing rule at position \(position) (\(rule.summary)).")
        }
    }

    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a routing rule to another position.")

        @Argument(help: ArgumentHelp("Position of the rule now: the POS column of routes list.", valueName: "position"))
        var from: Int
        @Option(name: [.customLong("to"), .customLong("position")], help: "Its new position, 1 first.") var to: Int
        @OptionGroup var data: DataOptions

        func validate() throws {
            guard from >= 1 else { throw ValidationError("the position must be 1 or more (the POS column of routes list)") }
            guard to >= 1 else { throw ValidationError("--to must be 1 or more") }
        }

        func run() async throws {
            let database = try data.openDatabase()
            let rule = try await RoutesCommand.rule(at: from, in: database)
            let moved = try await DeviceAdministration(store: database)
                .changeRule(id: rule.id ?? 0, position: to, enabled: nil, actor: CleanupCommand.actor, at: Date())
            print("Moved the routing rule \(rule.summary) from position \(from) to \(moved.position).")
        }
    }

    struct Default: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set where faxes go that no device or rule claims.")

        @Option(help: ArgumentHelp("Deliver them to the device with this extension.", valueName: "ext")) var to: String?
        @Flag(help: "Refuse them.") var none = false
        @OptionGroup var data: DataOptions

        func validate() throws {
            guard (to != nil) != none else { throw ValidationError("give either --to EXT or --none") }
            if let to { _ = try reportingInvalidValues { try RoutingRule(action: .deliver(toExtension: to)) } }
        }

        func run() async throws {
            try await DeviceAdministration(store: data.openDatabase())
                .changeRouting(defaultExtension: .some(to), faxingEnabled: nil, actor: CleanupCommand.actor, at: Date())
            print(to.map { "Faxes nobody claims go to \($0)." } ?? "Faxes nobody claims are refused.")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable faxing, globally or for a group; or enable a rule.")

        @Option(help: "Enable this device group only.") var group: String?
        @Option(help: ArgumentHelp("Enable this routing rule only (its POS in routes list).", valueName: "position")) var rule: Int?
        @OptionGroup var data: DataOptions

        func validate() throws {
            if group != nil && rule != nil { throw ValidationError("--group and --rule exclude each other") }
        }

        func run() async throws {
            try await setEnabled(true, group: group, rule: rule, data: data)
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable faxing, globally or for a group; or disable a rule.", discussion: "A disable higher up wins: global, then group, then device.")

        @Option(help: "Disable this device group only.") var group: String?
        @Option(help: ArgumentHelp("Disable this routing rule only (its POS in routes list).", valueName: "position")) var rule: Int?
        @OptionGroup var data: DataOptions

        func validate() throws {
            if group != nil && rule != nil { throw ValidationError("--group and --rule exclude each other") }
        }

        func run() async throws {
            try await setEnabled(false, group: group, rule: rule, data: data)
        }
    }
}

extension RoutesCommand {
    /// The rule at a position of `routes list`, or an error that lists the positions there are.
    static func rule(at position: Int, in routing: any RoutingRepository) async throws -> RoutingRule {
        let rules = try await routing.routingTable().rules.sorted { $0.position < $1.position }
        guard let rule = rules.first(where: { $0.position == position }), rule.id != nil else {
            throw CommandFailure(rules.isEmpty
                ? "there are no routing rules (faxline routes list)"
                : "no routing rule at position \(position); the rules are at positions "
                    + rules.map { String($0.position) }.joined(separator: ", ") + " (faxline routes list)")
        }
        return rule
    }
}

private func setEnabled(_ enabled: Bool, group: String?, rule position: Int?, data: DataOptions) async throws {
    if let group { try reportingInvalidValues { try FaxDevice.validateGroupName(group) } }
    let routing = try data.openDatabase()
    let administration = DeviceAdministration(store: routing)
    if let group {
        try await RetentionGroupsCommand.requireKnownGroup(group, store: routing)
        try await administration.changeGroup(group, enabled: enabled, retention: RetentionChange(), actor: CleanupCommand.actor, at: Date())
    } else if let position {
        let rule = try await RoutesCommand.rule(at: position, in: routing)
        _ = try await administration.changeRule(id: rule.id ?? 0, position: nil, enabled: enabled, actor: CleanupCommand.actor, at: Date())
    } else {
        try await administration.changeRouting(defaultExtension: nil, faxingEnabled: enabled, actor: CleanupCommand.actor, at: Date())
    }
    let word = enabled ? "enabled" : "disabled"
    if let group {
        print("Faxing is \(word) for group \(group).")
    } else if let position {
        print("The routing rule at position \(position) is \(word).")
    } else {
        print("Faxing is \(word).")
    }
}
