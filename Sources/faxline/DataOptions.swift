import ArgumentParser
import FaxCore
import Foundation
import Store

/// The data folder (`--data`, else `$FAXLINE_DATA`, else /var/lib/faxline) and its database.
struct DataOptions: ParsableArguments {
    static let defaultDirectory = "/var/lib/faxline"
    static let environmentVariable = "FAXLINE_DATA"

    @Option(
        name: .customLong("data"),
        help: ArgumentHelp(
            "Data folder holding faxline.sqlite and the spool (default: $FAXLINE_DATA, else /var/lib/faxline).",
            valueName: "dir"))
    var dataDirectory: String?

    var directory: String {
        if let dataDirectory { return dataDirectory }
        if let fromEnvironment = ProcessInfo.processInfo.environment[Self.environmentVariable], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return Self.defaultDirectory
    }

    var databasePath: String { (directory as NSString).appendingPathComponent(FaxDatabase.fileName) }

    func validate() throws {
        if let dataDirectory, dataDirectory.isEmpty { throw ValidationError("--data must not be empty") }
    }

    /// Opens the database, creating the folder and the file on first use.
    func openDatabase() throws -> FaxDatabase {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw CommandFailure("cannot create the data folder \(directory): \(error.localizedDescription)")
        }
        return try FaxDatabase(path: databasePath)
    }
}

/// A failure of a command that is not about its arguments (shown as "Error: …", exit code 1).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command body, turning the model's validation errors into argument errors (shown with
/// the usage, non-zero exit code).
func reportingInvalidValues<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as FaxValidationError {
        throw ValidationError(error.description)
    }
}

func reportingInvalidValues<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as FaxValidationError {
        throw ValidationError(error.description)
    }
}

/// Plain text tables for list commands.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

extension DeliveryFormat: ExpressibleByArgument {}
