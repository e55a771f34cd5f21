import NIOCore
import Synchronization

/// One of Asterisk's channel clocks on one event loop: a fixed 20 ms schedule (start + n × 20 ms)
/// on which every far end of that clock sends its frame, whatever the server did. A loop has as
/// many clocks as the benchmark asks for, each started by its first call: in Asterisk every
/// channel runs on its own timing, so the calls' frames do not all come at the same moment.
/// A loop that falls behind sends the frames it owes, each with its scheduled time, so the line
/// runs at wall-clock speed and the lateness shows in the figures instead of stretching the calls.
package final class FarEndSchedule: Sendable {
    static let frameInterval = TimeAmount.milliseconds(20)

    /// What the far ends on this loop measured.
    package struct Figures: Sendable {
        /// From a frame's scheduled time to the first server frame that arrived after it was sent.
        package var replies = LatencyHistogram()
        /// From a frame's scheduled time to when this process sent it.
        package var sendLateness = LatencyHistogram()
    }

    private struct State {
        var farEnds: [ObjectIdentifier: ScheduledFarEndHandler] = [:]
        var deadline = NIODeadline.now()
        var scheduled: Scheduled<Void>?
        var figures = Figures()
    }

    let eventLoop: any EventLoop
    private let state: NIOLoopBoundBox<State>

    private struct Key: Hashable {
        let eventLoop: ObjectIdentifier
        let clock: Int
    }

    private static let schedules = Mutex<[Key: FarEndSchedule]>([:])

    /// Clock number `clock` of `eventLoop`, made on first use.
    static func on(_ eventLoop: any EventLoop, clock: Int) -> FarEndSchedule {
        schedules.withLock { schedules in
            let key = Key(eventLoop: ObjectIdentifier(eventLoop), clock: clock)
            if let existing = schedules[key] { return existing }
            let made = FarEndSchedule(eventLoop: eventLoop)
            schedules[key] = made
            return made
        }
    }

    /// Every loop's figures, merged.
    package static func collectFigures() async throws -> Figures {
        var all = Figures()
        for schedule in schedules.withLock({ Array($0.values) }) {
            let figures = try await schedule.eventLoop.submit { schedule.state.value.figures }.get()
            all.replies.merge(figures.replies)
            all.sendLateness.merge(figures.sendLateness)
        }
        return all
    }

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        state = NIOLoopBoundBox.makeBoxSendingValue(State(), eventLoop: eventLoop)
    }

    /// On the loop. The far end's first frame is due at the schedule's next deadline.
    func add(_ farEnd: ScheduledFarEndHandler) {
        state.value.farEnds[ObjectIdentifier(farEnd)] = farEnd
        if state.value.scheduled == nil {
            state.value.deadline = .now() + Self.frameInterval
            schedule()
        }
    }

    /// On the loop.
    func remove(_ farEnd: ScheduledFarEndHandler) {
        state.value.farEnds[ObjectIdentifier(farEnd)] = nil
    }

    /// On the loop.
    func recordReply(milliseconds: Double) {
        state.value.figures.replies.record(milliseconds: milliseconds)
    }

    private func schedule() {
        state.value.scheduled = eventLoop.scheduleTask(deadline: state.value.deadline) { self.fire() }
    }

    private func fire() {
        let now = NIODeadline.now()
        while state.value.deadline <= now {
            let due = state.value.deadline
            let lateness = Double((NIODeadline.now() - due).nanoseconds) / 1e6
            for farEnd in state.value.farEnds.values {
                farEnd.sendFrame(scheduled: due)
                state.value.figures.sendLateness.record(milliseconds: lateness)
            }
            state.value.deadline = due + Self.frameInterval
        }
        if state.value.farEnds.isEmpty {
            state.value.scheduled = nil
        } else {
            schedule()
        }
    }
}
