import FaxCore
import FaxlineServer
import Foundation
import Logging
import Store

/// A data folder with a real database and spool for cleanup tests; faxes are written with
/// small files under `in/YYYY/MM/DD/`.
final class CleanupFixture: @unchecked Sendable {
    let path: String
    let database: FaxDatabase
    let spool: Spool
    let configuration: FaxlineConfiguration
    /// Whole seconds: the store keeps milliseconds.
    let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970).rounded(.down))

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-cleanup-\(UUID().uuidString)").path
        configuration = FaxlineConfiguration(dataDirectory: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        database = try FaxDatabase(path: configuration.databasePath)
        spool = Spool(root: configuration.spoolDirectory)
        try spool.prepare()
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var logger: Logger {
        var logger = Logger(label: "cleanup-test")
        logger.logLevel = .error
        return logger
    }

    func cleaner(policy: RetentionPolicy = .standard) -> SpoolCleaner {
        var configuration = self.configuration
        configuration.retention = policy
        return SpoolCleaner(configuration: configuration, store: database, logger: logger)
    }

    /// A finished fax, `ageDays` old, with a TIFF and a PDF (unless it is on the line).
    func makeFax(ageDays: Double, extensions: [String], status: FaxStatus = .received,
                 delivery: FaxDeliveryState = .delivered, direction: FaxDirection = .received) throws -> FaxRecord {
        let finished = now.addingTimeInterval(-(ageDays * RetentionPolicy.day).rounded())
        var fax = FaxRecord(
            direction: direction, createdAt: finished.addingTimeInterval(-60),
            finishedAt: status == .receiving || status == .sending ? nil : finished,
            deviceExtensions: extensions, callerNumber: "+4930123", status: status, deliveryState: delivery)
        if status != .receiving && status != .sending {
            let base = spool.incomingBase(faxID: fax.id, at: fax.createdAt)
            fax.files = FaxSpoolFiles(tiff: try write(base + ".tif", bytes: 300), pdf: try write(base + ".pdf", bytes: 200))
        }
        return fax
    }

    @discardableResult
    func write(_ relative: String, bytes: Int, modified: Date? = nil) throws -> SpoolPath {
        let absolute = spool.absolute(relative)
        try FileManager.default.createDirectory(
            atPath: (absolute as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: absolute, contents: Data(repeating: 0x42, count: bytes)) else {
            throw CocoaError(.fileWriteUnknown)
        }
        if let modified { try setModified(absolute, modified) }
        return try SpoolPath(relative)
    }

    func setModified(_ absolute: String, _ date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: absolute)
    }

    func insert(_ faxes: [FaxRecord]) async throws {
        try await database.insertFaxes(faxes)
    }

    func exists(_ path: SpoolPath?) -> Bool {
        guard let path else { return false }
        return FileManager.default.fileExists(atPath: spool.absolute(path.relativePath))
    }

    func allFaxes() async throws -> [FaxRecord] {
        try await database.recentFaxes(FaxQuery(limit: 10_000))
    }

    /// Every record without a purge mark points only at files that exist; every fax file in
    /// the spool belongs to a record.
    func assertConsistent() async throws -> (recordsPointingNowhere: Int, filesNobodyKnows: Int) {
        let purging = Set(try await database.pendingPurges(limit: 10_000).map(\.faxID))
        var known = Set<String>()
        var pointingNowhere = 0
        for fax in try await allFaxes() {
            for file in [fax.files.tiff, fax.files.pdf, fax.files.thumbnail].compactMap({ $0 }) {
                known.insert(file.relativePath)
                if !purging.contains(fax.id) && !exists(file) { pointingNowhere += 1 }
            }
        }
        var unknown = 0
        let enumerator = FileManager.default.enumerator(atPath: spool.root + "/in")
        while let name = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: spool.root + "/in/" + name, isDirectory: &isDirectory)
            if !isDirectory.boolValue && !known.contains("in/" + name) { unknown += 1 }
        }
        return (pointingNowhere, unknown)
    }
}

extension SpoolCleaner.Outcome {
    var report: CleanupReport? {
        if case .finished(let report) = self { return report }
        return nil
    }
}
