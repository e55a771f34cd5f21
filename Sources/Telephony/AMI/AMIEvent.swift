import Foundation

/// The events the client acts on, read from their messages once; every other event stays
/// the message it was.
enum AMIEvent: Sendable, Hashable {
    case originateResponse(OriginateResponseEvent)
    case newchannel(NewchannelEvent)
    case hangup(HangupEvent)
    case shutdown(ShutdownEvent)
    case fullyBooted
    case other(AMIMessage)

    /// Nil when `message` is not an event.
    init?(_ message: AMIMessage) {
        guard let name = message.eventName else { return nil }
        switch name.lowercased() {
        case "originateresponse":
            self = .originateResponse(OriginateResponseEvent(message))
        case "newchannel":
            guard let event = NewchannelEvent(message) else { self = .other(message); return }
            self = .newchannel(event)
        case "hangup":
            guard let event = HangupEvent(message) else { self = .other(message); return }
            self = .hangup(event)
        case "shutdown":
            self = .shutdown(ShutdownEvent(message))
        case "fullybooted":
            self = .fullyBooted
        default:
            self = .other(message)
        }
    }

    /// A Uniqueid, or nil for the placeholders Asterisk writes when there is no channel
    /// (`<null>` before Asterisk 12, `<unknown>` since).
    static func uniqueID(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty,
            value != "<null>", value != "<unknown>"
        else { return nil }
        return value
    }
}

/// How one `Originate` with `Async: true` ended: `Response: Success` once the far end
/// answered and the dialplan started, `Failure` otherwise, with the last control frame as
/// `Reason` (see `AsteriskDialOutcomes`).
struct OriginateResponseEvent: Sendable, Hashable {
    var actionID: String?
    /// `Success` or `Failure`.
    var response: String
    var reason: Int?
    /// The channel's name, or the requested dial string when no channel was made.
    var channel: String?
    var uniqueID: String?

    init(_ message: AMIMessage) {
        actionID = message.actionID
        response = message["Response"] ?? ""
        reason = message["Reason"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        channel = message["Channel"]
        uniqueID = AMIEvent.uniqueID(message["Uniqueid"])
    }

    init(actionID: String?, response: String, reason: Int?, channel: String?, uniqueID: String?) {
        self.actionID = actionID
        self.response = response
        self.reason = reason
        self.channel = channel
        self.uniqueID = uniqueID
    }

    var succeeded: Bool { AMIMessage.keysMatch(response, "Success") }
}

/// A channel was created; for an Originate with `ChannelId` its `Uniqueid` is that id.
struct NewchannelEvent: Sendable, Hashable {
    var channel: String
    var uniqueID: String

    init?(_ message: AMIMessage) {
        guard let channel = message["Channel"], !channel.isEmpty, let uniqueID = AMIEvent.uniqueID(message["Uniqueid"]) else {
            return nil
        }
        self.init(channel: channel, uniqueID: uniqueID)
    }

    init(channel: String, uniqueID: String) {
        self.channel = channel
        self.uniqueID = uniqueID
    }
}

/// A channel was hung up, with the Q.850 cause that refines a failed call's outcome.
struct HangupEvent: Sendable, Hashable {
    var channel: String?
    var uniqueID: String
    var cause: Int?
    var causeText: String?

    init?(_ message: AMIMessage) {
        guard let uniqueID = AMIEvent.uniqueID(message["Uniqueid"]) else { return nil }
        self.init(
            channel: message["Channel"], uniqueID: uniqueID,
            cause: message["Cause"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }, causeText: message["Cause-txt"])
    }

    init(channel: String?, uniqueID: String, cause: Int?, causeText: String?) {
        self.channel = channel
        self.uniqueID = uniqueID
        self.cause = cause
        self.causeText = causeText
    }
}

/// Asterisk is stopping (`core stop …`) or restarting (`core restart …`): the last event
/// before it closes every manager connection (`really_quit` in `main/asterisk.c`).
struct ShutdownEvent: Sendable, Hashable {
    /// `Shutdown: Cleanly` (no channel was left) or `Uncleanly`.
    var cleanly: Bool?
    /// `Restart: True`.
    var restart: Bool

    init(_ message: AMIMessage) {
        cleanly = message["Shutdown"].map { AMIMessage.keysMatch($0, "Cleanly") }
        restart = message["Restart"].map { AMIMessage.keysMatch($0, "True") } ?? false
    }

    init(cleanly: Bool?, restart: Bool) {
        self.cleanly = cleanly
        self.restart = restart
    }
}
