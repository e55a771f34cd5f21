import Foundation
import NIOCore
import Synchronization

/// The production media clock: one 20 ms schedule per event loop, shared by every call on that
/// loop (a call costs one entry in a table, not a timer of its own).
///
/// Ticks follow fixed deadlines (start + n × 20 ms), so they do not drift; a loop that falls
/// behind skips the deadlines it missed instead of making them up with a burst of frames.
public final class EventLoopMediaClock: MediaClock {
    public static let frameInterval = TimeAmount.milliseconds(20)

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
        return MediaClockSubscription { ticker.remove(id) }
    }
}

/// The subscribers of one event loop and its schedule. All state is touched on the loop only.
private final class LoopTicker: Sendable {
    private struct State {
        var subscribers: [Int: @Sendable (MediaTick) -> Void] = [:]
        var nextID = 0
        var scheduled: Scheduled<Void>?
        var deadline = NIODeadline.now()
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
        let id = state.value.nextID
        state.value.nextID += 1
        state.value.subscribers[id] = tick
        if state.value.scheduled == nil {
            state.value.deadline = .now() + interval
            schedule()
        }
        return id
    }

    func remove(_ id: Int) {
        eventLoop.execute {
            self.state.value.subscribers[id] = nil
            if self.state.value.subscribers.isEmpty {
                self.state.value.scheduled?.cancel()
                self.state.value.scheduled = nil
            }
        }
    }

    private func schedule() {
        state.value.scheduled = eventLoop.scheduleTask(deadline: state.value.deadline) {
            self.fire()
        }
    }

    private func fire() {
        for tick in state.value.subscribers.values {
            tick(.now)
        }
        guard !state.value.subscribers.isEmpty else {
            state.value.scheduled = nil
            return
        }
        let now = NIODeadline.now()
        var next = state.value.deadline + interval
        while next <= now { next = next + interval }
        state.value.deadline = next
        schedule()
    }
}
