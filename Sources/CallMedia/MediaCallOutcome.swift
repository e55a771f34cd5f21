import FaxEngine

/// How a fax call's audio ended, with the engine's result.
public struct MediaCallOutcome: Sendable {
    public enum Ending: Sendable, Equatable, CustomStringConvertible {
        /// T.30 finished (phase E); we sent hangup and closed the audio.
        case faxFinished
        /// Asterisk hung up (hangup message or closed connection).
        case farEndHungUp
        /// Asterisk never connected the audio.
        case neverConnected(String)
        /// Bad audio, a protocol error, a broken connection, or the idle backstop.
        case mediaFailed(String)
        /// We ended the call (a killed job, shutdown).
        case hungUpByUs(String)

        /// In words, for the log.
        public var description: String {
            switch self {
            case .faxFinished: "the fax session finished"
            case .farEndHungUp: "the far end hung up"
            case .neverConnected(let why): "the audio never connected: \(why)"
            case .mediaFailed(let why): "the audio failed: \(why)"
            case .hungUpByUs(let why): "hung up by Faxline: \(why)"
            }
        }
    }

    public var fax: FaxResult
    public var ending: Ending
    /// Frames we sent (one per tick of the call's clock).
    public var framesSent: Int
    /// Ticks on which the far end had sent nothing and the engine was fed silence.
    public var silentTicks: Int

    public init(fax: FaxResult, ending: Ending, framesSent: Int = 0, silentTicks: Int = 0) {
        self.fax = fax
        self.ending = ending
        self.framesSent = framesSent
        self.silentTicks = silentTicks
    }

    /// A call whose audio never reached us.
    public static func neverConnected(_ reason: String, sending: Bool) -> MediaCallOutcome {
        MediaCallOutcome(fax: .notStarted(reason: reason, sending: sending), ending: .neverConnected(reason))
    }
}

/// What a call's audio reports to the call's owner, in order; `ended` comes exactly once, last.
public enum MediaCallEvent: Sendable {
    /// Asterisk connected the audio.
    case connected
    /// The far end spoke T.30 for the first time.
    case t30Started
    /// The far end confirmed pages (sending) or pages were received whole (receiving): the
    /// count in this call so far.
    case pagesConfirmed(Int)
    case ended(MediaCallOutcome)
}
