import ArgumentParser
import FaxCore
import Foundation
import Testing

@testable import Store
@testable import faxline

/// The `devices` and `routes` commands, parsed from arguments and run against a data folder.
@Suite struct CommandLineTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    func devices(_ arguments: [String]) throws {
        var command = try DevicesCommand.parseAsRoot(arguments + ["--data", folder.path])
        try command.run()
    }

    func routes(_ arguments: [String]) throws {
        var command = try RoutesCommand.parseAsRoot(arguments + ["--data", folder.path])
        try command.run()
    }

    var database: FaxDatabase { get throws { try folder.openDatabase() } }

    @Test func dataFolderAndDatabaseAreCreatedOnFirstUse() throws {
        let nested = folder.path + "/new/data"
        var command = try DevicesCommand.parseAsRoot(["list", "--data", nested])
        try command.run()
        #expect(FileManager.default.fileExists(atPath: nested + "/faxline.sqlite"))
        let options = try DataOptions.parse(["--data", nested])
        #expect(options.databasePath == nested + "/faxline.sqlite")
    }

    @Test func addChangeEnableAndRemoveDevices() throws {
        try devices([
            "add", "200", "--name", "Front desk", "--email", "a@example.com", "--email", "b@example.com", "--format", "both",
            "--station-id", "+49 30 200", "--header", "ACME", "--group", "front", "--disabled",
        ])
        var device = try #require(try database.read { try $0.device(extension: "200") })
        #expect(device.name == "Front desk")
        #expect(device.emailAddresses == ["a@example.com", "b@example.com"])
        #expect(device.deliveryFormat == .both)
        #expect(device.stationID == "+49 30 200")
        #expect(device.headerText == "ACME")
        #expect(device.group == "front")
        #expect(!device.isEnabled)

        try devices(["change", "200", "--name", "Reception", "--enabled"])
        device = try #require(try database.read { try $0.device(extension: "200") })
        #expect(device.name == "Reception")
        #expect(device.isEnabled)
        #expect(device.emailAddresses == ["a@example.com", "b@example.com"])
        #expect(device.group == "front")

        try devices(["change", "200", "--email", "c@example.com", "--no-group", "--format", "tiff"])
        device = try #require(try database.read { try $0.device(extension: "200") })
        #expect(device.emailAddresses == ["c@example.com"])
        #expect(device.group == nil)
        #expect(device.deliveryFormat == .tiff)

        try devices(["disable", "200"])
        #expect(try database.read { try $0.device(extension: "200") }?.isEnabled == false)
        try devices(["enable", "200"])
        #expect(try database.read { try $0.device(extension: "200") }?.isEnabled == true)

        try devices(["remove", "200"])
        #expect(try database.read { try $0.devices() }.isEmpty)
    }

    @Test func badDeviceValuesAreArgumentErrors() throws {
        #expect(throws: (any Error).self) { try devices(["add", "200", "--email", "a@example.com"]) }
        #expect(throws: (any Error).self) { try devices(["add", "200", "--name", "X"]) }
        #expect(throws: (any Error).self) { try devices(["add", "200", "--name", "X", "--email", "a@example.com", "--format", "docx"]) }
        #expect(throws: ValidationError.self) { try devices(["add", "2x0", "--name", "X", "--email", "a@example.com"]) }
        #expect(throws: ValidationError.self) { try devices(["add", "200", "--name", "X", "--email", "a@b@example.com"]) }
        #expect(throws: ValidationError.self) {
            try devices(["add", "200", "--name", "X", "--email", "a@example.com", "--station-id", String(repeating: "1", count: 21)])
        }
        #expect(try database.read { try $0.devices() }.isEmpty)
        try devices(["add", "200", "--name", "X", "--email", "a@example.com"])
        #expect(throws: RepositoryError.self) { try devices(["add", "200", "--name", "Y", "--email", "b@example.com"]) }
        #expect(throws: ValidationError.self) { try devices(["change", "200", "--header", "Grüße"]) }
        #expect(throws: (any Error).self) { try devices(["change", "200"]) }
        #expect(throws: RepositoryError.notFound("fax device 999")) { try devices(["change", "999", "--name", "Z"]) }
        #expect(throws: RepositoryError.notFound("fax device 999")) { try devices(["remove", "999"]) }
    }

    @Test func routesAddListMoveRemoveAndDefault() throws {
        try devices(["add", "200", "--name", "Desk", "--email", "a@example.com"])
        try devices(["add", "201", "--name", "Sales", "--email", "s@example.com", "--group", "sales"])
        try routes(["add", "--did", "_49XXX", "--to", "201", "--continue", "--description", "sales DIDs"])
        try routes(["add", "--caller", "_0900.", "--reject", "--position", "1"])
        try routes(["default", "--to", "200"])
        var table = try database.read { try $0.routingTable() }
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
        try routes(["move", String(salesRule), "--position", "1"])
        table = try database.read { try $0.routingTable() }
        #expect(table.rules.first?.id == salesRule)

        try routes(["remove", String(salesRule)])
        try routes(["default", "--none"])
        table = try database.read { try $0.routingTable() }
        #expect(table.rules.count == 1)
        #expect(table.defaultExtension == nil)
        #expect(RoutesCommand.List.render(table).split(separator: "\n").last?.contains("refuse") == true)
    }

    @Test func routesEnableAndDisableGloballyAndPerGroup() throws {
        try routes(["disable"])
        try routes(["disable", "--group", "sales"])
        var flags = try database.read { try $0.routingTable() }.flags
        #expect(flags == FaxEnableFlags(globallyEnabled: false, disabledGroups: ["sales"]))
        #expect(RoutesCommand.List.render(try database.read { try $0.routingTable() }).contains("DISABLED"))
        try routes(["enable"])
        try routes(["enable", "--group", "sales"])
        flags = try database.read { try $0.routingTable() }.flags
        #expect(flags == FaxEnableFlags())
        #expect(throws: ValidationError.self) { try routes(["disable", "--group", "no spaces"]) }

        try routes(["add", "--reject", "--caller", "_0900."])
        let id = try #require(try database.read { try $0.routingTable() }.rules.first?.id)
        try routes(["disable", "--rule", String(id)])
        #expect(try database.read { try $0.routingTable() }.rules.first?.isEnabled == false)
        try routes(["enable", "--rule", String(id)])
        #expect(try database.read { try $0.routingTable() }.rules.first?.isEnabled == true)
        #expect(throws: RepositoryError.notFound("routing rule 999")) { try routes(["disable", "--rule", "999"]) }
        #expect(throws: (any Error).self) { try routes(["disable", "--rule", String(id), "--group", "sales"]) }
    }

    @Test func badRouteValuesAreArgumentErrors() throws {
        try devices(["add", "200", "--name", "Desk", "--email", "a@example.com"])
        #expect(throws: (any Error).self) { try routes(["add", "--did", "_2XX"]) }
        #expect(throws: (any Error).self) { try routes(["add", "--to", "200", "--reject"]) }
        #expect(throws: (any Error).self) { try routes(["add", "--to", "200", "--position", "0"]) }
        #expect(throws: ValidationError.self) { try routes(["add", "--did", "abc", "--to", "200"]) }
        #expect(throws: ValidationError.self) { try routes(["add", "--caller", "_[9-1]", "--reject"]) }
        #expect(throws: RepositoryError.notFound("fax device 777")) { try routes(["add", "--to", "777"]) }
        #expect(throws: (any Error).self) { try routes(["default"]) }
        #expect(throws: (any Error).self) { try routes(["default", "--to", "x1"]) }
        #expect(throws: RepositoryError.notFound("routing rule 42")) { try routes(["remove", "42"]) }
        #expect(throws: (any Error).self) { try routes(["move", "1", "--position", "0"]) }
        #expect(try database.read { try $0.routingTable() }.rules.isEmpty)
    }

    @Test func deviceTableListsEveryDevice() throws {
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
