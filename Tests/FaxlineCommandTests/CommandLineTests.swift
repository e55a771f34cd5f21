import ArgumentParser
import FaxCore
import StoreTestSupport
import Foundation
import Store
import Testing

@testable import faxline

/// The `devices` and `routes` commands, parsed from arguments and run against a data folder.
@Suite struct CommandLineTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    func devices(_ arguments: [String]) async throws {
        try await Self.run(DevicesCommand.parseAsRoot(arguments + ["--data", folder.path]))
    }

    func routes(_ arguments: [String]) async throws {
        try await Self.run(RoutesCommand.parseAsRoot(arguments + ["--data", folder.path]))
    }

    static func run(_ command: any ParsableCommand) async throws {
        guard var command = command as? any AsyncParsableCommand else {
            Issue.record("every command is asynchronous")
            return
        }
        try await command.run()
    }

    /// A command line refused as a mistake in its arguments: what the program prints for it,
    /// or `nil` if it ran, or failed otherwise. (A `ValidationError` from `validate()` comes
    /// wrapped by the parser; one from `run()` as it is; both exit with the usage status.)
    static func usageError(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch {
            guard Faxline.exitCode(for: error) == .validationFailure else { return nil }
            return Faxline.message(for: error)
        }
    }

    var database: FaxDatabase { get throws { try folder.openDatabase() } }

    @Test("the first device added makes the data folder and the database; a list never does")
    func dataFolderAndDatabaseAreCreatedByTheFirstDevice() async throws {
        let nested = folder.path + "/new/data"
        await #expect(throws: CommandFailure("no Faxline data in \(nested) (use --data or FAXLINE_DATA)")) {
            try await Self.run(DevicesCommand.parseAsRoot(["list", "--data", nested]))
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/new"))
        try await Self.run(DevicesCommand.parseAsRoot(["add", "200", "--name", "Desk", "--email", "a@example.com", "--data", nested]))
        #expect(FileManager.default.fileExists(atPath: nested + "/faxline.sqlite"))
        try await Self.run(DevicesCommand.parseAsRoot(["list", "--data", nested]))
        let options = try DataOptions.parse(["--data", nested])
        #expect(options.databasePath == nested + "/faxline.sqlite")
    }

    @Test func addChangeEnableAndRemoveDevices() async throws {
        try await devices([
            "add", "200", "--name", "Front desk", "--email", "a@example.com", "--email", "b@example.com", "--format", "both",
            "--station-id", "+49 30 200", "--header", "ACME", "--group", "front", "--disabled",
        ])
        var device = try #require(try await database.device(extension: "200"))
        #expect(device.name == "Front desk")
        #expect(device.emailAddresses == ["a@example.com", "b@example.com"])
        #expect(device.deliveryFormat == .both)
        #expect(device.stationID == "+49 30 200")
        #expect(device.headerText == "ACME")
        #expect(device.group == "front")
        #expect(!device.isEnabled)

        try await devices(["change", "200", "--name", "Reception", "--enabled"])
        device = try #require(try await database.device(extension: "200"))
        #expect(device.name == "Reception")
        #expect(device.isEnabled)
        #expect(device.emailAddresses == ["a@example.com", "b@example.com"])
        #expect(device.group == "front")

        try await devices(["change", "200", "--email", "c@example.com", "--no-group", "--format", "tiff"])
        device = try #require(try await database.device(extension: "200"))
        #expect(device.emailAddresses == ["c@example.com"])
        #expect(device.group == nil)
        #expect(device.deliveryFormat == .tiff)

        try await devices(["disable", "200"])
        #expect(try await database.device(extension: "200")?.isEnabled == false)
        try await devices(["enable", "200"])
        #expect(try await database.device(extension: "200")?.isEnabled == true)

        try await devices(["remove", "200"])
        #expect(try await database.devices().isEmpty)

        // Each change is in the audit log with who made it; one that changes nothing is not.
        let audit = try await database.auditEntries(limit: 20)
        #expect(audit.map(\.kind) == [.deviceRemoved, .deviceChanged, .deviceChanged, .deviceChanged, .deviceChanged, .deviceAdded])
        #expect(audit.allSatisfy { $0.actor.hasPrefix("cli:") })
        #expect(audit.map(\.summary) == [
            "removed device 200 · Reception (its faxes stay)",
            "switched device 200 · Reception on",
            "switched device 200 · Reception off",
            "changed device 200 · Reception: mail to a@example.com, b@example.com → c@example.com, format both → tiff, group front → none",
            "changed device 200 · Reception: name Front desk → Reception, switched on",
            "added device 200 · Front desk (mail to a@example.com, b@example.com as both; group front; switched off)",
        ])
    }

    @Test func badDeviceValuesAreArgumentErrors() async throws {
        await #expect(throws: (any Error).self) { try await devices(["add", "200", "--email", "a@example.com"]) }
        await #expect(throws: (any Error).self) { try await devices(["add", "200", "--name", "X"]) }
        await #expect(throws: (any Error).self) { try await devices(["add", "200", "--name", "X", "--email", "a@example.com", "--format", "docx"]) }
        await #expect(throws: ValidationError.self) { try await devices(["add", "2x0", "--name", "X", "--email", "a@example.com"]) }
        await #expect(throws: ValidationError.self) { try await devices(["add", "200", "--name", "X", "--email", "a@b@example.com"]) }
        await #expect(throws: ValidationError.self) {
            try await devices(["add", "200", "--name", "X", "--email", "a@example.com", "--station-id", String(repeating: "1", count: 21)])
        }
        #expect(try await database.devices().isEmpty)
        try await devices(["add", "200", "--name", "X", "--email", "a@example.com"])
        await #expect(throws: RepositoryError.self) { try await devices(["add", "200", "--name", "Y", "--email", "b@example.com"]) }
        await #expect(throws: ValidationError.self) { try await devices(["change", "200", "--header", "Grüße"]) }
        await #expect(throws: (any Error).self) { try await devices(["change", "200"]) }
        await #expect(throws: RepositoryError.notFound("fax device 999")) { try await devices(["change", "999", "--name", "Z"]) }
        await #expect(throws: RepositoryError.notFound("fax device 999")) { try await devices(["remove", "999"]) }
    }

    @Test func routesAddListMoveRemoveAndDefault() async throws {
        try await devices(["add", "200", "--name", "Desk", "--email", "a@example.com"])
        try await devices(["add", "201", "--name", "Sales", "--email", "s@example.com", "--group", "sales"])
        try await routes(["add", "--did", "_49XXX", "--to", "201", "--continue", "--description", "sales DIDs"])
        try await routes(["add", "--caller", "_0900.", "--reject", "--position", "1"])
        try await routes(["default", "--to", "200"])
        var table = try await database.routingTable()
        #expect(table.rules.map(\.action) == [.reject, .deliver(toExtension: "201")])
        #expect(table.rules[1].continueAfterMatch)
        #expect(table.rules[1].description == "sales DIDs")
        #expect(table.rules[1].didPattern?.text == "_49XXX")
        #expect(table.defaultExtension == "200")

        let text = RoutesCommand.List.render(table)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines[0] == "Faxing is enabled.")
        #expect(lines[2].contains("device lookup"))
        #expect(lines[3].contains("_0900.") && lines[3].contains("reject"))
        #expect(lines.last?.contains("default") == true && lines.last?.contains("deliver to 200") == true)

        // Rules are named by the position routes list shows.
        let salesRule = try #require(table.rules[1].id)
        try await routes(["move", "2", "--to", "1"])
        table = try await database.routingTable()
        #expect(table.rules.first?.id == salesRule)

        try await routes(["remove", "1"])
        #expect(try await database.routingTable().rules.allSatisfy { $0.id != salesRule })
        try await routes(["default", "--none"])
        table = try await database.routingTable()
        #expect(table.rules.count == 1)
        #expect(table.defaultExtension == nil)
        #expect(RoutesCommand.List.render(table).split(separator: "\n").last?.contains("refuse") == true)

        let audit = try await database.auditEntries(limit: 20).filter { $0.kind != .deviceAdded }
        #expect(audit.allSatisfy { $0.actor.hasPrefix("cli:") })
        #expect(audit.map(\.summary) == [
            "changed the routing: faxes nobody claims are refused",
            "removed the routing rule at position 1: DID _49XXX → 201 (sales DIDs)",
            "changed the routing rule DID _49XXX → 201: moved from position 2 to 1",
            "changed the routing: faxes nobody claims go to 200",
            "added the routing rule at position 1: caller _0900. → reject",
            "added the routing rule at position 1: DID _49XXX → 201 (sales DIDs)",
        ])
    }

    @Test func routesEnableAndDisableGloballyAndPerGroup() async throws {
        try await devices(["add", "201", "--name", "Sales", "--email", "s@example.com", "--group", "sales"])
        try await routes(["disable"])
        try await routes(["disable", "--group", "sales"])
        var flags = try await database.routingTable().flags
        #expect(flags == FaxEnableFlags(globallyEnabled: false, disabledGroups: ["sales"]))
        #expect(RoutesCommand.List.render(try await database.routingTable()).contains("DISABLED"))
        try await routes(["enable"])
        try await routes(["enable", "--group", "sales"])
        flags = try await database.routingTable().flags
        #expect(flags == FaxEnableFlags())
        await #expect(throws: ValidationError.self) { try await routes(["disable", "--group", "no spaces"]) }

        try await routes(["add", "--reject", "--caller", "_0900."])
        try await routes(["disable", "--rule", "1"])
        #expect(try await database.routingTable().rules.first?.isEnabled == false)
        try await routes(["enable", "--rule", "1"])
        #expect(try await database.routingTable().rules.first?.isEnabled == true)
        await #expect(throws: CommandFailure("no routing rule at position 9; the rules are at positions 1 (faxline routes list)")) {
            try await routes(["disable", "--rule", "9"])
        }
        await #expect(throws: (any Error).self) { try await routes(["disable", "--rule", "1", "--group", "sales"]) }

        let audit = try await database.auditEntries(limit: 20).filter { $0.kind != .deviceAdded && $0.kind != .routeAdded }
        #expect(audit.map(\.kind) == [.routeChanged, .routeChanged, .groupChanged, .routingChanged, .groupChanged, .routingChanged])
        #expect(audit.map(\.summary).suffix(2) == [
            "changed group sales: faxing disabled", "changed the routing: faxing disabled: every fax call is refused",
        ])
        #expect(audit.first?.summary == "changed the routing rule caller _0900. → reject: switched on")
    }

    @Test func badRouteValuesAreArgumentErrors() async throws {
        try await devices(["add", "200", "--name", "Desk", "--email", "a@example.com"])
        await #expect(throws: (any Error).self) { try await routes(["add", "--did", "_2XX"]) }
        // A rule without a pattern catches every call: only on purpose.
        #expect(await Self.usageError { try await routes(["add", "--to", "200"]) }
            == "give --did or --caller; a rule for every call needs --any (it catches all calls no device takes)")
        #expect(await Self.usageError { try await routes(["add", "--to", "200", "--any", "--did", "_2XX"]) }
            == "--any excludes --did and --caller")
        await #expect(throws: (any Error).self) { try await routes(["add", "--to", "200", "--reject"]) }
        await #expect(throws: (any Error).self) { try await routes(["add", "--to", "200", "--position", "0"]) }
        await #expect(throws: ValidationError.self) { try await routes(["add", "--did", "abc", "--to", "200"]) }
        await #expect(throws: ValidationError.self) { try await routes(["add", "--caller", "_[9-1]", "--reject"]) }
        await #expect(throws: RepositoryError.notFound("fax device 777")) { try await routes(["add", "--any", "--to", "777"]) }
        await #expect(throws: (any Error).self) { try await routes(["default"]) }
        await #expect(throws: (any Error).self) { try await routes(["default", "--to", "x1"]) }
        await #expect(throws: CommandFailure("there are no routing rules (faxline routes list)")) { try await routes(["remove", "1"]) }
        await #expect(throws: (any Error).self) { try await routes(["move", "1", "--position", "0"]) }
        await #expect(throws: (any Error).self) { try await routes(["remove", "0"]) }
        #expect(try await database.routingTable().rules.isEmpty)
        try await routes(["add", "--to", "200", "--any"])
        let rule = try #require(try await database.routingTable().rules.first)
        #expect(rule.didPattern == nil && rule.callerPattern == nil && rule.targetExtension == "200")
    }

    @Test func deviceTableListsEveryDevice() async throws {
        let table = DevicesCommand.List.table([
            try FaxDevice(extensionNumber: "200", name: "Desk", emailAddresses: ["a@example.com", "b@example.com"], group: "front"),
            try FaxDevice(extensionNumber: "2001", name: "Fax", emailAddresses: ["f@example.com"], isEnabled: false),
        ])
        let lines = table.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("EXT   NAME"))
        #expect(lines[1].contains("a@example.com, b@example.com") && lines[1].contains("front"))
        #expect(lines[2].hasPrefix("2001") && lines[2].contains(" no "))
        #expect(DevicesCommand.List.table([]).contains("No fax devices"))
    }
}
