import FaxCore
import Foundation
import Logging

/// Retention for one data folder: deletes expired faxes (records and files together), the
/// images of zero-retention faxes once delivered, other finished records, stale temporary
/// files and orphans. The same code runs from `faxline cleanup` (cron) and from the server's
/// `RetentionService`; a lock file keeps two runs from overlapping.
///
/// Crash safety — the order of operations for every fax:
///   1. mark the record (`purgeState`) in a transaction that re-checks it is neither on the
///      line nor waiting for delivery;
///   2. delete its files;
///   3. delete the record (or clear its image paths) in a second transaction.
/// A fax's files are never deleted before its record says so, so a kill at any point leaves
/// either an untouched fax, or a marked record whose files may be partly gone — and every run
/// starts by finishing the marked ones. The opposite order (record first) would leave files
/// nobody knows; files first without a mark would leave records pointing at nothing.
public struct SpoolCleaner: Sendable {
    /// Where a run can be made to fail, for crash tests.
    public enum Stage: Sendable, Equatable {
        case afterMarking, afterDeletingFiles
    }

    public enum Outcome: Sendable, Equatable {
        case finished(CleanupReport)
        /// Another cleanup holds the lock; nothing was done.
        case alreadyRunning
    }

    public static let lockFileName = "cleanup.lock"
    /// Spool folders whose files belong to records: received faxes, outbound documents.
    public static let sweptFolders = ["in", "out"]

    public let store: any RetentionRepository
    public let spool: Spool
    public let policy: RetentionPolicy
    public let lockPath: String
    public let finishedRecords: [any FinishedRecordRetention]
    public let logger: Logger
    /// Faxes handled per transaction: bounds memory and how long the writer is held.
    public var batchSize = 500
    /// Called at each stage; a throw aborts the run there (tests simulate a kill with it).
    public var faultInjection: (@Sendable (Stage) throws -> Void)?

    public init(store: any RetentionRepository, spool: Spool, policy: RetentionPolicy, lockPath: String,
                finishedRecords: [any FinishedRecordRetention] = [], logger: Logger) {
        self.store = store
        self.spool = spool
        self.policy = policy
        self.lockPath = lockPath
        self.finishedRecords = finishedRecords
        self.logger = logger
    }

    /// A cleaner for a server's data folder, on its configured policy; finished records are
    /// the store's own (outbound jobs) unless others are given.
    public init(configuration: FaxlineConfiguration, store: any FaxStore, logger: Logger,
                finishedRecords: [any FinishedRecordRetention]? = nil) {
        self.init(store: store, spool: Spool(root: configuration.spoolDirectory), policy: configuration.retention,
                  lockPath: configuration.dataDirectory + "/" + Self.lockFileName,
                  finishedRecords: finishedRecords ?? store.finishedRecordSources, logger: logger)
    }

    /// One full cleanup at `now`. `actor` names who ran it in the audit log.
    public func run(now: Date, dryRun: Bool = false, actor: String) async throws -> Outcome {
        guard let lock = try CleanupLock.acquire(path: lockPath) else { return .alreadyRunning }
        let started = ContinuousClock.now
        var report = CleanupReport(dryRun: dryRun, startedAt: now)
        // Held until the run returns or throws; the kernel releases it if the process dies.
        defer { withExtendedLifetime(lock) {} }
        do {
            try await resumeInterruptedPurges(&report)
            try await purgeExpiredFaxes(now: now, report: &report)
            try await purgeFinishedRecords(now: now, report: &report)
            try await sweepTemporaryFiles(now: now, report: &report)
            try await sweepOrphanFiles(now: now, report: &report)
            try await sweepMissingFiles(report: &report)
        } catch {
            // A run that stopped half way is audited too, with what it had done.
            try? await store.appendAudit(AuditEntry(
                at: now, kind: .cleanup, actor: actor, summary: "stopped by an error (\(error)) after " + report.auditSummary))
            throw error
        }
        let elapsed = ContinuousClock.now - started
        report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        try await store.appendAudit(AuditEntry(at: now, kind: .cleanup, actor: actor, summary: report.auditSummary))
        logger.notice("cleanup finished", metadata: [
            "dry-run": "\(dryRun)", "faxes": "\(report.deletedFaxIDs.count)", "images": "\(report.imagesDeletedFaxIDs.count)",
            "files": "\(report.deletedFiles)", "bytes": "\(report.deletedBytes)", "errors": "\(report.errors.count)",
        ])
        return .finished(report)
    }

