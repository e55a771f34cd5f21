import FaxCore
@testable import FaxlineServer
import FaxTestSupport
import Synchronization
import Testing

@Suite("Memory handed back when the server goes quiet after calls")
struct QuietMemoryReleaseTests {
    /// A release with a 10 s settle time on a test clock, counting what it releases.
    final class Fixture: Sendable {
        let lines: LinePool
        let clock = TestClock()
        let release: QuietMemoryRelease
        private let counter = Counter()

        init(lines: Int) throws {
            self.lines = try LinePool(lines: lines)
            release = QuietMemoryRelease(lines: self.lines, settle: .seconds(10), clock: clock) { [counter] in counter.add() }
        }

        var releases: Int { counter.value }

        /// Waits for the next release (it runs on a task of its own once the clock wakes it).
        func nextRelease() async {
            var iterator = counter.added.makeAsyncIterator()
            _ = await iterator.next()
        }
    }

    final class Counter: Sendable {
        private let count = Mutex(0)
        let (added, signal) = AsyncStream.makeStream(of: Void.self)
        var value: Int { count.withLock { $0 } }

        func add() {
            count.withLock { $0 += 1 }
            signal.yield()
        }
    }

    @Test("the caches go once the settle time has passed with no call on a line, not before")
    func releasedAfterTheSettleTime() async throws {
        let fixture = try Fixture(lines: 2)
        let first = try #require(fixture.lines.claim(for: .inbound))
        let second = try #require(fixture.lines.claim(for: .inbound))
        _ = first.release(.succeeded)
        fixture.release.lineFreed()
        // One line still held: the server is not quiet, nothing waits.
        #expect(fixture.clock.sleepers == 0)
        _ = second.release(.succeeded)
        fixture.release.lineFreed()
        await fixture.clock.waitForSleepers(1)
        fixture.clock.advance(by: .seconds(9))
        #expect(fixture.releases == 0)
        fixture.clock.advance(by: .seconds(1))
        await fixture.nextRelease()
        #expect(fixture.releases == 1)
    }

    @Test("a call during the settle time starts the wait again when its line is freed")
    func aCallInBetweenPutsItOff() async throws {
        let fixture = try Fixture(lines: 1)
        _ = try #require(fixture.lines.claim(for: .inbound)).release(.succeeded)
        fixture.release.lineFreed()
        await fixture.clock.waitForSleepers(1)
        fixture.clock.advance(by: .seconds(5))
        let later = try #require(fixture.lines.claim(for: .outbound))
        fixture.clock.advance(by: .seconds(1))
        _ = later.release(.failed)
        fixture.release.lineFreed()
        await fixture.clock.waitForSleepers(2)
        // The first quiet period's time is up, but it was not the last one: nothing goes.
        fixture.clock.advance(by: .seconds(4))
        #expect(fixture.clock.sleepers == 1)
        fixture.clock.advance(by: .seconds(6))
        await fixture.nextRelease()
        #expect(fixture.releases == 1)
        #expect(fixture.clock.sleepers == 0)
    }
}
