import Foundation
import NIOCore
import NIOEmbedded
import Synchronization
import Telephony
import Testing

@Suite("The media clock: phases within 20 ms, a tick each 20 ms, none made up")
struct EventLoopMediaClockTests {
    private static let millisecond: Int64 = 1_000_000
    private let origin = NIODeadline.uptimeNanoseconds(1_000_000_000)

    private func schedule() -> MediaTickSchedule {
        MediaTickSchedule(origin: origin, interval: .milliseconds(20), phases: 10)
    }

    private func at(_ milliseconds: Double) -> NIODeadline {
        origin + .nanoseconds(Int64(milliseconds * 1_000_000))
    }

    @Test("a time's next phase, and the phase just after a frame's arrival")
    func phases() {
        let schedule = schedule()
        #expect(schedule.phase(following: at(0)) == 0)
        #expect(schedule.phase(following: at(0.5)) == 1)
        #expect(schedule.phase(following: at(4)) == 2)
        #expect(schedule.phase(following: at(19)) == 0, "past the last phase: the next interval's first")
        #expect(schedule.phase(following: at(47)) == 4, "intervals later")
        #expect(schedule.phase(following: at(-13)) == 4, "before the origin too")
        // 7.3 ms + the 1 ms margin = 8.3 ms: the phase at 10 ms.
        #expect(schedule.phase(afterArrivalAt: at(7.3)) == 5)
        #expect(schedule.phase(afterArrivalAt: at(19.5)) == 1)
    }

    @Test("the next deadline of the phases in use")
    func nextDeadline() {
        let schedule = schedule()
        #expect(schedule.nextDeadline(after: at(0), occupied: [Int]()) == nil)
        #expect(schedule.nextDeadline(after: at(0), occupied: [0]) == at(20), "strictly after")
        #expect(schedule.nextDeadline(after: at(3), occupied: [1, 5]) == at(10))
        #expect(schedule.nextDeadline(after: at(11), occupied: [1, 5]) == at(22))
        #expect(schedule.nextDeadline(after: at(1_000_001), occupied: [9]) == at(1_000_018))
    }

    @Test("a late loop ticks each phase once, not once for every deadline it missed")
    func lateLoop() {
        let schedule = schedule()
        #expect(schedule.isDue(3, after: at(0), upTo: at(6)))
        #expect(!schedule.isDue(3, after: at(6), upTo: at(25)), "its next deadline is 26 ms")
        #expect(schedule.isDue(3, after: at(6), upTo: at(26)))
        #expect(schedule.isDue(3, after: at(6), upTo: at(500)), "many missed deadlines: due, once")
        #expect(!schedule.isDue(0, after: at(20), upTo: at(39.9)))
    }

    @Test("each call ticks every 20 ms; one aligned to its far end's frames ticks just after they arrive")
    func loopTicks() throws {
        let loop = EmbeddedEventLoop()
        let clock = EventLoopMediaClock()
        let first = TickLog(loop: loop)
        let second = TickLog(loop: loop)
        let start = loop.now
        let firstSubscription = clock.subscribe(call: UUID(), on: loop) { _ in first.note() }
        let secondSubscription = clock.subscribe(call: UUID(), on: loop) { _ in second.note() }
        loop.advanceTime(by: .seconds(1))
        #expect(first.count == 50)
        #expect(second.count == 50)

        // The second call's far end sends at 7.3 ms into each of our intervals.
        secondSubscription.alignTicks(toFrameArrivedAt: start + .nanoseconds(1_000 * Self.millisecond + 7_300_000))
        loop.run()
        second.clear()
        first.clear()
        loop.advanceTime(by: .seconds(1))
        #expect(first.count == 50)
        #expect(second.count == 50)
        let offsets = Set(second.times.map { (($0 - start).nanoseconds % (20 * Self.millisecond)) / Self.millisecond })
        #expect(offsets == [10], "8.3 ms rounded up to the next 2 ms phase")

        firstSubscription.cancel()
        secondSubscription.cancel()
        loop.run()
        first.clear()
        second.clear()
        loop.advanceTime(by: .seconds(1))
        #expect(first.count == 0)
        #expect(second.count == 0)
        try loop.syncShutdownGracefully()
    }
}

/// When each tick came, on the loop's clock.
private final class TickLog: Sendable {
    private let loop: EmbeddedEventLoop
    private let ticks = Mutex<[NIODeadline]>([])

    init(loop: EmbeddedEventLoop) {
        self.loop = loop
    }

    func note() {
        let now = loop.now
        ticks.withLock { $0.append(now) }
    }

    func clear() { ticks.withLock { $0.removeAll() } }
    var count: Int { ticks.withLock { $0.count } }
    var times: [NIODeadline] { ticks.withLock { $0 } }
}
