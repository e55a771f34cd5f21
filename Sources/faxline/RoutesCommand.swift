import ArgumentParser
import FaxCore
import Store

/// `faxline routes …`: the routing table for inbound faxes.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Show and edit the routing table for inbound faxes.",
        discussion: """
            Calls go first to the device whose extension is the called extension (or the DID), then \
            through the rules by position, then to the default route. Patterns: X any digit, Z 1-9, \
            N 2-9, [1-5] a set, . one or more characters, ! zero or more, * any number.
            """,
        subcommands: [Add.self, List.self, Remove.self, Move.self, Default.self, Enable.self, Disable.self],
        defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a routing rule.")

        @Option(help: ArgumentHelp("Pattern for the called number (DID).", valueName: "pattern")) var did: String?
        @Option(help: ArgumentHelp("Pattern for the caller's number.", valueName: "pattern")) var caller: String?
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
            if let position, position < 1 { throw ValidationError("--position must be 1 or more") }
            if reject && continueAfterMatch { throw ValidationError("--continue does not apply to --reject") }
        }

        func run() async throws {
            let rule = try reportingInvalidValues {
                try RoutingRule(
                    position: position ?? Int.max, didPattern: did.map(DialPattern.init),
                    callerPattern: caller.map(DialPattern.init),
                    action: to.map { .deliver(toExtension: $0) } ?? .reject, continueAfterMatch: continueAfterMatch,
                    isEnabled: !disabled, description: description)
            }
            let stored = try await data.openDatabase().addRule(rule)
            print("Added routing rule \(stored.id ?? 0) at position \(stored.position).")
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
            var rows: [[String]] = [["-", "built-in", "called ext or DID", "*", "device with that extension", "", "yes", "device lookup"]]
            for rule in table.rules.sorted(by: { $0.position < $1.position }) {
                let action = rule.targetExtension.map { "deliver to \($0)" } ?? "reject"
                rows.append([
                    String(rule.position), rule.id.map(String.init) ?? "?", rule.didPattern?.text ?? "*",
                    rule.callerPattern?.text ?? "*", action, rule.continueAfterMatch ? "yes" : "", rule.isEnabled ? "yes" : "no",
                    rule.description,
                ])
            }
            rows.append([
                "-", "default", "*", "*", table.defaultExtension.map { "deliver to \($0)" } ?? "refuse", "", "yes",
                "faxes nobody claimed",
            ])
            var lines = [
                "Faxing is " + (table.flags.globallyEnabled ? "enabled." : "DISABLED: every fax call is refused."),
            ]
            if !table.flags.disabledGroups.isEmpty {
                lines.append("Disabled groups: " + table.flags.disabledGroups.sorted().joined(separator: ", "))
            }
            lines.append(
                TextTable.render(header: ["POS", "ID", "DID", "CALLER", "ACTION", "CONTINUE", "ENABLED", "DESCRIPTION"], rows: rows))
            return lines.joined(separator: "\n")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a routing rule.")

        @Argument(help: "Id of the rule (see routes list).") var id: Int64
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await data.openDatabase().removeRule(id: id)
            print("Removed routing rule \(id).")
        }
    }

    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a routing rule to another position.")

        @Argument(help: "Id of the rule (see routes list).") var id: Int64
        @Option(help: "New position, 1 first.") var position: Int
        @OptionGroup var data: DataOptions

        func validate() throws {
            guard position >= 1 else { throw ValidationError("--position must be 1 or more") }
        }

        func run() async throws {
            try await data.openDatabase().moveRule(id: id, to: position)
            print("Moved routing rule \(id).")
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
            try await data.openDatabase().setDefaultExtension(to)
            print(to.map { "Faxes nobody claims go to \($0)." } ?? "Faxes nobody claims are refused.")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable faxing, globally or for a group; or enable a rule.")

        @Option(help: "Enable this device group only.") var group: String?
        @Option(help: ArgumentHelp("Enable this routing rule only.", valueName: "id")) var rule: Int64?
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
        @Option(help: ArgumentHelp("Disable this routing rule only.", valueName: "id")) var rule: Int64?
        @OptionGroup var data: DataOptions

        func validate() throws {
            if group != nil && rule != nil { throw ValidationError("--group and --rule exclude each other") }
        }

        func run() async throws {
            try await setEnabled(false, group: group, rule: rule, data: data)
        }
    }
}

private func setEnabled(_ enabled: Bool, group: String?, rule: Int64?, data: DataOptions) async throws {
    if let group { try reportingInvalidValues { try FaxDevice.validateGroupName(group) } }
    let routing = try data.openDatabase()
    if let group {
        try await routing.setGroupEnabled(enabled, group: group)
    } else if let rule {
        try await routing.setRuleEnabled(enabled, id: rule)
    } else {
        try await routing.setFaxingEnabled(enabled)
    }
    let word = enabled ? "enabled" : "disabled"
    if let group {
        print("Faxing is \(word) for group \(group).")
    } else if let rule {
        print("Routing rule \(rule) is \(word).")
    } else {
        print("Faxing is \(word).")
    }
}
