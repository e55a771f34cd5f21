import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Store
import Testing

/// Retention against a real SQLite file and spool, with an injected clock (`fixture.now`).
@Suite struct CleanupTests {
    struct Simulated: Error {}

    /// Counts calls across tasks.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.withLock { value += 1; return value } }
    }

    /// Devices: 200 default (30 days), 300 own 60 days (in group legal), 400 group legal
    /// (14 days), 500 zero retention.
    func addDevices(_ fixture: CleanupFixture) async throws {
        let database = fixture.database
        do {
            for number in ["200", "300", "400", "500"] {
                _ = try await database.addDevice(try FaxDevice(
                    extensionNumber: number, name: "Device \(number)", emailAddresses: ["fax\(number)@example.com"],
                    group: number == "300" || number == "400" ? "legal" : nil))
            }
            try await database.changeDeviceRetention(RetentionChange(days: .set(60)), extension: "300")
            try await database.changeGroupRetention(RetentionChange(days: .set(14)), group: "legal")
            try await database.changeDeviceRetention(RetentionChange(zeroRetention: true), extension: "500")
        }
    }

    struct Expected {
        var deleted = Set<String>()
        var imagesDeleted = Set<String>()
        var untouched = Set<String>()
    }

    /// `count` faxes spread evenly over 90 days, and what a cleanup at `now` must do to each —
    /// written as a table, independently of the policy code.
    func populate(_ fixture: CleanupFixture, count: Int) async throws -> Expected {
        var expected = Expected()
        var faxes: [FaxRecord] = []
        let extensions = ["200", "300", "400", "500"]
        let days = ["200": 30.0, "300": 60, "400": 14, "500": 7]
        for index in 0..<count {
            let age = Double(index) * 90 / Double(count)
            let number = extensions[index % 4]
            let inFlight = index % 37 == 0
            let pending = !inFlight && index % 13 == 0
            let failed = !inFlight && !pending && index % 11 == 0
            let sent = index % 10 == 3
            let status: FaxStatus = inFlight ? (sent ? .sending : .receiving) : (sent ? .sent : .received)
            let fax = try fixture.makeFax(
                ageDays: age, extensions: [number], status: status,
                delivery: pending ? .pending : failed ? .failed : .delivered, direction: sent ? .sent : .received)
            faxes.append(fax)
            if inFlight || pending {
                expected.untouched.insert(fax.id)
            } else if age >= days[number] ?? 30 {
                expected.deleted.insert(fax.id)
            } else if number == "500" && !failed {
                expected.imagesDeleted.insert(fax.id)
            } else {
                expected.untouched.insert(fax.id)
            }
        }
        try await fixture.insert(faxes)
        return expected
    }

    @Test func thousandsOfFaxesOverNinetyDaysDryRunThenRealRun() async throws {
        let fixture = try CleanupFixture()
        try await addDevices(fixture)
        let expected = try await populate(fixture, count: 2_000)
        let before = try await fixture.allFaxes()
        #expect(!expected.deleted.isEmpty && !expected.imagesDeleted.isEmpty)

        let cleaner = fixture.cleaner()
        let dry = try #require(try await cleaner.run(now: fixture.now, dryRun: true, actor: "test").report)
        #expect(dry.deletedFaxIDs == expected.deleted)
        #expect(dry.imagesDeletedFaxIDs == expected.imagesDeleted)
        #expect(try await fixture.allFaxes() == before)
        #expect(before.allSatisfy { fixture.exists($0.files.tiff) || $0.files.tiff == nil })

        let real = try #require(try await cleaner.run(now: fixture.now, actor: "test").report)
        #expect(real.deletedFaxIDs == expected.deleted)
        #expect(real.imagesDeletedFaxIDs == expected.imagesDeleted)
        #expect(real.files == dry.files)
        let faxesLosingFiles = expected.deleted.count + expected.imagesDeleted.count
        #expect(real.files["tiff"] == CleanupReport.Tally(count: faxesLosingFiles, bytes: Int64(faxesLosingFiles * 300)))
        #expect(real.files["pdf"] == CleanupReport.Tally(count: faxesLosingFiles, bytes: Int64(faxesLosingFiles * 200)))
        #expect(real.deletedBytes == Int64((expected.deleted.count + expected.imagesDeleted.count) * 500))
        #expect(real.keptUndelivered > 0)
        #expect(real.errors.isEmpty)

        let after = Dictionary(uniqueKeysWithValues: try await fixture.allFaxes().map { ($0.id, $0) })
        #expect(Set(after.keys) == expected.untouched.union(expected.imagesDeleted))
        for original in before {
            if expected.deleted.contains(original.id) {
                #expect(!fixture.exists(original.files.tiff) && !fixture.exists(original.files.pdf))
            } else if expected.imagesDeleted.contains(original.id) {
                #expect(after[original.id]?.files == FaxSpoolFiles())
                #expect(!fixture.exists(original.files.tiff) && !fixture.exists(original.files.pdf))
            } else {
                #expect(after[original.id] == original)
                if original.files.tiff != nil { #expect(fixture.exists(original.files.tiff) && fixture.exists(original.files.pdf)) }
            }
        }
        let consistency = try await fixture.assertConsistent()
        #expect(consistency.recordsPointingNowhere == 0 && consistency.filesNobodyKnows == 0)
        let audit = try await fixture.database.auditEntries(limit: 100)
        #expect(audit.count == 2 && audit.allSatisfy { $0.kind == .cleanup && $0.actor == "test" })

        // A second run finds nothing more to do.
        let again = try #require(try await cleaner.run(now: fixture.now, actor: "test").report)
        #expect(again.deletedFaxIDs.isEmpty && again.imagesDeletedFaxIDs.isEmpty && again.deletedFiles == 0)
    }

    @Test(arguments: [SpoolCleaner.Stage.afterMarking, .afterDeletingFiles])
    func aRunKilledHalfWayIsFinishedByTheNext(stage: SpoolCleaner.Stage) async throws {
        let fixture = try CleanupFixture()
        try await addDevices(fixture)
        let expected = try await populate(fixture, count: 400)
        var crashing = fixture.cleaner()
        crashing.batchSize = 40
        let calls = Counter()
        crashing.faultInjection = { reached in
            if reached == stage, calls.next() == 2 { throw Simulated() }
        }
        await #expect(throws: Simulated.self) { try await crashing.run(now: fixture.now, actor: "test") }
        let marked = try await fixture.database.pendingPurges(limit: 10_000)
        #expect(!marked.isEmpty)
        let audit = try await fixture.database.auditEntries(limit: 100)
        #expect(audit.count == 1 && audit[0].summary.hasPrefix("stopped by an error"))
        let halfway = try await fixture.assertConsistent()
        #expect(halfway.recordsPointingNowhere == 0 && halfway.filesNobodyKnows == 0)

        let rerun = try #require(try await fixture.cleaner().run(now: fixture.now, actor: "test").report)
        #expect(rerun.resumedPurges == marked.count)
        let remaining = Set(try await fixture.allFaxes().map(\.id))
        #expect(remaining == expected.untouched.union(expected.imagesDeleted))
        #expect(try await fixture.database.pendingPurges(limit: 10).isEmpty)
        let final = try await fixture.assertConsistent()
        #expect(final.recordsPointingNowhere == 0 && final.filesNobodyKnows == 0)
    }

    @Test func orphansOfBothKindsAndStaleTemporaryFiles() async throws {
        let fixture = try CleanupFixture()
        let old = fixture.now.addingTimeInterval(-2 * RetentionPolicy.day)
        let young = fixture.now.addingTimeInterval(-3600)
        let oldOrphan = try fixture.write("in/2026/01/02/\(UUID().uuidString.lowercased()).tif", bytes: 1000, modified: old)
        let youngOrphan = try fixture.write("in/2026/01/03/\(UUID().uuidString.lowercased()).pdf", bytes: 10, modified: young)
        let strayName = try fixture.write("in/2026/01/02/notes.txt", bytes: 7, modified: old)
        try fixture.setModified(fixture.spool.absolute("in/2026/01/02"), old)
        try fixture.setModified(fixture.spool.absolute("in/2026/01/03"), young)

        var missing = try fixture.makeFax(ageDays: 2, extensions: ["200"])
        try FileManager.default.removeItem(atPath: fixture.spool.absolute(try #require(missing.files.pdf).relativePath))
        let onTheLine = try fixture.makeFax(ageDays: 2, extensions: ["200"], status: .receiving)
        try await fixture.insert([missing, onTheLine])
        let staleTemporary = fixture.spool.temporaryFile("leftover.tif")
        let youngTemporary = fixture.spool.temporaryFile("fresh.tif")
        let liveTemporary = fixture.spool.temporaryFile("\(onTheLine.id).tif")
        for (path, date) in [(staleTemporary, old), (youngTemporary, young), (liveTemporary, old)] {
            #expect(FileManager.default.createFile(atPath: path, contents: Data(count: 100)))
            try fixture.setModified(path, date)
        }

        let dry = try #require(try await fixture.cleaner().run(now: fixture.now, dryRun: true, actor: "test").report)
        #expect(dry.orphanFilesFound == 3 && dry.recordsWithMissingFiles == 1)
        #expect(FileManager.default.fileExists(atPath: fixture.spool.absolute(oldOrphan.relativePath)))

        let report = try #require(try await fixture.cleaner().run(now: fixture.now, actor: "test").report)
        #expect(report.orphanFilesFound == 3)
        #expect(report.files["orphan"] == CleanupReport.Tally(count: 2, bytes: 1007))
        #expect(report.files["temporary"] == CleanupReport.Tally(count: 1, bytes: 100))
        #expect(report.recordsWithMissingFiles == 1)
        #expect(!fixture.exists(oldOrphan) && !fixture.exists(strayName))
        #expect(fixture.exists(youngOrphan))
        #expect(!FileManager.default.fileExists(atPath: fixture.spool.absolute("in/2026/01/02")))
        #expect(!FileManager.default.fileExists(atPath: staleTemporary))
        #expect(FileManager.default.fileExists(atPath: youngTemporary) && FileManager.default.fileExists(atPath: liveTemporary))
        missing = try #require(try await fixture.database.fax(id: missing.id))
        #expect(missing.files.pdf == nil && missing.files.tiff != nil)
        #expect(missing.events.last?.text.contains("missing") == true)
        let consistency = try await fixture.assertConsistent()
        #expect(consistency.recordsPointingNowhere == 0 && consistency.filesNobodyKnows == 1)  // the young orphan
    }

    @Test func zeroRetentionDeletesImagesAfterDeliveryAndKeepsTheRecord() async throws {
        let fixture = try CleanupFixture()
        try await addDevices(fixture)
        let delivered = try fixture.makeFax(ageDays: 0.01, extensions: ["500"])
        let pending = try fixture.makeFax(ageDays: 0.01, extensions: ["500"], delivery: .pending)
        let failedRecently = try fixture.makeFax(ageDays: 3, extensions: ["500"], delivery: .failed)
        let failedLongAgo = try fixture.makeFax(ageDays: 7.5, extensions: ["500"], delivery: .failed)
        let sharedWithNormal = try fixture.makeFax(ageDays: 0.01, extensions: ["500", "200"])
        try await fixture.insert([delivered, pending, failedRecently, failedLongAgo, sharedWithNormal])

        let report = try #require(try await fixture.cleaner().run(now: fixture.now, actor: "test").report)
        #expect(report.imagesDeletedFaxIDs == [delivered.id])
        #expect(report.deletedFaxIDs == [failedLongAgo.id])
        let kept = try #require(try await fixture.database.fax(id: delivered.id))
        #expect(kept.files == FaxSpoolFiles() && kept.status == .received && kept.session == delivered.session)
        #expect(!fixture.exists(delivered.files.tiff))
        for untouched in [pending, failedRecently, sharedWithNormal] {
            #expect(try await fixture.database.fax(id: untouched.id) == untouched)
            #expect(fixture.exists(untouched.files.tiff))
        }
        // Seven days on, the record without images goes too.
        let later = fixture.now.addingTimeInterval(7 * RetentionPolicy.day)
        let next = try #require(try await fixture.cleaner().run(now: later, actor: "test").report)
        #expect(next.deletedFaxIDs.contains(delivered.id) && next.deletedFiles >= 0)
    }

    @Test func twoCleanupsAtOnceOneReportsTheOtherIsRunning() async throws {
        let fixture = try CleanupFixture()
        let old = try fixture.makeFax(ageDays: 40, extensions: ["200"])
        try await fixture.insert([old])
        let lockPath = fixture.path + "/" + SpoolCleaner.lockFileName
        // Another process's cleanup: an flock held on its own descriptor.
        let other = open(lockPath, O_RDWR | O_CREAT, 0o640)
        #expect(other >= 0)
        #expect(flock(other, LOCK_EX | LOCK_NB) == 0)
        #expect(try await fixture.cleaner().run(now: fixture.now, actor: "test") == .alreadyRunning)
        let service = RetentionService(cleaner: fixture.cleaner(), schedule: .standard, logger: fixture.logger,
                                       now: { [now = fixture.now] in now })
        #expect(await service.runOnce() == .alreadyRunning)
        #expect(try await fixture.database.fax(id: old.id) != nil)
        close(other)

        // Started together in this process: exactly one runs while the other holds the lock,
        // or both run one after the other; never both at once and the fax is deleted once.
        var slow = fixture.cleaner()
        let inside = Counter()
        slow.faultInjection = { _ in _ = inside.next() }
        async let first = slow.run(now: fixture.now, actor: "a")
        async let second = fixture.cleaner().run(now: fixture.now, actor: "b")
        let outcomes = try await [first, second]
        let finished = outcomes.compactMap(\.report)
        #expect(finished.reduce(0) { $0 + $1.deletedFaxIDs.count } == 1)
        #expect(try await fixture.database.fax(id: old.id) == nil)
        // The lock is released after a run, also after one that failed.
        var failing = fixture.cleaner()
        failing.faultInjection = { _ in throw Simulated() }
        let another = try fixture.makeFax(ageDays: 40, extensions: ["200"])
        try await fixture.insert([another])
        await #expect(throws: Simulated.self) { try await failing.run(now: fixture.now, actor: "test") }
        #expect(try await fixture.cleaner().run(now: fixture.now, actor: "test").report?.resumedPurges == 1)
    }

    @Test func finishedJobsGoAfterThirtyDaysAndTheirDocumentsWithThem() async throws {
        let fixture = try CleanupFixture()
        let longAgo = fixture.now.addingTimeInterval(-40 * RetentionPolicy.day)
        func job(_ broadcast: String, finishedDaysAgo: Double?) async throws -> Job {
            let document = try fixture.write("out/\(broadcast).tif", bytes: 400, modified: longAgo)
            let submitted = try Job(broadcastID: broadcast, number: "5551234", document: document, pageCount: 1, submittedAt: longAgo)
            let stored = try await fixture.database.submitJobs([submitted])
            guard var job = stored.first, stored.count == 1 else { throw Simulated() }
            guard let finishedDaysAgo else { return job }
            for (from, to) in [(JobState.queued, JobState.dialing), (.dialing, .sending), (.sending, .done)] {
                job.state = to
                if to == .done { job.finishedAt = fixture.now.addingTimeInterval(-finishedDaysAgo * RetentionPolicy.day) }
                try await fixture.database.saveJob(job, expecting: from)
            }
            return job
        }
        let oldDone = try await job("broadcast-old", finishedDaysAgo: 40)
        let recentDone = try await job("broadcast-recent", finishedDaysAgo: 10)
        let queued = try await job("broadcast-queued", finishedDaysAgo: nil)

        let dry = try #require(try await fixture.cleaner().run(now: fixture.now, dryRun: true, actor: "test").report)
        #expect(dry.finishedRecords == ["jobs": 1])
        let report = try #require(try await fixture.cleaner().run(now: fixture.now, actor: "test").report)
        #expect(report.finishedRecords == ["jobs": 1])
        #expect(report.files["orphan"] == CleanupReport.Tally(count: 1, bytes: 400))
        #expect(try await fixture.database.job(id: try #require(oldDone.id)) == nil)
        #expect(!fixture.exists(oldDone.document))
        for kept in [recentDone, queued] {
            #expect(try await fixture.database.job(id: try #require(kept.id)) != nil)
            #expect(fixture.exists(kept.document))
        }
    }

    @Test func aFileSharedByTwoRecordsStaysUntilTheLastOneGoes() async throws {
        let fixture = try CleanupFixture()
        let document = try fixture.write("out/broadcast-1.tif", bytes: 700)
        var older = try fixture.makeFax(ageDays: 40, extensions: ["200"], status: .sent, direction: .sent)
        var newer = try fixture.makeFax(ageDays: 20, extensions: ["200"], status: .sent, direction: .sent)
        for fax in [older, newer] {
            for file in [fax.files.tiff, fax.files.pdf].compactMap({ $0 }) {
                try FileManager.default.removeItem(atPath: fixture.spool.absolute(file.relativePath))
            }
        }
        older.files = FaxSpoolFiles(tiff: document)
        newer.files = FaxSpoolFiles(tiff: document)
        try await fixture.insert([older, newer])
        let dry = try #require(try await fixture.cleaner().run(now: fixture.now, dryRun: true, actor: "test").report)
        #expect(dry.deletedFaxIDs == [older.id] && dry.deletedFiles == 0)
        let first = try #require(try await fixture.cleaner().run(now: fixture.now, actor: "test").report)
        #expect(first.deletedFaxIDs == [older.id] && first.deletedFiles == 0 && first.orphanFilesFound == 0)
        #expect(fixture.exists(document))
        let later = fixture.now.addingTimeInterval(11 * RetentionPolicy.day)
        let second = try #require(try await fixture.cleaner().run(now: later, actor: "test").report)
        #expect(second.deletedFaxIDs == [newer.id] && second.files["tiff"] == CleanupReport.Tally(count: 1, bytes: 700))
        #expect(!fixture.exists(document))
    }

    @Test func theServerRunsTheCleanupAtTheScheduledTime() async throws {
        let fixture = try CleanupFixture()
        let old = try fixture.makeFax(ageDays: 40, extensions: ["200"])
        try await fixture.insert([old])
        let schedule = RetentionSchedule.standard
        // Half a second before the next 03:30: the service sleeps until then, and cleans up.
        let justBefore = schedule.nextRun(after: fixture.now).addingTimeInterval(-0.5)
        let clock = TestClock()
        let service = RetentionService(cleaner: fixture.cleaner(), schedule: schedule, logger: fixture.logger,
                                       now: { justBefore }, clock: clock)
        var audit: [AuditEntry] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            await clock.waitForSleepers()
            #expect(try await fixture.database.auditEntries(limit: 100).isEmpty)
            // The service waits at least a second; then it cleans up, and sleeps until the next day.
            clock.advance(by: .seconds(1))
            await clock.waitForSleepers()
            audit = try await fixture.database.auditEntries(limit: 100)
            group.cancelAll()
        }
        #expect(audit.first?.actor == "serve")
        #expect(try await fixture.database.fax(id: old.id) == nil)
    }

    @Test func manualDeletionIsAuditedAndRefusesUndeliveredFaxesUnlessForced() async throws {
        let fixture = try CleanupFixture()
        let delivered = try fixture.makeFax(ageDays: 1, extensions: ["200"])
        let pending = try fixture.makeFax(ageDays: 1, extensions: ["200"], delivery: .pending)
        let onTheLine = try fixture.makeFax(ageDays: 0, extensions: ["200"], status: .receiving)
        try await fixture.insert([delivered, pending, onTheLine])
        let cleaner = fixture.cleaner()
        let report = try await cleaner.deleteFax(id: delivered.id.uppercased(), evenIfUndelivered: false, actor: "alice", now: fixture.now)
        #expect(report.deletedFiles == 2 && report.deletedBytes == 500)
        #expect(try await fixture.database.fax(id: delivered.id) == nil && !fixture.exists(delivered.files.tiff))
        await #expect(throws: RepositoryError.self) {
            try await cleaner.deleteFax(id: pending.id, evenIfUndelivered: false, actor: "alice", now: fixture.now)
        }
        await #expect(throws: RepositoryError.self) {
            try await cleaner.deleteFax(id: onTheLine.id, evenIfUndelivered: true, actor: "alice", now: fixture.now)
        }
        _ = try await cleaner.deleteFax(id: pending.id, evenIfUndelivered: true, actor: "alice", now: fixture.now)
        #expect(try await fixture.database.fax(id: pending.id) == nil)
        let audit = try await fixture.database.auditEntries(limit: 100)
        #expect(audit.count == 2 && audit.allSatisfy { $0.kind == .manualDeletion && $0.actor == "alice" })
        #expect(audit.contains { $0.summary.contains(delivered.id) })
    }

    @Test func diskGuardGivesSubmissionsAClearError() throws {
        let fixture = try CleanupFixture()
        #expect(FaxlineConfiguration(dataDirectory: "/x").minimumFreeBytes == 500 * 1024 * 1024)
        let full = DiskGuard(spool: fixture.spool, minimumFreeBytes: .max)
        #expect(throws: DiskSpaceError.self) { try full.requireRoomForSubmission() }
        do {
            try full.requireRoomForSubmission()
        } catch {
            #expect(error.description.contains("no room for new faxes") && error.description.contains("MB free"))
        }
        try DiskGuard(spool: fixture.spool, minimumFreeBytes: 0).requireRoomForSubmission()
    }

    @Test func retentionSettingsFromTheConfigurationFile() throws {
        var configuration = FaxlineConfiguration(dataDirectory: "/x")
        #expect(configuration.cleanupSchedule == .standard && configuration.retention == .standard)
        try configuration.apply(ConfigurationFile(parsing: """
            [retention]
            received_days = 90
            sent_days = 14
            records_days = 60
            temporary_hours = 6
            cleanup_time = 01:15
            """))
        #expect(configuration.retention == RetentionPolicy(receivedFaxDays: 90, sentFaxDays: 14, finishedRecordDays: 60, temporaryFileHours: 6))
        #expect(configuration.cleanupSchedule == (try RetentionSchedule(hour: 1, minute: 15)))
        try configuration.apply(ConfigurationFile(parsing: "[retention]\ncleanup_time = off\n"))
        #expect(configuration.cleanupSchedule == nil)
        #expect(throws: ConfigurationError.self) { try configuration.apply(ConfigurationFile(parsing: "[retention]\ncleanup_time = 25:00\n")) }
        #expect(throws: ConfigurationError.self) { try configuration.apply(ConfigurationFile(parsing: "[retention]\nreceived_days = 0\n")) }
    }
}
