/// What a call's media does on each tick of its clock, apart from I/O: which frames the engine
/// is fed, what is counted, and when the call ends. The NIO handler that owns the engine session
/// asks it at every event and does what it says.
///
/// The rules (DESIGN.md, "Keep your own 20 ms clock"):
/// - frames from the far end are fed to the engine as they come; once the far end is more than
///   ``jitterAllowance`` frames behind our ticks, each further tick feeds one frame of silence
///   instead (spandsp's T.30 timers run on received samples, so a silent far end must still be
///   fed for T1 to end the call). Asterisk's 20 ms clock and ours are not in step: a frame
///   often comes just after our tick and the next one just before the following tick, so a
///   tick with no frame since the last one is not missing audio — silence fed for it would cut
///   20 ms out of the modem signal and break the page;
/// - every tick sends exactly one frame: a burst after a gap is not answered with a burst, and
///   a late tick is not made up with several frames;
/// - a lock-step tick (tests) is held until the far end's frames it counts have been read.
public struct MediaFramePacer: Sendable, Equatable {
    /// What the handler does for a tick.
    public enum TickAction: Sendable, Equatable {
        /// Feed one frame of silence (the far end is further behind than the jitter allows),
        /// then send a frame.
        case feedSilenceAndSend
        /// Send a frame (what the far end sent has been fed as it came).
        case send
        /// A lock-step tick waits for frames still on their way.
        case hold
        /// The call has ended; ticks do nothing.
        case ignore
    }

    public enum Ending: Sendable, Equatable {
        /// The engine finished T.30.
        case engineFinished
        /// Asterisk hung up (hangup frame or closed connection).
        case farEndHungUp
        /// Our side ended the call (a killed job, shutdown).
        case hungUpByUs(String)
        /// The media broke: bad audio, a protocol error, the idle backstop.
        case failed(String)

        /// Whether Asterisk should get a hangup frame before the connection closes.
        public var sendsHangup: Bool {
            switch self {
            case .engineFinished, .hungUpByUs: true
            case .farEndHungUp, .failed: false
            }
        }
    }

    public private(set) var framesReceived = 0
    public private(set) var framesSent = 0
    /// Ticks on which the engine was fed silence (the far end was further behind than the jitter allows).
    public private(set) var silentTicks = 0
    public private(set) var ending: Ending?
    /// Far-end frames (and silence fed in their place) minus ticks, within ±`jitterAllowance`:
    /// how far the far end's clock runs ahead of ours.
    private var balance = 0
    /// A lock-step tick held until `framesReceived` reaches this.
    private var heldUntil: Int?

    /// Frames the far end may run behind (or ahead of) our ticks before it counts as silent:
    /// 100 ms of jitter between Asterisk's clock and ours.
    public static let jitterAllowance = 5

    public init() {}

    public var hasEnded: Bool { ending != nil }

    /// A frame from the far end was fed to the engine. Returns the action of a held lock-step
    /// tick that is now due, if any.
    public mutating func frameReceived() -> TickAction? {
        guard ending == nil else { return nil }
        framesReceived += 1
        balance = min(balance + 1, Self.jitterAllowance)
        guard let until = heldUntil, framesReceived >= until else { return nil }
        heldUntil = nil
        return release()
    }

    /// The clock ticked. `peerFramesSent` is a lock-step tick's count of far-end frames.
    public mutating func tick(peerFramesSent: Int? = nil) -> TickAction {
        guard ending == nil else { return .ignore }
        if let peerFramesSent, peerFramesSent > framesReceived {
            heldUntil = peerFramesSent
            return .hold
        }
        return release()
    }

    /// The tick's frame has been written.
    public mutating func frameSent() {
        framesSent += 1
    }

    /// Ends the call. Returns `false` when it had already ended (the first reason stands).
    public mutating func end(_ reason: Ending) -> Bool {
        guard ending == nil else { return false }
        ending = reason
        heldUntil = nil
        return true
    }

    private mutating func release() -> TickAction {
        balance -= 1
        guard balance < -Self.jitterAllowance else { return .send }
        balance += 1
        silentTicks += 1
        return .feedSilenceAndSend
    }
}
