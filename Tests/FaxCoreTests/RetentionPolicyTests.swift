import FaxCore
import Foundation
import Testing

@Suite struct RetentionPolicyTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let policy = RetentionPolicy.standard

    func fax(ageDays: Double, extensions: [String] = ["200"], status: FaxStatus = .received,
             delivery: FaxDeliveryState = .delivered, direction: FaxDirection = .received, files: Bool = true) throws
        -> FaxRetentionCandidate
    {
        let finished = now.addingTimeInterval(-ageDays * RetentionPolicy.day)
        return FaxRetentionCandidate(
            id: UUID().uuidString.lowercased(), direction: direction, status: status, createdAt: finished.addingTimeInterval(-90),
            finishedAt: finished, deviceExtensions: extensions, deliveryState: delivery,
            files: files ? [try SpoolPath("in/2026/01/01/x.tif")] : [])
    }

    @Test func defaultsKeepThirtyDaysForBothDirections() throws {
        #expect(policy.decision(for: try fax(ageDays: 29.9), overrides: .init(), now: now) == .keep)
        #expect(policy.decision(for: try fax(ageDays: 30.1), overrides: .init(), now: now) == .deleteRecord)
        #expect(policy.decision(for: try fax(ageDays: 29.9, status: .sent, direction: .sent), overrides: .init(), now: now) == .keep)
        #expect(policy.decision(for: try fax(ageDays: 30.1, status: .sent, direction: .sent), overrides: .init(), now: now) == .deleteRecord)
        var short = policy
        short.sentFaxDays = 10
        #expect(short.decision(for: try fax(ageDays: 11, status: .sent, direction: .sent), overrides: .init(), now: now) == .deleteRecord)
        #expect(short.decision(for: try fax(ageDays: 11), overrides: .init(), now: now) == .keep)
    }

    @Test func inFlightAndUndeliveredFaxesAreNeverDue() throws {
        #expect(policy.decision(for: try fax(ageDays: 400, status: .receiving), overrides: .init(), now: now) == .keep)
        #expect(policy.decision(for: try fax(ageDays: 400, status: .sending, direction: .sent), overrides: .init(), now: now) == .keep)
        #expect(policy.decision(for: try fax(ageDays: 400, delivery: .pending), overrides: .init(), now: now) == .keep)
        // Failed for good: the normal period applies.
        #expect(policy.decision(for: try fax(ageDays: 31, delivery: .failed), overrides: .init(), now: now) == .deleteRecord)
    }

    @Test func deviceOverrideWinsOverGroupAndTheLongestDeviceWins() throws {
        let overrides = RetentionOverrides(
            devices: ["300": try RetentionOverride(days: 60)],
            groups: ["legal": try RetentionOverride(days: 90), "short": try RetentionOverride(days: 7)],
            deviceGroups: ["300": "legal", "400": "legal", "500": "short"])
        #expect(policy.decision(for: try fax(ageDays: 61, extensions: ["300"]), overrides: overrides, now: now) == .deleteRecord)
        #expect(policy.decision(for: try fax(ageDays: 61, extensions: ["400"]), overrides: overrides, now: now) == .keep)
        #expect(policy.decision(for: try fax(ageDays: 8, extensions: ["500"]), overrides: overrides, now: now) == .deleteRecord)
        #expect(policy.decision(for: try fax(ageDays: 8, extensions: ["500", "200"]), overrides: overrides, now: now) == .keep)
        #expect(policy.decision(for: try fax(ageDays: 31, extensions: []), overrides: overrides, now: now) == .deleteRecord)
    }

    @Test func overridesUnderSevenDaysAreRefused() {
        #expect(throws: FaxValidationError.self) { try RetentionOverride(days: 6) }
        #expect(throws: FaxValidationError.self) { try RetentionOverride(days: 0) }
        #expect((try? RetentionOverride(days: 7)) != nil)
    }

    @Test func zeroRetentionDeletesImagesOnceDeliveredAndKeepsFailedOnesSevenDays() throws {
        let overrides = RetentionOverrides(devices: ["500": try RetentionOverride(zeroRetention: true)])
        func decide(_ age: Double, _ delivery: FaxDeliveryState, files: Bool = true) throws -> RetentionDecision {
            policy.decision(for: try fax(ageDays: age, extensions: ["500"], delivery: delivery, files: files), overrides: overrides, now: now)
        }
        #expect(try decide(0.01, .delivered) == .deleteImages)
        #expect(try decide(0.01, .pending) == .keep)
        #expect(try decide(3, .failed) == .keep)
        #expect(try decide(3, .none) == .keep)
        #expect(try decide(3, .delivered, files: false) == .keep)
        #expect(try decide(7.1, .failed) == .deleteRecord)
        #expect(try decide(7.1, .delivered, files: false) == .deleteRecord)
        // With a longer record period the failed fax's images still go after seven days.
        let longer = RetentionOverrides(devices: ["500": try RetentionOverride(days: 30, zeroRetention: true)])
        let failed = try fax(ageDays: 8, extensions: ["500"], delivery: .failed)
        #expect(policy.decision(for: failed, overrides: longer, now: now) == .deleteImages)
        #expect(policy.decision(for: try fax(ageDays: 31, extensions: ["500"], delivery: .failed), overrides: longer, now: now) == .deleteRecord)
    }

    @Test func scheduleFindsTheNextDailyRun() throws {
        let utc = TimeZone(identifier: "UTC")!
        let schedule = try RetentionSchedule(parsing: "03:30")
        #expect(schedule == .standard)
        let morning = Date(timeIntervalSince1970: 1_790_000_000 - 1_790_000_000.truncatingRemainder(dividingBy: 86_400))
        #expect(schedule.nextRun(after: morning, timeZone: utc) == morning.addingTimeInterval(3.5 * 3600))
        #expect(schedule.nextRun(after: morning.addingTimeInterval(4 * 3600), timeZone: utc)
                == morning.addingTimeInterval(27.5 * 3600))
        #expect(schedule.nextRun(after: morning.addingTimeInterval(3.5 * 3600), timeZone: utc)
                == morning.addingTimeInterval(27.5 * 3600))
        for bad in ["24:00", "3:60", "0330", "ab:cd", "", "1:2:3"] {
            #expect(throws: FaxValidationError.self) { try RetentionSchedule(parsing: bad) }
        }
    }
}
