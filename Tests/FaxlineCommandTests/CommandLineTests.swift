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

    var database: FaxDatabase { get throws { try folder.openDatabase() } }

    @Test func dataFolderAndDatabaseAreCreatedOnFirstUse() async throws {
        let nested = folder.path + "/new/data"
        try await Self.run(DevicesCommand.parseAsRoot(["list", "--data", nested]))
        #expect(FileManager.default.fileExists(atPath: nested + "/faxline.sqlite"))
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

        let salesRule = try #require(table.rules[1].id)
        try await routes(["move", String(salesRule), "--position", "1"])
        table = try await database.routingTable()
        #expect(table.rules.first?.id == salesRule)

        try await routes(["remove", String(salesRule)])
        try await routes(["default", "--none"])
        table = try await database.routingTable()
        #expect(table.rules.count == 1)
        #expect(table.defaultExtension == nil)
        #expect(RoutesCommand.List.render(table).split(separator: "\n").last?.contains("refuse") == true)
    }

    @Test func routesEnableAndDisableGloballyAndPerGroup() async throws {
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
        let id = try #require(try await database.routingTable().rules.first?.id)
        try await routes(["disable", "--rule", String(id)])
        #expect(try await database.routingTable().rules.first?.isEnabled == false)
        try await routes(["enable", "--rule", String(id)])
        #expect(try await database.routingTable().rules.first?.isEnabled == true)
        await #expect(throws: RepositoryError.notFound("routing rule 999")) { try await routes(["disable", "--rule", "999"]) }
        await #expect(throws: (any Error).self) { try await routes(["disable", "--rule", String(id), "--group", "sales"]) }
    }

    @Test func badRouteValuesAreArgumentErrors() async throws {
        try await devices(["add", "200", "--name", "Desk", "--email", "a@example.com"])
        await #expect(throws: (any Error).self) { try await routes(["add", "--did", "_2XX"]) }
        await #expect(throws: (any Error).self) { try await routes(["add", "--to", "200", "--reject"]) }
        await #expect(throws: (any Error).self) { try await routes(["add", "--to", "200", "--position", "0"]) }
        await #expect(throws: ValidationError.self) { try await routes(["add", "--did", "abc", "--to", "200"]) }
        await #expect(throws: ValidationError.self) { try await routes(["add", "--caller", "_[9-1]", "--reject"]) }
        await #expect(throws: RepositoryError.notFound("fax device 777")) { try await routes(["add", "--to", "777"]) }
        await #expect(throws: (any Error).self) { try await routes(["default"]) }
        await #expect(throws: (any Error).self) { try await routes(["default", "--to", "x1"]) }
        await #expect(throws: RepositoryError.notFound("routing rule 42")) { try await routes(["remove", "42"]) }
        await #expect(throws: (any Error).self) { try await routes(["move", "1", "--position", "0"]) }
        #expect(try await database.routingTable().rules.isEmpty)
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
