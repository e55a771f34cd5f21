import Foundation
import NIOCore
import Synchronization
import Telephony

/// The media clock of tests: the Asterisk emulator drives it, so that a call runs the server's
/// own code path (its handler, its pacer, one frame per tick) at CPU speed and deterministically.
///
/// Per 20 ms step the emulator sends its frames (or none, for a silent far end), then calls
/// ``LockStepCall/step(framesSent:)``: the server's handler of that call ticks once it has read
/// that many frames, writes its one frame, and reports how many frames it has written in all;
/// the emulator reads exactly those.
public final class LockStepMediaClock: MediaClock {
    private struct Call {
        var eventLoop: (any EventLoop)?
        var tick: (@Sendable (MediaTick) -> Void)?
        /// A step the emulator took before the server's handler subscribed.
        var pendingStep: Int?
        var results: AsyncStream<Int>.Continuation?
    }

    private let calls = Mutex<[UUID: Call]>([:])

    public init() {}

    /// Calls whose media handler ticks on this clock now.
    public var activeCalls: Int {
        calls.withLock { $0.values.filter { $0.tick != nil }.count }
    }

    public func subscribe(
        call uuid: UUID, on eventLoop: any EventLoop, tick: @escaping @Sendable (MediaTick) -> Void
    ) -> MediaClockSubscription {
        let pending = calls.withLock { calls -> (Int, AsyncStream<Int>.Continuation)? in
            calls[uuid, default: Call()].eventLoop = eventLoop
            calls[uuid]?.tick = tick
            guard let step = calls[uuid]?.pendingStep, let results = calls[uuid]?.results else { return nil }
            calls[uuid]?.pendingStep = nil
            return (step, results)
        }
        if let (framesSent, results) = pending {
            eventLoop.execute { tick(Self.tick(framesSent, results)) }
        }
        return MediaClockSubscription { [weak self] in
            // The call's media ended: a step still waiting learns it from the finished stream.
            let results = self?.calls.withLock { $0.removeValue(forKey: uuid)?.results }
            results?.finish()
        }
    }

    /// The emulator's side of one call; open it before connecting.
    public func open(_ uuid: UUID) -> LockStepCall {
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        calls.withLock { $0[uuid, default: Call()].results = continuation }
        return LockStepCall(uuid: uuid, clock: self, results: stream.makeAsyncIterator())
    }

    fileprivate func step(_ uuid: UUID, framesSent: Int) {
        let due = calls.withLock { calls -> (any EventLoop, @Sendable (MediaTick) -> Void, AsyncStream<Int>.Continuation)? in
            guard let call = calls[uuid], let results = call.results else { return nil }
            guard let eventLoop = call.eventLoop, let tick = call.tick else {
                calls[uuid]?.pendingStep = framesSent
                return nil
            }
            return (eventLoop, tick, results)
        }
        guard let (eventLoop, tick, results) = due else { return }
        eventLoop.execute { tick(Self.tick(framesSent, results)) }
    }

    /// The emulator's connection for `uuid` closed: a step still waiting returns `nil`.
    public func connectionClosed(_ uuid: UUID) {
        let results = calls.withLock { calls -> AsyncStream<Int>.Continuation? in
            let results = calls[uuid]?.results
            calls[uuid]?.results = nil
            if calls[uuid]?.tick == nil { calls[uuid] = nil }
            return results
        }
        results?.finish()
    }

    private static func tick(_ framesSent: Int, _ results: AsyncStream<Int>.Continuation) -> MediaTick {
        MediaTick(peerFramesSent: framesSent) { written in results.yield(written) }
    }
}

/// One call's steps, from the emulator's side. Used by one task.
public struct LockStepCall {
    public let uuid: UUID
    private let clock: LockStepMediaClock
    private var results: AsyncStream<Int>.Iterator

    fileprivate init(uuid: UUID, clock: LockStepMediaClock, results: AsyncStream<Int>.Iterator) {
        self.uuid = uuid
        self.clock = clock
        self.results = results
    }

    /// One 20 ms step: the emulator has sent `framesSent` frames in all. Returns how many
    /// frames the server has written in all once its tick ran, or `nil` when the call's media
    /// ended (or the connection closed) without another tick.
    public mutating func step(framesSent: Int) async -> Int? {
        clock.step(uuid, framesSent: framesSent)
        return await results.next()
    }
}
