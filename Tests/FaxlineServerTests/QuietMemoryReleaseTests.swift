import FaxCore
@testable import FaxlineServer
import FaxTestSupport
import Synchronization
import Testing

@Suite("Memory handed back when the server goes quiet after calls")
struct QuietMemoryReleaseTests {
    /// Counts the releases and lets the test wait for the next one.
    final class Releases: Sendable {
        private let count = Mutex(0)
        let (next, signal) = AsyncStream.makeStream(of: Void.self)
        var value: Int { count.withLock { $0 } }

        func add() {
            count.withLock { $0 += 1 }
            signal.yield()
        }
    }

    @Test("the caches go once the settle time has passed with no call on a line, not before")
    func releasedAfterTheSettleTime() async throws {
        let lines = try LinePool(lines: 2)
        let clock = TestClock()
        let releases = Releases()
        let release = QuietMemoryRelease(lines: lines, settle: .seconds(10), clock: clock) { releases.add() }

        let first = try #require(lines.claim(for: .inbound))
        let second = try #require(lines.claim(for: .inbound))
        _ = first.release(.succeeded)
        release.lineFreed()
        // One line still held: the server is not quiet, nothing waits.
        #expect(clock.sleepers == 0)
        _ = second.release(.succeeded)
        release.lineFreed()
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(9))
        #expect(releases.value == 0)
        clock.advance(by: .seconds(1))
        var iterator = releases.next.makeAsyncIterator()
        _ = await iterator.next()
        #expect(releases.value == 1)
    }

    @Test("a call during the settle time starts the wait again when its line is freed")
    func aCallInBetweenPutsItOff() async throws {
        let lines = try LinePool(lines: 1)
        let clock = TestClock()
        let releases = Releases()
        let release = QuietMemoryRelease(lines: lines, settle: .seconds(10), clock: clock) { releases.add() }

        _ = try #require(lines.claim(for: .inbound)).release(.succeeded)
        release.lineFreed()
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(5))
        let later = try #require(lines.claim(for: .outbound))
        clock.advance(by: .seconds(1))
        _ = later.release(.failed)
        release.lineFreed()
        await clock.waitForSleepers(2)
        // The first quiet period's time is up, but it was not the last one: nothing goes.
        clock.advance(by: .seconds(4))
        #expect(clock.sleepers == 1)
        clock.advance(by: .seconds(6))
        var iterator = releases.next.makeAsyncIterator()
        _ = await iterator.next()
        #expect(releases.value == 1)
        #expect(clock.sleepers == 0)
    }
}