    /// Deletes one fax at once (records and files), by hand; refuses a fax on the line, and one
    /// not yet delivered unless `evenIfUndelivered`. Writes an audit entry.
    public func deleteFax(id: String, evenIfUndelivered: Bool, actor: String, now: Date) async throws -> CleanupReport {
        var report = CleanupReport(dryRun: false, startedAt: now)
        let purge = try await store.markForManualPurge(faxID: id, evenIfUndelivered: evenIfUndelivered)
        try await execute([purge], report: &report)
        try await store.appendAudit(AuditEntry(
            at: now, kind: .manualDeletion, actor: actor,
            summary: "fax \(purge.faxID): \(report.deletedFiles) files, \(report.deletedBytes) bytes"
                + (report.errors.isEmpty ? "" : "; " + report.errors.joined(separator: "; "))))
        return report
    }

    // MARK: - Faxes

    private func resumeInterruptedPurges(_ report: inout CleanupReport) async throws {
        if report.dryRun {
            let pending = try await store.pendingPurges(limit: 10_000)
            report.resumedPurges = pending.count
            try await tally(pending, into: &report)
            return
        }
        var seen = Set<String>()
        while true {
            // A purge that failed (a file that cannot be deleted) stays marked; `seen` keeps
            // this loop from retrying it forever within one run.
            let pending = try await store.pendingPurges(limit: batchSize).filter { !seen.contains($0.faxID) }
            if pending.isEmpty { break }
            seen.formUnion(pending.map(\.faxID))
            report.resumedPurges += pending.count
            try await execute(pending, report: &report)
        }
    }

    private func purgeExpiredFaxes(now: Date, report: inout CleanupReport) async throws {
        let overrides = try await store.retentionOverrides()
        let cutoff = policy.youngestPossibleRecordCutoff(now: now)
        var cursor: FaxRetentionCursor?
        while true {
            let batch = try await store.faxRetentionCandidates(olderThan: cutoff, after: cursor, limit: batchSize)
            guard let last = batch.last else { break }
            cursor = FaxRetentionCursor(createdAt: last.createdAt, id: last.id)
            var purges: [FaxPurge] = []
            for fax in batch {
                switch policy.decision(for: fax, overrides: overrides, now: now) {
                case .deleteRecord: purges.append(FaxPurge(faxID: fax.id, scope: .record, files: fax.files))
                case .deleteImages: purges.append(FaxPurge(faxID: fax.id, scope: .images, files: fax.files))
                case .keep:
                    if fax.deliveryState == .pending && !fax.isInFlight {
                        var delivered = fax
                        delivered.deliveryState = .delivered
                        if policy.decision(for: delivered, overrides: overrides, now: now) != .keep { report.keptUndelivered += 1 }
                    }
                }
            }
            if report.dryRun {
                try await tally(purges, into: &report)
            } else {
                let marked = try await store.markForPurge(purges)
                try faultInjection?(.afterMarking)
                try await execute(marked, report: &report)
            }
        }
    }

