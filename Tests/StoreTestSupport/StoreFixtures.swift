import FaxCore
import Foundation
import Store

/// A data folder in the system's temporary directory, removed when the value goes away.
public final class TemporaryFolder: Sendable {
    public let path: String

    public init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public var databasePath: String { path + "/" + FaxDatabase.fileName }

    public func openDatabase() throws -> FaxDatabase { try FaxDatabase(path: databasePath) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Sample records for store tests.
public enum Sample {
    /// Whole seconds: timestamps are stored to the millisecond.
    public static let start = Date(timeIntervalSince1970: 1_790_000_000)

    public static func device(_ number: String, group: String? = nil, format: DeliveryFormat = .pdf) throws -> FaxDevice {
        try FaxDevice(
            extensionNumber: number, name: "Device \(number)", emailAddresses: ["fax\(number)@example.com"],
            deliveryFormat: format, stationID: "+49 30 \(number)", headerText: "Header \(number)", group: group)
    }

    public static func fax(createdAt: Date = start, extensions: [String] = ["200"], status: FaxStatus = .received) throws -> FaxRecord {
        var fax = FaxRecord(
            direction: .received, createdAt: createdAt, finishedAt: createdAt.addingTimeInterval(95),
            deviceExtensions: extensions, callerNumber: "+49301234", callerName: "Caller GmbH", did: "4930555200",
            lineName: "line1", status: status,
            session: FaxSessionSummary(
                pages: 3, bitRate: 14400, ecm: true, resolution: "204x196", compression: "T.6", remoteStationID: "+49 30 1234",
                localStationID: "+49 30 555", duration: 94.5, completionCode: 0, errorText: "OK", statusString: "OK"),
            files: FaxSpoolFiles(
                tiff: try SpoolPath("in/2026/x.tif"), pdf: try SpoolPath("in/2026/x.pdf"), thumbnail: try SpoolPath("in/2026/x.png")))
        fax.log("B", "phase B", at: createdAt.addingTimeInterval(1))
        fax.log("E", "phase E", at: createdAt.addingTimeInterval(94))
        return fax
    }
}
