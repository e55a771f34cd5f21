import Foundation
import NIOCore

/// The 20 ms transmit clock of a call's media. Each call has its own: a frame goes out on every
/// tick whether or not the far end sent one, because Asterisk's `AudioSocket()` hangs up after
/// 2 s in which neither side sent anything.
///
/// In production ticks come from a schedule on the event loop (``EventLoopMediaClock``); in tests
/// from a lock-step clock that the Asterisk emulator drives, so that a call runs the same code
/// at CPU speed and deterministically.
public protocol MediaClock: Sendable {
    /// Starts ticking for the call whose AudioSocket UUID is `uuid`. `tick` runs on `eventLoop`
    /// (the connection's), once per tick, until the subscription is cancelled.
    func subscribe(
        call uuid: UUID, on eventLoop: any EventLoop, tick: @escaping @Sendable (MediaTick) -> Void
    ) -> MediaClockSubscription
}

/// One tick of a call's clock.
public struct MediaTick: Sendable {
    /// Lock-step only: the tick is due once this many frames from the far end have been read
    /// (the emulator has sent them before it stepped the clock). `nil`: due now.
    public var peerFramesSent: Int?
    /// Lock-step only: called once the tick's frame has been written, with the number of frames
    /// the call has written in all, so that the emulator reads exactly those.
    public var completed: (@Sendable (Int) -> Void)?

    public init(peerFramesSent: Int? = nil, completed: (@Sendable (Int) -> Void)? = nil) {
        self.peerFramesSent = peerFramesSent
        self.completed = completed
    }

    /// A tick of a real-time clock: due now, nobody waits for it.
    public static let now = MediaTick()
}

/// Stops a call's ticks when cancelled (or released).
public final class MediaClockSubscription: Sendable {
    private let onCancel: @Sendable () -> Void
    private let onAlign: @Sendable (NIODeadline) -> Void

    public init(onCancel: @escaping @Sendable () -> Void, onAlign: @escaping @Sendable (NIODeadline) -> Void = { _ in }) {
        self.onCancel = onCancel
        self.onAlign = onAlign
    }

    public func cancel() {
        onCancel()
    }

    /// The far end's frames arrive at `arrival`'s point of their 20 ms: a real-time clock moves
    /// the call's ticks to just after it (a lock-step clock has no phase to move).
    public func alignTicks(toFrameArrivedAt arrival: NIODeadline) {
        onAlign(arrival)
    }
}
