import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation
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
                [name, RetentionOverride.describe(groups.first { $0.group == name }?.override),
                 devices.filter { $0.group == name }.map(\.extensionNumber).joined(separator: ", ")]
            }
            print(groupRows.isEmpty ? "No groups." : TextTable.render(header: ["GROUP", "RETENTION", "DEVICES"], rows: groupRows))
            let own = devices.filter { overrides.devices[$0.extensionNumber] != nil }
            if !own.isEmpty {
                print("")
                print(TextTable.render(
                    header: ["EXT", "NAME", "OWN RETENTION"],
                    rows: own.map { [$0.extensionNumber, $0.name, RetentionOverride.describe(overrides.devices[$0.extensionNumber])] }))
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
            try reportingInvalidValues { try FaxDevice.validateGroupName(group) }
        }

        func run() async throws {
            let store = try data.openDatabase()
            try await RetentionGroupsCommand.requireKnownGroup(group, store: store)
            try await reportingInvalidValues {
                try await DeviceAdministration(store: store)
                    .changeGroup(group, enabled: nil, retention: retention.change, actor: CleanupCommand.actor, at: Date())
            }
            print("Changed the retention of group \(group).")
        }
    }

    /// A group exists once a device is in it (or it has settings): a name nobody uses is
    /// most likely a typo, and must not quietly become a group of its own.
    static func requireKnownGroup(_ group: String, store: any DeviceRepository & RetentionRepository) async throws {
        let known = Set(try await store.devices().compactMap(\.group)).union(try await store.groupRetentions().map(\.group))
        guard !known.contains(group) else { return }
        throw CommandFailure("no group \(group): a group is made by putting a device in it (faxline devices change EXT --group \(group))"
            + (known.isEmpty ? "; there are no groups yet" : "; the groups are " + known.sorted().joined(separator: ", ")))
    }
}
