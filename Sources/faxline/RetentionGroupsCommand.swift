import ArgumentParser
import FaxCore
import Store

/// `faxline groups …`: retention overrides for device groups (a device's own override wins).
struct RetentionGroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups",
        abstract: "Show device groups and set their retention.",
        subcommands: [List.self, Retention.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List groups and devices with their retention.")

        @OptionGroup var data: DataOptions

        func run() async throws {
            let store = try data.openDatabase()
            let groups = try await store.groupRetentions()
            let devices = try await store.devices()
            let overrides = try await store.retentionOverrides()
            let named = Set(groups.map(\.group)).union(devices.compactMap(\.group))
            let groupRows = named.sorted().map { name in
                [name, RetentionOptions.describe(groups.first { $0.group == name }?.override),
                 devices.filter { $0.group == name }.map(\.extensionNumber).joined(separator: ", ")]
            }
            print(groupRows.isEmpty ? "No groups." : TextTable.render(header: ["GROUP", "RETENTION", "DEVICES"], rows: groupRows))
            let own = devices.filter { overrides.devices[$0.extensionNumber] != nil }
            if !own.isEmpty {
                print("")
                print(TextTable.render(
                    header: ["EXT", "NAME", "OWN RETENTION"],
                    rows: own.map { [$0.extensionNumber, $0.name, RetentionOptions.describe(overrides.devices[$0.extensionNumber])] }))
            }
        }
    }

    struct Retention: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set how long a group's faxes are kept.")

        @Argument(help: ArgumentHelp("Group name.", valueName: "group")) var group: String
        @OptionGroup var retention: RetentionOptions
        @OptionGroup var data: DataOptions

        func validate() throws {
            if retention.change.isEmpty { throw ValidationError("give --retention-days, --zero-retention or --normal-retention") }
        }

        func run() async throws {
            try await reportingInvalidValues {
                try await data.openDatabase().changeGroupRetention(retention.change, group: group)
            }
            print("Changed the retention of group \(group).")
        }
    }
}
