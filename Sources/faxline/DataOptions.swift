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

    /// Opens the database of an existing data folder. Every command but the first steps of a
    /// set-up uses this: a mistyped `--data` (or a missing `FAXLINE_DATA`) gets a clear answer
    /// and leaves no empty folder or database behind.
    func openDatabase() throws -> FaxDatabase {
        try requireData()
        return try open()
    }

    /// Opens the database, creating the folder and the file on first use: only `serve` and the
    /// first steps of a set-up (`devices add`, `users add`, `restore`).
    func openOrCreateDatabase() throws -> FaxDatabase {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw CommandFailure("cannot create the data folder \(directory): \(ErrorWords.describe(error))")
        }
        return try open()
    }

    /// Fails unless the data folder holds a Faxline database.
    func requireData() throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), isFolder.boolValue,
           access(directory, R_OK | X_OK) != 0 {
            throw CommandFailure("cannot read the data folder \(directory): \(String(cString: strerror(errno))) "
                + "(run as root or as the user faxline serve runs as, e.g. sudo -u faxline faxline …)")
        }
        guard FileManager.default.fileExists(atPath: databasePath) else { throw CommandFailure(noData) }
    }

    /// What a command says when the folder holds no Faxline data.
    var noData: String {
        "no Faxline data in \(directory) (use --data or \(Self.environmentVariable))"
    }

    private func open() throws -> FaxDatabase {
        do {
            return try FaxDatabase(path: databasePath)
        } catch {
            throw CommandFailure("cannot open the database \(databasePath): \(ErrorWords.describe(error))")
        }
    }
}

/// A failure of a command that is not about its arguments (shown as "Error: …", exit code 1).
struct CommandFailure: Error, CustomStringConvertible, Equatable {
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

/// Plain text tables for list commands. Cells may hold what a caller or a far end sent (numbers,
/// station ids, results): cleaned of control characters, so none reaches the terminal.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows.map { $0.map(UntrustedText.cleaned) }
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

extension DeliveryFormat: ExpressibleByArgument {}
