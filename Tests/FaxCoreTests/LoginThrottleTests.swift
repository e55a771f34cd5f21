import Foundation
import Testing

@testable import FaxCore

@Suite struct LoginThrottleTests {
    let policy = LoginThrottlePolicy()
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    let subject = LoginSubject.user("Alice")

    func failures(_ count: Int, every interval: TimeInterval = 10, from: Date? = nil) -> LoginFailures? {
        var record: LoginFailures?
        for index in 0..<count {
            record = policy.recordingFailure(record, of: subject, at: (from ?? start).addingTimeInterval(Double(index) * interval))
        }
        return record
    }

    @Test func defaultsAreFiveFailuresInFifteenMinutesLockingFifteenMinutes() {
        #expect(policy.maximumFailures == 5)
        #expect(policy.window == 900)
        #expect(policy.lockDuration == 900)
    }

    @Test func theFifthFailureLocksForTheLockDuration() throws {
        let four = try #require(failures(4))
        #expect(four.count == 4 && four.lockedUntil == nil)
        #expect(policy.lockedUntil(four, at: start.addingTimeInterval(40)) == nil)
        let fifthAt = start.addingTimeInterval(40)
        let five = policy.recordingFailure(four, of: subject, at: fifthAt)
        #expect(five.count == 5)
        #expect(five.lockedUntil == fifthAt.addingTimeInterval(900))
        #expect(policy.lockedUntil(five, at: fifthAt.addingTimeInterval(899)) == fifthAt.addingTimeInterval(900))
        #expect(policy.lockedUntil(five, at: fifthAt.addingTimeInterval(900)) == nil)
        #expect(!policy.isOver(five, at: fifthAt.addingTimeInterval(899)))
        #expect(policy.isOver(five, at: fifthAt.addingTimeInterval(900)))
    }

    @Test func failuresSpreadBeyondTheWindowDoNotLock() throws {
        // Four failures, then four more once the window of the first has passed.
        let first = try #require(failures(4))
        var record: LoginFailures? = first
        for index in 0..<4 {
            record = policy.recordingFailure(record, of: subject, at: start.addingTimeInterval(900 + Double(index)))
        }
        let second = try #require(record)
        #expect(second.count == 4)
        #expect(second.windowStartedAt == start.addingTimeInterval(900))
        #expect(second.lockedUntil == nil)
    }

    @Test func afterALockEndsCountingStartsAgain() throws {
        let locked = try #require(failures(5))
        let until = try #require(locked.lockedUntil)
        let next = policy.recordingFailure(locked, of: subject, at: until)
        #expect(next.count == 1 && next.lockedUntil == nil && next.windowStartedAt == until)
    }

    @Test func aFailureDuringALockDoesNotExtendIt() throws {
        let locked = try #require(failures(5))
        let again = policy.recordingFailure(locked, of: subject, at: start.addingTimeInterval(100))
        #expect(again.lockedUntil == locked.lockedUntil)
        #expect(again.count == 6)
    }

    @Test func subjectsAreNormalized() {
        #expect(LoginSubject.user("  Alice ") == LoginSubject(kind: .user, value: "alice"))
        #expect(LoginSubject.address(" 2001:DB8::1 ") == LoginSubject(kind: .address, value: "2001:db8::1"))
        #expect(LoginSubject.user(String(repeating: "x", count: 1000)).value.count == LoginSubject.maximumLength)
        #expect(LoginSubject.user("bob").description == "user \"bob\"")
    }

    @Test func customLimits() throws {
        let strict = LoginThrottlePolicy(maximumFailures: 1, window: 60, lockDuration: 3600)
        let record = strict.recordingFailure(nil, of: subject, at: start)
        #expect(record.lockedUntil == start.addingTimeInterval(3600))
    }
}
