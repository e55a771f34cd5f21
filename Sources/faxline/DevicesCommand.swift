import ArgumentParser
import FaxCore
import Store

/// `faxline devices …`: the fax devices (extensions) in the database.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "Add, change, list and remove fax devices.",
        subcommands: [Add.self, Change.self, List.self, Remove.self, Enable.self, Disable.self],
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
                try await data.openDatabase().addDevice(device, retention: fields.retention.change)
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
                try await data.openDatabase().changeDevice(extension: extensionNumber, changes, retention: fields.retention.change)
            }
            print("Changed fax device \(changed.extensionNumber) (\(changed.name)).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the fax devices.")

        @OptionGroup var data: DataOptions

        func run() async throws {
            let devices = try await data.openDatabase().devices()
            print(Self.table(devices))
        }

        static func table(_ devices: [FaxDevice]) -> String {
            guard !devices.isEmpty else { return "No fax devices. Add one with: faxline devices add EXT --name NAME --email ADDRESS" }
            return TextTable.render(
                header: ["EXT", "NAME", "ENABLED", "GROUP", "FORMAT", "STATION ID", "EMAIL"],
                rows: devices.map { device in
                    [
                        device.extensionNumber, device.name, device.isEnabled ? "yes" : "no", device.group ?? "-",
                        device.deliveryFormat.rawValue, device.stationID.isEmpty ? "-" : device.stationID,
                        device.emailAddresses.joined(separator: ", "),
                    ]
                })
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a fax device.", discussion: "Its received faxes stay in the database and the spool.")

        @Argument(help: ArgumentHelp("Extension number of the device.", valueName: "ext")) var extensionNumber: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await data.openDatabase().removeDevice(extension: extensionNumber)
            print("Removed fax device \(extensionNumber).")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a fax device on.")

        @Argument(help: ArgumentHelp("Extension number of the device.", valueName: "ext")) var extensionNumber: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await data.openDatabase().setDeviceEnabled(true, extension: extensionNumber)
            print("Fax device \(extensionNumber) is enabled.")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a fax device off: its calls are refused.")

        @Argument(help: ArgumentHelp("Extension number of the device.", valueName: "ext")) var extensionNumber: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await data.openDatabase().setDeviceEnabled(false, extension: extensionNumber)
            print("Fax device \(extensionNumber) is disabled.")
        }
    }
}
