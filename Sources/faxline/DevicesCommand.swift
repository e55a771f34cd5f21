import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation
import Store

/// `faxline devices …`: the fax devices (extensions) in the database.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "Add, change, list and remove fax devices.",
        subcommands: [Add.self, Change.self, List.self, Show.self, Remove.self, Enable.self, Disable.self],
        defaultSubcommand: List.self)

    /// The device settings that `add` and `change` share.
    struct Fields: ParsableArguments {
        @Option(help: "Name of the device.") var name: String?
        @Option(help: ArgumentHelp("Address to mail received faxes to; repeat for more.", valueName: "address"))
        var email: [String] = []
        @Option(help: "Attachment format: pdf, tiff, both or inline.") var format: DeliveryFormat?
        @Option(name: .customLong("station-id"), help: "Station id (CSID) sent to the far end, up to 20 characters.")
        var stationID: String?
        @Option(help: "Page header text for faxes sent from this device, up to 50 characters.") var header: String?
        @Option(help: "Group the device belongs to.") var group: String?
        @OptionGroup var retention: RetentionOptions
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a fax device.")

        @Argument(help: ArgumentHelp("Extension number (digits).", valueName: "ext")) var extensionNumber: String
        @OptionGroup var fields: Fields
        @Flag(help: "Add it switched off.") var disabled = false
        @OptionGroup var data: DataOptions

        func validate() throws {
            guard fields.name != nil else { throw ValidationError("--name is required") }
            guard !fields.email.isEmpty else { throw ValidationError("at least one --email is required") }
        }

        func run() async throws {
            let device = try reportingInvalidValues {
                try FaxDevice(
                    extensionNumber: extensionNumber, name: fields.name ?? "", emailAddresses: fields.email,
                    deliveryFormat: fields.format ?? .pdf, stationID: fields.stationID ?? "", headerText: fields.header ?? "",
                    isEnabled: !disabled, group: fields.group)
            }
            let stored = try await reportingInvalidValues {
                try await DeviceAdministration(store: data.openOrCreateDatabase())
                    .addDevice(device, retention: fields.retention.change, actor: CleanupCommand.actor, at: Date())
            }
            print("Added fax device \(stored.extensionNumber) (\(stored.name)).")
        }
    }

    enum EnabledState: EnumerableFlag {
        case enabled, disabled

        static func help(for value: EnabledState) -> ArgumentHelp? {
            value == .enabled ? "Switch the device on." : "Switch the device off."
        }
    }

    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a fax device.", discussion: "Only the options given change; --email replaces all addresses.")

        @Argument(help: ArgumentHelp("Extension number of the device.", valueName: "ext")) var extensionNumber: String
        @OptionGroup var fields: Fields
        @Flag(help: "Take the device out of its group.") var noGroup = false
        @Flag var state: EnabledState?
        @OptionGroup var data: DataOptions

        func validate() throws {
            if noGroup && fields.group != nil { throw ValidationError("--group and --no-group exclude each other") }
            if changes.isEmpty && fields.retention.change.isEmpty {
                throw ValidationError("nothing to change: give at least one option")
            }
        }

        var changes: FaxDevice.Changes {
            FaxDevice.Changes(
                name: fields.name, emailAddresses: fields.email.isEmpty ? nil : fields.email, deliveryFormat: fields.format,
                stationID: fields.stationID, headerText: fields.header, isEnabled: state.map { $0 == .enabled },
                group: noGroup ? .remove : fields.group.map { .set($0) })
        }

        func run() async throws {
            let changed = try await reportingInvalidValues {
                try await DeviceAdministration(store: data.openDatabase()).changeDevice(
                    extension: extensionNumber, changes, retention: fields.retention.change, actor: CleanupCommand.actor, at: Date())
            }
            print("Changed fax device \(changed.extensionNumber) (\(changed.name)).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the fax devices.")

        @OptionGroup var data: DataOptions

        func run() async throws {
            let database = try data.openDatabase()
            let devices = try await database.devices()
            let flags = try await database.routingTable().flags
            if !flags.globallyEnabled && !devices.isEmpty {
                print("Faxing is DISABLED globally: every device refuses calls (faxline routes enable).")
            }
            print(Self.table(devices, flags: flags))
        }

        static func table(_ devices: [FaxDevice], flags: FaxEnableFlags = FaxEnableFlags()) -> String {
            guard !devices.isEmpty else { return "No fax devices. Add one with: faxline devices add EXT --name NAME --email ADDRESS" }
            return TextTable.render(
                header: ["EXT", "NAME", "ENABLED", "GROUP", "FORMAT", "STATION ID", "EMAIL"],
                rows: devices.map { device in
                    [
                        device.extensionNumber, device.name, DevicesCommand.enabledState(device, flags: flags), device.group ?? "-",
                        device.deliveryFormat.rawValue, device.stationID.isEmpty ? "-" : device.stationID,
                        device.emailAddresses.joined(separator: ", "),
                    ]
                })
        }
    }

    /// Whether the device takes calls, and if not, which switch is off (a switch-off higher up
    /// wins): "yes", "no", "no (group sales)", "no (globally)".
    static func enabledState(_ device: FaxDevice, flags: FaxEnableFlags) -> String {
        if !flags.globallyEnabled { return "no (globally)" }
        if let group = device.group, !flags.isGroupEnabled(group) { return "no (group \(group))" }
        return device.isEnabled ? "yes" : "no"
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show everything about one fax device: settings, routes, retention, users and its last faxes.")

        @Argument(help: ArgumentHelp("Extension number of the device.", valueName: "ext")) var extensionNumber: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            let database = try data.openDatabase()
            guard let device = try await database.device(extension: extensionNumber) else {
                throw RepositoryError.notFound("fax device \(extensionNumber)")
            }
            let table = try await database.routingTable()
            let overrides = try await database.retentionOverrides()
            let users = try await database.users().filter { $0.deviceExtensions.contains(device.extensionNumber) }
            let faxes = try await database.recentFaxes(FaxQuery(limit: 5, deviceExtension: device.extensionNumber))
            print(Self.text(device, table: table, overrides: overrides, users: users, faxes: faxes))
        }

        static func text(_ device: FaxDevice, table: RoutingTable, overrides: RetentionOverrides, users: [User],
                         faxes: [FaxRecord]) -> String {
            let number = device.extensionNumber
            var lines = [
                "device \(number): \(device.name)",
                "enabled \(DevicesCommand.enabledState(device, flags: table.flags))"
                    + (device.isEnabled ? "" : " (faxline devices enable \(number))"),
                "group \(device.group ?? "none")",
                "mail to \(device.emailAddresses.joined(separator: ", ")) as \(device.deliveryFormat.rawValue)",
                "station id \(device.stationID.isEmpty ? "none (the server's)" : device.stationID)",
                "page header \(device.headerText.isEmpty ? "none" : device.headerText)",
            ]
            let own = overrides.devices[number]
            let effective = overrides.override(forExtension: number)
            lines.append("retention " + (own != nil ? RetentionOverride.describe(own) + " (its own)"
                : effective != nil ? RetentionOverride.describe(effective) + " (group \(device.group ?? ""))" : "default"))
            var routes = ["calls to \(number) (device lookup)"]
            for rule in table.rules.sorted(by: { $0.position < $1.position }) where rule.targetExtension == number {
                var text = "rule at position \(rule.position): DID \(rule.didPattern?.text ?? "*"), caller \(rule.callerPattern?.text ?? "*")"
                if !rule.isEnabled { text += " (disabled)" }
                if !rule.description.isEmpty { text += " — \(rule.description)" }
                routes.append(text)
            }
            if table.defaultExtension == number { routes.append("the default route: faxes nobody claims") }
            lines.append("receives " + routes.joined(separator: "; "))
            lines.append("users " + (users.isEmpty ? "none" : users.map { $0.name + ($0.isAdmin ? " (administrator)" : "") }
                .joined(separator: ", ")))
            if faxes.isEmpty {
                lines.append("no faxes yet")
            } else {
                lines.append("")
                lines.append("last faxes (faxline faxes --device \(number) lists all):")
                for fax in faxes {
                    lines.append("  \(fax.id.prefix(8))  \(FaxText.clock(fax.createdAt))  \(FaxText.summary(fax))")
                }
            }
            return lines.joined(separator: "\n")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a fax device.", discussion: "Its received faxes stay in the database and the spool.")

        @Argument(help: ArgumentHelp("Extension number of the device.", valueName: "ext")) var extensionNumber: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await DeviceAdministration(store: data.openDatabase())
                .removeDevice(extension: extensionNumber, actor: CleanupCommand.actor, at: Date())
            print("Removed fax device \(extensionNumber).")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a fax device on.")

        @Argument(help: ArgumentHelp("Extension number of the device.", valueName: "ext")) var extensionNumber: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await DeviceAdministration(store: data.openDatabase())
                .setDeviceEnabled(true, extension: extensionNumber, actor: CleanupCommand.actor, at: Date())
            print("Fax device \(extensionNumber) is enabled.")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a fax device off: its calls are refused.")

        @Argument(help: ArgumentHelp("Extension number of the device.", valueName: "ext")) var extensionNumber: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await DeviceAdministration(store: data.openDatabase())
                .setDeviceEnabled(false, extension: extensionNumber, actor: CleanupCommand.actor, at: Date())
            print("Fax device \(extensionNumber) is disabled.")
        }
    }
}
