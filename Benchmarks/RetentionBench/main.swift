import FaxCore
import FaxlineServer
import Foundation
import Logging
import Store

// Cleanup of N expired faxes (records and two files each) in a fresh data folder: seconds and
// peak memory of the cleanup alone. Usage: RetentionBench [--faxes N] [--keep-folder]

func option(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

/// Peak resident memory since the last reset, from /proc (Linux).
func peakResidentKilobytes() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
    return nil
}

/// Resets the peak so that the figure covers the cleanup, not the set-up.
func resetPeakResident() {
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}

let count = Int(option("--faxes") ?? "") ?? 100_000
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-retention-bench-\(UUID().uuidString)").path
let configuration = FaxlineConfiguration(dataDirectory: folder)
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { if !CommandLine.arguments.contains("--keep-folder") { try? FileManager.default.removeItem(atPath: folder) } }
let database = try FaxDatabase(path: configuration.databasePath)
let spool = Spool(root: configuration.spoolDirectory)
try spool.prepare()
var logger = Logger(label: "retention-bench")
logger.logLevel = .error

let now = Date()
let setUpStart = Date()
let tiffBytes = Data(repeating: 0x49, count: 2_000)
let pdfBytes = Data(repeating: 0x25, count: 1_500)
var batch: [FaxRecord] = []
for index in 0..<count {
    // Spread over the 60 days before the 30-day limit: every one is expired.
    let created = now.addingTimeInterval(-(31 + 60 * Double(index) / Double(count)) * RetentionPolicy.day)
    var fax = FaxRecord(
        createdAt: created, finishedAt: created.addingTimeInterval(90), deviceExtensions: ["200"], callerNumber: "+4930123",
        status: .received, deliveryState: .delivered)
    let base = spool.incomingBase(faxID: fax.id, at: created)
    let directory = spool.absolute((base as NSString).deletingLastPathComponent)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    guard FileManager.default.createFile(atPath: spool.absolute(base + ".tif"), contents: tiffBytes),
          FileManager.default.createFile(atPath: spool.absolute(base + ".pdf"), contents: pdfBytes) else {
        fatalError("cannot write into \(folder)")
    }
    fax.files = FaxSpoolFiles(tiff: try SpoolPath(base + ".tif"), pdf: try SpoolPath(base + ".pdf"))
    batch.append(fax)
    if batch.count == 5_000 || index == count - 1 {
        try await database.insertFaxes(batch)
        batch.removeAll(keepingCapacity: true)
    }
}
print(String(format: "set-up: %d faxes, %d files in %.1f s", count, count * 2, Date().timeIntervalSince(setUpStart)))

resetPeakResident()
let cleaner = SpoolCleaner(configuration: configuration, store: database, logger: logger)
let clock = ContinuousClock()
let start = clock.now
let outcome = try await cleaner.run(now: now, actor: "bench")
let elapsed = clock.now - start
guard case .finished(let report) = outcome else { fatalError("another cleanup was running") }
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(report.text())
print(String(format: "retention: faxes=%d files=%d seconds=%.2f faxes_per_s=%.0f peak_rss_mb=%.1f",
             report.deletedFaxIDs.count, report.deletedFiles, seconds, Double(report.deletedFaxIDs.count) / seconds,
             Double(peakResidentKilobytes() ?? 0) / 1024))
if report.deletedFaxIDs.count != count || !report.errors.isEmpty {
    print("UNEXPECTED: \(count) faxes were due")
    exit(1)
}