    /// Steps 2 and 3 for marked purges. A file another record still names (a document shared
    /// by the jobs or faxes of one broadcast) stays; the orphan sweep takes it once nobody does.
    private func execute(_ purges: [FaxPurge], report: inout CleanupReport) async throws {
        let shared = try await sharedFiles(of: purges)
        var completed: [String] = []
        for purge in purges {
            var failed = false
            for file in purge.files where !shared.contains(file.relativePath) {
                switch remove(spool.absolute(file.relativePath)) {
                case .removed(let bytes): report.count(file: file.relativePath, bytes: bytes)
                case .absent: break
                case .failed(let reason):
                    failed = true
                    report.errors.append("cannot delete \(file): \(reason)")
                }
            }
            if failed { continue }
            completed.append(purge.faxID)
            switch purge.scope {
            case .record: report.deletedFaxIDs.insert(purge.faxID)
            case .images: report.imagesDeletedFaxIDs.insert(purge.faxID)
            }
        }
        try faultInjection?(.afterDeletingFiles)
        try await store.completePurges(completed)
    }

    /// Files of these purges that a record outside them still names.
    private func sharedFiles(of purges: [FaxPurge]) async throws -> Set<String> {
        let purgedIDs = Set(purges.map(\.faxID))
        let paths = purges.flatMap { $0.files.map(\.relativePath) }
        return try await store.referencedSpoolPaths(paths, excludingFaxIDs: purgedIDs)
    }

    private func tally(_ purges: [FaxPurge], into report: inout CleanupReport) async throws {
        let shared = try await sharedFiles(of: purges)
        for purge in purges { tally(purge, shared: shared, into: &report) }
    }

    private func tally(_ purge: FaxPurge, shared: Set<String>, into report: inout CleanupReport) {
        for file in purge.files where !shared.contains(file.relativePath) {
            if let bytes = size(spool.absolute(file.relativePath)) { report.count(file: file.relativePath, bytes: bytes) }
        }
        switch purge.scope {
        case .record: report.deletedFaxIDs.insert(purge.faxID)
        case .images: report.imagesDeletedFaxIDs.insert(purge.faxID)
        }
    }

    // MARK: - Other records

    private func purgeFinishedRecords(now: Date, report: inout CleanupReport) async throws {
        let cutoff = policy.finishedRecordCutoff(now: now)
        for source in finishedRecords {
            if report.dryRun {
                report.finishedRecords[source.retentionKind] = try await source.countFinishedRecords(before: cutoff)
                continue
            }
            var total = 0
            while true {
                let deleted = try await source.deleteFinishedRecords(before: cutoff, limit: batchSize)
                total += deleted
                if deleted == 0 { break }
            }
            report.finishedRecords[source.retentionKind] = total
        }
    }

    // MARK: - Files

    /// `tmp/` holds files being written; one older than the limit belongs to no live call —
    /// unless it is named after a fax still on the line (a very long call, or a reception the
    /// server's startup recovery has not filed yet).
    private func sweepTemporaryFiles(now: Date, report: inout CleanupReport) async throws {
        let folder = spool.temporaryDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        let inFlight = try await store.inFlightFaxIDs()
        for name in names {
            let path = folder + "/" + name
            guard let info = fileInfo(path), info.isRegular, now.timeIntervalSince(info.modified) > policy.temporaryFileAge,
                  !inFlight.contains(Self.stem(name)) else { continue }
            if report.dryRun {
                report.count(file: path, bytes: info.bytes, kind: "temporary")
            } else if case .removed(let bytes) = remove(path) {
                report.count(file: path, bytes: bytes, kind: "temporary")
            }
        }
    }

    /// Files outside `tmp/` that no record points at. They are only deleted once older than the
    /// temporary-file age: a fax being filed is renamed into place a moment before its record
    /// is updated.
    private func sweepOrphanFiles(now: Date, report: inout CleanupReport) async throws {
        let inFlight = try await store.inFlightFaxIDs()
        // Only the folders whose files records name: anything else in the spool root is not ours
        // to judge. A new kind of spool file needs its folder here and its table in
        // `StoreTransaction.spoolReferences`.
        for name in Self.sweptFolders {
            let path = spool.root + "/" + name
            guard let info = fileInfo(path) else { continue }
            guard info.isDirectory, access(path, R_OK | W_OK | X_OK) == 0 else {
                throw CleanupError.spoolUnreadable(path: path, reason: "not a folder this user can read and write")
            }
            try await sweepOrphans(in: name, now: now, inFlight: inFlight, report: &report)
        }
    }

