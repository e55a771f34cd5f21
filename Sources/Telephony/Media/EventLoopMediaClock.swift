import Foundation
import NIOCore
import Synchronization

/// The production media clock: one 20 ms schedule per event loop, shared by every call on that
/// loop (a call costs one entry in a table, not a timer of its own).
///
/// The schedule has ``phaseSlots`` phases within each interval. A call ticks in one of them:
/// at first the next one, and once its far end's frames flow, the first one after they arrive
/// (``MediaClockSubscription/alignTicks(toFrameArrivedAt:)``). Asterisk's channels each run
/// their own 20 ms clock; a call ticking at an arbitrary phase of ours would answer each frame
/// up to 20 ms after it came, and any delay on top of that makes the answer a whole frame late.
///
/// Ticks follow fixed deadlines (origin + n × 20 ms + the phase), so they do not drift; a loop
/// that falls behind ticks each phase once and skips the deadlines it missed instead of making
/// them up with a burst of frames.
public final class EventLoopMediaClock: MediaClock {
    public static let frameInterval = TimeAmount.milliseconds(20)
    /// Phases per interval: 2 ms apart, so a loop wakes at most 10 times in 20 ms.
    public static let phaseSlots = 10

    private let interval: TimeAmount
    /// One ticker per event loop, created on first use.
    private let tickers = Mutex<[ObjectIdentifier: LoopTicker]>([:])

    public init(interval: TimeAmount = EventLoopMediaClock.frameInterval) {
        self.interval = interval
    }

    public func subscribe(
        call uuid: UUID, on eventLoop: any EventLoop, tick: @escaping @Sendable (MediaTick) -> Void
    ) -> MediaClockSubscription {
        let interval = self.interval
        let ticker = tickers.withLock { tickers in
            let key = ObjectIdentifier(eventLoop)
            if let existing = tickers[key] { return existing }
            let created = LoopTicker(eventLoop: eventLoop, interval: interval)
            tickers[key] = created
            return created
        }
        let id = ticker.add(tick)
        return MediaClockSubscription(
            onCancel: { ticker.remove(id) },
            onAlign: { arrival in ticker.align(id, toArrival: arrival) })
    }
}

/// The subscribers of one event loop and its schedule. All state is touched on the loop only.
private final class LoopTicker: Sendable {
    private struct State {
        /// The subscribers of each phase.
        var phases: [[Int: @Sendable (MediaTick) -> Void]] = Array(repeating: [:], count: EventLoopMediaClock.phaseSlots)
        var phaseOf: [Int: Int] = [:]
        var nextID = 0
        var schedule: MediaTickSchedule?
        var scheduled: Scheduled<Void>?
        /// Counts reschedules: a cancelled task can still run when the loop had already taken
        /// it up in the same batch as the task that cancelled it, and must then do nothing.
        var generation = 0

        /// Phases with calls; lazy, as it is walked on every tick of the loop.
        var occupied: LazyFilterSequence<Range<Int>> { phases.indices.lazy.filter { !phases[$0].isEmpty } }
    }

    let eventLoop: any EventLoop
    let interval: TimeAmount
    // Only read and written on `eventLoop`; the box makes that checkable.
    private let state: NIOLoopBoundBox<State>

    init(eventLoop: any EventLoop, interval: TimeAmount) {
        self.eventLoop = eventLoop
        self.interval = interval
        state = NIOLoopBoundBox.makeBoxSendingValue(State(), eventLoop: eventLoop)
    }

    /// Called on the loop (from the connection's handler).
    func add(_ tick: @escaping @Sendable (MediaTick) -> Void) -> Int {
        eventLoop.preconditionInEventLoop()
        let now = eventLoop.now
        let schedule = state.value.schedule
            ?? MediaTickSchedule(origin: now, interval: interval, phases: EventLoopMediaClock.phaseSlots)
        state.value.schedule = schedule
        let id = state.value.nextID
        state.value.nextID += 1
        let phase = schedule.phase(following: now)
        state.value.phases[phase][id] = tick
        state.value.phaseOf[id] = phase
        reschedule(after: now)
        return id
    }

    func remove(_ id: Int) {
        eventLoop.execute {
            guard let phase = self.state.value.phaseOf.removeValue(forKey: id) else { return }
            self.state.value.phases[phase][id] = nil
            self.reschedule(after: self.eventLoop.now)
        }
    }

    func align(_ id: Int, toArrival arrival: NIODeadline) {
        eventLoop.execute {
            guard let schedule = self.state.value.schedule, let old = self.state.value.phaseOf[id] else { return }
            let phase = schedule.phase(afterArrivalAt: arrival)
            guard phase != old, let tick = self.state.value.phases[old].removeValue(forKey: id) else { return }
            self.state.value.phases[phase][id] = tick
            self.state.value.phaseOf[id] = phase
            self.reschedule(after: self.eventLoop.now)
        }
    }

    /// Schedules the earliest deadline after `now` of a phase with calls, replacing what was
    /// scheduled (whose deadline was the earliest after an earlier time, so nothing is skipped).
    private func reschedule(after now: NIODeadline) {
        state.value.scheduled?.cancel()
        state.value.scheduled = nil
        state.value.generation &+= 1
        guard let next = state.value.schedule?.nextDeadline(after: now, occupied: state.value.occupied) else { return }
        let generation = state.value.generation
        state.value.scheduled = eventLoop.scheduleTask(deadline: next) {
            self.fire(since: now, generation: generation)
        }
    }

    /// Ticks the calls of every phase with a deadline in (`since`, now], each once.
    private func fire(since: NIODeadline, generation: Int) {
        guard generation == state.value.generation else { return }
        state.value.scheduled = nil
        let now = eventLoop.now
        guard let schedule = state.value.schedule else { return }
        for phase in state.value.occupied where schedule.isDue(phase, after: since, upTo: now) {
            for tick in state.value.phases[phase].values {
                tick(.now)
            }
        }
        reschedule(after: now)
    }
}
