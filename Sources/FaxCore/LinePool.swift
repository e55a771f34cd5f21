import Foundation
import Synchronization

public enum CallDirection: String, Sendable, Codable, Equatable, CaseIterable {
    case inbound, outbound
}

/// What a line is doing, as `faxline status` shows it.
public enum LineState: String, Sendable, Codable, Equatable, CaseIterable {
    case idle, ringing, receiving, sending
}

/// The busy states a claim can put its line in.
public enum LineActivity: String, Sendable, Codable, Equatable {
    case ringing, receiving, sending

    var state: LineState {
        switch self {
        case .ringing: .ringing
        case .receiving: .receiving
        case .sending: .sending
        }
    }
}

public enum CallOutcome: String, Sendable, Equatable {
    case succeeded, failed
}

public struct LineStatus: Sendable, Equatable {
    public var name: String
    public var state: LineState
    public var direction: CallDirection?
    public var faxID: String?
    public var remoteNumber: String?
    /// When the line entered this state.
    public var since: Date
}

/// Counts since the pool was created (the daemon's start).
public struct LineCounters: Sendable, Equatable {
    public var startedAt: Date
    public var inboundCalls = 0
    public var outboundCalls = 0
    public var succeeded = 0
    public var failed = 0
    /// Inbound calls turned away because every line was busy.
    public var inboundRefusedNoFreeLine = 0
    /// Outbound claims refused (the queue retries them later).
    public var outboundRefusedNoFreeLine = 0
}

public struct LinePoolSnapshot: Sendable, Equatable {
    public var lines: [LineStatus]
    public var counters: LineCounters
}

/// The virtual modems: `lines` slots for fax calls in flight, `reserveInbound` of which are
/// kept for inbound calls (an outbound call gets a line only while more than `reserveInbound`
/// lines are free). Safe to use from any thread or task.
public final class LinePool: Sendable {
    struct Line {
        var name: String
        var claimToken: UInt64?
        var direction: CallDirection?
        var activity: LineActivity?
        var faxID: String?
        var remoteNumber: String?
        var since: Date
    }

    struct State {
        var lines: [Line]
        var nextToken: UInt64 = 1
        var counters: LineCounters

        func isFree(_ line: Line) -> Bool { line.claimToken == nil }
    }

    public static let maximumLines = 1000

    public let lineCount: Int
    public let reserveInbound: Int
    private let state: Mutex<State>
    private let now: @Sendable () -> Date

    public init(lines: Int = 4, reserveInbound: Int = 0, now: @escaping @Sendable () -> Date = { Date() }) throws {
        guard (1...Self.maximumLines).contains(lines) else {
            throw FaxValidationError(field: "lines", reason: "must be 1 to \(Self.maximumLines) (got \(lines))")
        }
        guard (0...lines).contains(reserveInbound) else {
            throw FaxValidationError(
                field: "reserve_inbound", reason: "must be 0 to the number of lines, \(lines) (got \(reserveInbound))")
        }
        let start = now()
        self.lineCount = lines
        self.reserveInbound = reserveInbound
        self.now = now
        self.state = Mutex(
            State(
                lines: (0..<lines).map { Line(name: "line\($0)", since: start) },
                counters: LineCounters(startedAt: start)))
    }

    /// Takes a free line, or returns `nil` when none may be used for this direction. The call
    /// owns the line until it releases the claim.
    public func claim(for direction: CallDirection, faxID: String? = nil, remoteNumber: String? = nil) -> LineClaim? {
        let time = now()
        let taken: (index: Int, name: String, token: UInt64)? = state.withLock { state in
            let free = state.lines.indices.filter { state.isFree(state.lines[$0]) }
            let allowed = direction == .inbound ? !free.isEmpty : free.count > reserveInbound
            guard allowed, let index = free.first else {
                switch direction {
                case .inbound: state.counters.inboundRefusedNoFreeLine += 1
                case .outbound: state.counters.outboundRefusedNoFreeLine += 1
                }
                return nil
            }
            let token = state.nextToken
            state.nextToken += 1
            state.lines[index].claimToken = token
            state.lines[index].direction = direction
            state.lines[index].activity = direction == .inbound ? .ringing : .sending
            state.lines[index].faxID = faxID
            state.lines[index].remoteNumber = remoteNumber
            state.lines[index].since = time
            switch direction {
            case .inbound: state.counters.inboundCalls += 1
            case .outbound: state.counters.outboundCalls += 1
            }
            return (index, state.lines[index].name, token)
        }
        guard let taken else { return nil }
        return LineClaim(pool: self, lineIndex: taken.index, lineName: taken.name, direction: direction, token: taken.token, claimedAt: time)
    }

    /// Lines claimed by a call right now.
    public var heldLines: Int {
        state.withLock { state in state.lines.count { !state.isFree($0) } }
    }

    public func snapshot() -> LinePoolSnapshot {
        state.withLock { state in
            LinePoolSnapshot(
                lines: state.lines.map { line in
                    let lineState = line.activity?.state ?? .idle
                    return LineStatus(
                        name: line.name, state: lineState, direction: line.direction, faxID: line.faxID,
                        remoteNumber: line.remoteNumber, since: line.since)
                },
                counters: state.counters)
        }
    }

    func update(index: Int, token: UInt64, activity: LineActivity, faxID: String?, remoteNumber: String?) -> Bool {
        let time = now()
        return state.withLock { state in
            guard state.lines[index].claimToken == token else { return false }
            if state.lines[index].activity != activity { state.lines[index].since = time }
            state.lines[index].activity = activity
            if let faxID { state.lines[index].faxID = faxID }
            if let remoteNumber { state.lines[index].remoteNumber = remoteNumber }
            return true
        }
    }

    func release(index: Int, token: UInt64, outcome: CallOutcome) -> Bool {
        let time = now()
        return state.withLock { state in
            guard state.lines[index].claimToken == token else { return false }
            state.lines[index] = Line(name: state.lines[index].name, since: time)
            switch outcome {
            case .succeeded: state.counters.succeeded += 1
            case .failed: state.counters.failed += 1
            }
            return true
        }
    }

    func isHeld(index: Int, token: UInt64) -> Bool {
        state.withLock { $0.lines[index].claimToken == token }
    }
}

/// A line held by one call. Release it once with the call's outcome; later releases do
/// nothing, and a claim dropped without release frees its line as a failed call.
public final class LineClaim: Sendable {
    public let lineName: String
    public let direction: CallDirection
    public let claimedAt: Date
    private let pool: LinePool
    private let lineIndex: Int
    private let token: UInt64

    init(pool: LinePool, lineIndex: Int, lineName: String, direction: CallDirection, token: UInt64, claimedAt: Date) {
        self.pool = pool
        self.lineIndex = lineIndex
        self.lineName = lineName
        self.direction = direction
        self.token = token
        self.claimedAt = claimedAt
    }

    deinit {
        _ = pool.release(index: lineIndex, token: token, outcome: .failed)
    }

    public var isReleased: Bool { !pool.isHeld(index: lineIndex, token: token) }

    /// Shows what the call is doing now; ignored after release.
    public func update(_ activity: LineActivity, faxID: String? = nil, remoteNumber: String? = nil) {
        _ = pool.update(index: lineIndex, token: token, activity: activity, faxID: faxID, remoteNumber: remoteNumber)
    }

    /// Frees the line and counts the call. Returns `false` if the claim was already released.
    @discardableResult
    public func release(_ outcome: CallOutcome) -> Bool {
        pool.release(index: lineIndex, token: token, outcome: outcome)
    }
}