    /// One folder, depth first; a folder's files are checked against the records in one query.
    /// Returns whether the folder is now empty.
    @discardableResult
    private func sweepOrphans(in relativeFolder: String, now: Date, inFlight: Set<String>, report: inout CleanupReport)
        async throws -> Bool
    {
        let folder = spool.absolute(relativeFolder)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return false }
        var files: [(relative: String, info: FileInfo)] = []
        var remaining = names.count
        for name in names.sorted() {
            let relative = relativeFolder + "/" + name
            guard let info = fileInfo(spool.absolute(relative)) else { continue }
            if info.isDirectory {
                if try await sweepOrphans(in: relative, now: now, inFlight: inFlight, report: &report) {
                    // An empty day folder goes once it is old enough that no filing could be
                    // about to rename a file into it.
                    if !report.dryRun, now.timeIntervalSince(info.modified) > policy.temporaryFileAge,
                       rmdir(spool.absolute(relative)) == 0 {
                        remaining -= 1
                    }
                }
            } else if info.isRegular {
                files.append((relative, info))
            }
        }
        let paths = files.map(\.relative)
        let known = try await store.referencedSpoolPaths(paths, excludingFaxIDs: [])
        for file in files where !known.contains(file.relative) {
            let stem = Self.stem((file.relative as NSString).lastPathComponent)
            if inFlight.contains(stem) { continue }
            report.orphanFilesFound += 1
            guard now.timeIntervalSince(file.info.modified) > policy.temporaryFileAge else { continue }
            if report.dryRun {
                report.count(file: file.relative, bytes: file.info.bytes, kind: "orphan")
            } else if case .removed(let bytes) = remove(spool.absolute(file.relative)) {
                report.count(file: file.relative, bytes: bytes, kind: "orphan")
                remaining -= 1
            }
        }
        return remaining == 0
    }

    /// Records pointing at files that are not there (deleted by hand, a restored backup): the
    /// pointer is dropped and the fax's log says so, so that nothing offers a file it cannot give.
    private func sweepMissingFiles(report: inout CleanupReport) async throws {
        var cursor: String?
        while true {
            let batch = try await store.faxFiles(after: cursor, limit: batchSize)
            guard let last = batch.last else { break }
            cursor = last.faxID
            for entry in batch {
                let faxID = entry.faxID
                for file in entry.files where fileInfo(spool.absolute(file.relativePath)) == nil {
                    report.recordsWithMissingFiles += 1
                    if report.dryRun { continue }
                    logger.warning("a fax file is missing from the spool", metadata: ["fax.id": "\(faxID)", "file": "\(file)"])
                    try await store.forgetMissingFile(faxID: faxID, path: file, note: "file \(file) was missing from the spool")
                }
            }
        }
    }

    // MARK: - File system

    struct FileInfo: Equatable {
        var isRegular: Bool
        var isDirectory: Bool
        var bytes: Int64
        var modified: Date
    }

    func fileInfo(_ path: String) -> FileInfo? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
        return FileInfo(isRegular: type == S_IFREG, isDirectory: type == S_IFDIR, bytes: Int64(info.st_size), modified: modified)
    }

    private func size(_ path: String) -> Int64? {
        fileInfo(path).map(\.bytes)
    }

    enum Removal: Equatable {
        case removed(bytes: Int64)
        case absent
        case failed(String)
    }

    /// Deletes a file (never follows a symlink: `unlink` removes the link itself).
    func remove(_ path: String) -> Removal {
        let bytes = size(path) ?? 0
        if unlink(path) == 0 { return .removed(bytes: bytes) }
        let code = errno
        return code == ENOENT ? .absent : .failed(String(cString: strerror(code)))
    }

    /// `<faxid>` of `<faxid>.tif`.
    static func stem(_ name: String) -> String {
        name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
    }
}
