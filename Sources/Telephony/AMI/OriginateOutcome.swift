import Foundation

/// What became of one `Originate`.
public struct OriginateOutcome: Sendable, Hashable, CustomStringConvertible {
    public var cause: DialFailureCause
    /// The request's `channelID`: the Uniqueid Asterisk gave (or would have given) the call.
    public var channelID: UUID
    /// The ActionID the Originate was sent with (empty when it was never sent).
    public var actionID: String
    /// Asterisk accepted the Originate (`Originate successfully queued`). With `.amiDown`
    /// this means the connection was lost afterwards: the call may still be in progress.
    public var wasQueued: Bool
    /// `Reason` of the `OriginateResponse` (an `AST_CONTROL_*` value or 0).
    public var reason: Int?
    /// Q.850 `Cause` and `Cause-txt` of the channel's `Hangup`, when one was seen.
    public var hangupCause: Int?
    public var hangupCauseText: String?
    public var channel: String?
    public var uniqueID: String?

    public init(
        cause: DialFailureCause, channelID: UUID, actionID: String, wasQueued: Bool, reason: Int? = nil,
        hangupCause: Int? = nil, hangupCauseText: String? = nil, channel: String? = nil, uniqueID: String? = nil
    ) {
        self.cause = cause
        self.channelID = channelID
        self.actionID = actionID
        self.wasQueued = wasQueued
        self.reason = reason
        self.hangupCause = hangupCause
        self.hangupCauseText = hangupCauseText
        self.channel = channel
        self.uniqueID = uniqueID
    }

    public var description: String {
        var parts = ["\(cause)"]
        if let reason { parts.append("reason \(reason)") }
        if let hangupCause { parts.append("hangup cause \(hangupCause)") }
        if let channel { parts.append("channel \(channel)") }
        return parts.joined(separator: ", ")
    }
}
