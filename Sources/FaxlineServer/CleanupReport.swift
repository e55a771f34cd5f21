import FaxCore
import Foundation

/// What a cleanup run deleted (or, in a dry run, would delete).
public struct CleanupReport: Sendable, Equatable, Codable {
    public struct Tally: Sendable, Equatable, Codable {
        public var count = 0
        public var bytes: Int64 = 0

        public init(count: Int = 0, bytes: Int64 = 0) {
            self.count = count
            self.bytes = bytes
        }

        mutating func add(bytes: Int64) {
            count += 1
            self.bytes += bytes
        }
    }

    public var dryRun: Bool
    public var startedAt: Date
    public var seconds: Double = 0
    /// Faxes whose record and images went.
    public var deletedFaxIDs: Set<String> = []
    /// Zero retention: faxes whose images went while the record stays.
    public var imagesDeletedFaxIDs: Set<String> = []
    /// Purges a crashed or killed run had left half done, finished now.
    public var resumedPurges = 0
    /// Files by kind: tiff, pdf, thumbnail, other, temporary, orphan.
    public var files: [String: Tally] = [:]
    /// Other finished records (jobs, attempts, logs) by kind.
    public var finishedRecords: [String: Int] = [:]
    /// Files in the spool that no record knows.
    public var orphanFilesFound = 0
    /// Records that pointed at a file that was not there; the pointer is dropped.
    public var recordsWithMissingFiles = 0
    /// Faxes past their time but kept because a delivery is still pending.
    public var keptUndelivered = 0
    /// Files that could not be deleted; their faxes stay marked and the next run retries.
    public var errors: [String] = []

    public init(dryRun: Bool, startedAt: Date) {
        self.dryRun = dryRun
        self.startedAt = startedAt
    }

    public var deletedBytes: Int64 { files.values.reduce(0) { $0 + $1.bytes } }
    public var deletedFiles: Int { files.values.reduce(0) { $0 + $1.count } }

    /// Kind of a spool file by its extension (how reports count them).
    static func kind(of path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "tif", "tiff": "tiff"
        case "pdf": "pdf"
        case "png": "thumbnail"
        default: "other"
        }
    }

    mutating func count(file path: String, bytes: Int64, kind: String? = nil) {
        files[kind ?? Self.kind(of: path), default: Tally()].add(bytes: bytes)
    }

    /// A few lines for people (cron mails them, the log prints them).
    public func text(verbose: Bool = false) -> String {
        let verb = dryRun ? "would delete" : "deleted"
        var lines = [
            "cleanup\(dryRun ? " (dry run)" : ""): \(verb) \(Plural.count(deletedFaxIDs.count, "fax record")) and the images of "
                + "\(imagesDeletedFaxIDs.count) more; \(Plural.count(deletedFiles, "file")), \(Self.size(deletedBytes)) in \(String(format: "%.1f", seconds)) s"
        ]
        for kind in files.keys.sorted() {
            let tally = files[kind] ?? Tally()
            lines.append("  \(kind): \(Plural.count(tally.count, "file")), \(Self.size(tally.bytes))")
        }
        for kind in finishedRecords.keys.sorted() {
            lines.append("  \(kind): \(Plural.count(finishedRecords[kind] ?? 0, "record"))")
        }
        if resumedPurges > 0 { lines.append("  finished \(Plural.count(resumedPurges, "deletion")) an interrupted run had begun") }
        if keptUndelivered > 0 { lines.append("  kept \(Plural.count(keptUndelivered, "expired fax", "expired faxes")) not delivered yet") }
        if orphanFilesFound > 0 { lines.append("  \(Plural.count(orphanFilesFound, "file")) in the spool belonged to no fax") }
        if recordsWithMissingFiles > 0 { lines.append("  \(Plural.count(recordsWithMissingFiles, "fax file")) missing from the spool") }
        for error in errors { lines.append("  error: \(error)") }
        if verbose {
            for id in deletedFaxIDs.sorted() { lines.append("  \(verb) fax \(id)") }
            for id in imagesDeletedFaxIDs.sorted() { lines.append("  \(verb) the images of fax \(id)") }
        }
        return lines.joined(separator: "\n")
    }

    /// One line for the audit log.
    var auditSummary: String {
        var parts = ["\(dryRun ? "dry run: " : "")\(deletedFaxIDs.count) fax records", "\(imagesDeletedFaxIDs.count) image sets",
                     "\(deletedFiles) files", "\(deletedBytes) bytes"]
        for kind in finishedRecords.keys.sorted() { parts.append("\(finishedRecords[kind] ?? 0) \(kind)") }
        if resumedPurges > 0 { parts.append("\(resumedPurges) resumed") }
        if !errors.isEmpty { parts.append("\(errors.count) errors") }
        return parts.joined(separator: ", ")
    }

    static func size(_ bytes: Int64) -> String {
        bytes >= 1_048_576 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : String(format: "%.1f kB", Double(bytes) / 1024)
    }
}
