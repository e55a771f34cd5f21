/// The one place where Asterisk's numbers become `DialFailureCause`s.
///
/// `OriginateResponse`'s `Reason` is the last control frame the outgoing channel saw
/// while dialing (`outstate` of `ast_request_and_dial`, the `AST_CONTROL_*` values of
/// `include/asterisk/frame.h`), or 0 when no channel could be created or dialing failed.
/// When the channel was hung up (reason 1) or never came up (reason 0), the `Hangup`
/// event's Q.850 `Cause` says why; it is used when it arrived.
public enum AsteriskDialOutcomes {
    /// `AST_CONTROL_*` value → cause. Values not listed map to `.failed`.
    public static let reasonTable: [(reason: Int, name: String, cause: DialFailureCause?)] = [
        (0, "failure (no channel, or dialing failed)", nil),
        (1, "AST_CONTROL_HANGUP: far end hung up before answer", nil),
        (2, "AST_CONTROL_RING: local ring, no answer", .noAnswer),
        (3, "AST_CONTROL_RINGING: far end rang until the dial timeout", .noAnswer),
        (4, "AST_CONTROL_ANSWER: answered", .answered),
        (5, "AST_CONTROL_BUSY: busy", .busy),
        (8, "AST_CONTROL_CONGESTION: congestion", .congestion),
    ]

    /// Q.850 cause (the `Cause` of a `Hangup` event) → cause. Causes not listed map to
    /// `.failed` with the cause's text.
    public static let hangupCauseTable: [(cause: Int, text: String, dialCause: DialFailureCause?)] = [
        (1, "unallocated (unassigned) number", nil),
        (3, "no route to destination", nil),
        (16, "normal call clearing", nil),
        (17, "user busy", .busy),
        (18, "no user responding", .noAnswer),
        (19, "no answer from user (user alerted)", .noAnswer),
        (20, "subscriber absent", .noAnswer),
        (21, "call rejected", nil),
        (22, "number changed", nil),
        (27, "destination out of order", nil),
        (28, "invalid number format", nil),
        (31, "normal, unspecified", nil),
        (34, "no circuit/channel available", .congestion),
        (38, "network out of order", .congestion),
        (41, "temporary failure", .congestion),
        (42, "switching equipment congestion", .congestion),
        (44, "requested circuit/channel not available", .congestion),
        (47, "resource unavailable, unspecified", .congestion),
        (58, "bearer capability not presently available", nil),
        (102, "recovery on timer expiry", .noAnswer),
    ]

    /// True when a failed `OriginateResponse` with this reason says why by itself (busy, no
    /// answer, congestion); false for 0 and 1, which need the `Hangup` cause.
    static func reasonIsSpecific(_ reason: Int?) -> Bool {
        reasonTable.contains { $0.reason == reason && $0.cause != nil }
    }

    /// True when this Q.850 cause of a failed call says why by itself (busy, no answer, congestion).
    static func hangupCauseIsSpecific(_ cause: Int?) -> Bool {
        hangupCauseTable.contains { $0.cause == cause && $0.dialCause != nil }
    }

    /// The cause of one `OriginateResponse`.
    /// - Parameters:
    ///   - response: its `Response` (`Success` or `Failure`).
    ///   - reason: its `Reason`.
    ///   - hangupCause: the Q.850 `Cause` of the originated channel's `Hangup`, if seen.
    ///   - hangupCauseText: that event's `Cause-txt`, for the message of `.failed`.
    public static func cause(response: String, reason: Int?, hangupCause: Int? = nil, hangupCauseText: String? = nil)
        -> DialFailureCause
    {
        let succeeded = AMIMessage.keysMatch(response, "Success")
        if succeeded {
            // Success means the channel was answered and handed to the dialplan.
            return .answered
        }
        if let reason, let row = reasonTable.first(where: { $0.reason == reason }), let mapped = row.cause {
            // A failed response never means answered; reason 4 with Failure means the
            // dialplan could not be started after the answer.
            if mapped == .answered { return .failed("answered, but Asterisk could not start the dialplan") }
            return mapped
        }
        if let hangupCause {
            return cause(hangupCause: hangupCause, text: hangupCauseText)
        }
        switch reason {
        case 0?: return .failed("Asterisk could not place the call (no channel, or dialing failed)")
        case 1?: return .failed("the far end hung up before answering")
        case let other?: return .failed("OriginateResponse reason \(other)")
        case nil: return .failed("OriginateResponse without a reason")
        }
    }

    /// The cause for a Q.850 hangup cause of a call that was not answered.
    public static func cause(hangupCause: Int, text: String? = nil) -> DialFailureCause {
        let row = hangupCauseTable.first { $0.cause == hangupCause }
        if let mapped = row?.dialCause { return mapped }
        let description = row?.text ?? text.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
        return .failed("hangup cause \(hangupCause) (\(description))")
    }
}
