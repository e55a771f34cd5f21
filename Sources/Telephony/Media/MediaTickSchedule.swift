import NIOCore

/// The deadlines of one event loop's media clock: phase `p` ticks at
/// `origin + n × interval + p × interval / phases`. Pure arithmetic, apart from the loop.
public struct MediaTickSchedule: Sendable, Equatable {
    public let origin: NIODeadline
    public let interval: TimeAmount
    public let phases: Int
    /// How long after a far-end frame arrives its call ticks, at least: an arrival a little
    /// later than usual still comes before the tick.
    public static let arrivalMargin = TimeAmount.milliseconds(1)

    public init(origin: NIODeadline, interval: TimeAmount, phases: Int) {
        precondition(phases > 0 && interval.nanoseconds >= Int64(phases), "a schedule needs at least one phase of at least 1 ns")
        self.origin = origin
        self.interval = interval
        self.phases = phases
    }

    private var phaseWidth: Int64 { interval.nanoseconds / Int64(phases) }

    /// Nanoseconds from the origin; negative before it.
    private func elapsed(_ time: NIODeadline) -> Int64 {
        (time - origin).nanoseconds
    }

    /// Rounds toward minus infinity, also for times before the origin.
    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient
    }

    /// The start of the interval that contains `time`, in nanoseconds from the origin.
    private func intervalStart(of time: NIODeadline) -> Int64 {
        Self.floorDivide(elapsed(time), interval.nanoseconds) * interval.nanoseconds
    }

    /// The first phase that starts at or after `time` within its interval (the next interval's
    /// first phase when `time` is past the last one).
    public func phase(following time: NIODeadline) -> Int {
        let offset = elapsed(time) - intervalStart(of: time)
        let phase = (offset + phaseWidth - 1) / phaseWidth
        return Int(phase) % phases
    }

    /// The phase for a call whose far end's frames arrive at `arrival`'s point in the interval.
    public func phase(afterArrivalAt arrival: NIODeadline) -> Int {
        phase(following: arrival + Self.arrivalMargin)
    }

    /// The deadline of `phase` in the interval that contains `time` (it may be before `time`).
    private func deadline(of phase: Int, inIntervalOf time: NIODeadline) -> Int64 {
        intervalStart(of: time) + Int64(phase) * phaseWidth
    }

    /// The earliest deadline strictly after `time` of any phase in `occupied`, or nil when none is.
    public func nextDeadline(after time: NIODeadline, occupied: some Sequence<Int>) -> NIODeadline? {
        let now = elapsed(time)
        var best: Int64?
        for phase in occupied {
            var candidate = deadline(of: phase, inIntervalOf: time)
            if candidate <= now { candidate += interval.nanoseconds }
            if best.map({ candidate < $0 }) ?? true { best = candidate }
        }
        return best.map { origin + .nanoseconds($0) }
    }

    /// Whether `phase` had a deadline in (`since`, `now`]: it ticks once then, however many it
    /// had (a late loop skips what it missed).
    public func isDue(_ phase: Int, after since: NIODeadline, upTo now: NIODeadline) -> Bool {
        var latest = deadline(of: phase, inIntervalOf: now)
        if latest > elapsed(now) { latest -= interval.nanoseconds }
        return latest > elapsed(since)
    }
}
