/// What a call's media does on each tick of its clock, apart from I/O: which frames the engine
/// is fed, what is counted, and when the call ends. The NIO handler that owns the engine session
/// asks it at every event and does what it says.
///
/// The rules (DESIGN.md, "Keep your own 20 ms clock"):
/// - frames from the far end are fed to the engine as they come; a tick with none since the
///   last one feeds one frame of silence instead (spandsp's T.30 timers run on received
///   samples, so a silent far end must still be fed for T1 to end the call);
/// - every tick sends exactly one frame: a burst after a gap is not answered with a burst, and
///   a late tick is not made up with several frames;
/// - a lock-step tick (tests) is held until the far end's frames it counts have been read.
public struct MediaFramePacer: Sendable, Equatable {
    /// What the handler does for a tick.
    public enum TickAction: Sendable, Equatable {
        /// Feed one frame of silence (nothing arrived since the last tick), then send a frame.
        case feedSilenceAndSend
        /// Frames arrived since the last tick (already fed): send a frame.
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
    /// Ticks on which the far end had sent nothing.
    public private(set) var silentTicks = 0
    public private(set) var ending: Ending?
    private var receivedSinceTick = 0
    /// A lock-step tick held until `framesReceived` reaches this.
    private var heldUntil: Int?

    public init() {}

    public var hasEnded: Bool { ending != nil }

    /// A frame from the far end was fed to the engine. Returns the action of a held lock-step
    /// tick that is now due, if any.
    public mutating func frameReceived() -> TickAction? {
        guard ending == nil else { return nil }
        framesReceived += 1
        receivedSinceTick += 1
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
        defer { receivedSinceTick = 0 }
        if receivedSinceTick == 0 {
            silentTicks += 1
            return .feedSilenceAndSend
        }
        return .send
    }
}
