import FaxCore
import Foundation
import Telephony

/// `[ami]` in faxline.conf: where the Asterisk manager is. Without a username there is no
/// outbound faxing (the dispatcher does not start, and `faxline status` says so).
public struct AMISettings: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 5038
    public var username = ""
    public var secret: Secret = ""

    public init() {}

    public var isConfigured: Bool { !username.isEmpty }

    public func clientConfiguration() -> AMIClientConfiguration {
        AMIClientConfiguration(host: host, port: port, username: username, secret: secret)
    }
}

/// `[outbound]` in faxline.conf: how faxes are dialed and retried.
public struct OutboundSettings: Sendable, Equatable {
    /// The channel Asterisk dials; `${NUMBER}` is replaced by the job's number.
    public var dialString = "PJSIP/${NUMBER}@trunk"
    /// The dialplan context the answered call continues in (it connects the AudioSocket).
    public var context = "faxline-outbound"
    public var dialTimeout: Duration = .seconds(60)
    public var retry = JobRetryPolicy.standard
    /// The queue is looked at this often (and at once when a job is submitted: `wake`).
    public var pollInterval: Duration = .seconds(1)

    public init() {}
}

extension FaxlineConfiguration {
    /// `[ami]` and `[outbound]` entries.
    mutating func applyOutboundSetting(_ entry: ConfigurationFile.Entry) throws(ConfigurationError) {
        func bad(_ reason: String) -> ConfigurationError {
            .badValue(section: entry.section, key: entry.key, line: entry.line, reason)
        }
        func seconds(_ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            guard let value = Int(entry.value), range.contains(value) else { throw bad("expected seconds in \(range)") }
            return value
        }
        switch (entry.section, entry.key) {
        case ("ami", "host"):
            guard !entry.value.isEmpty, !entry.value.contains(where: { $0.isWhitespace }) else { throw bad("expected a host name") }
            ami.host = entry.value
        case ("ami", "port"):
            guard let port = Int(entry.value), (1...65535).contains(port) else { throw bad("expected a port number") }
            ami.port = port
        case ("ami", "username"): ami.username = entry.value
        case ("ami", "secret"): ami.secret = Secret(entry.value)
        case ("outbound", "dial_string"):
            do {
                _ = try AMIDialString.expand(template: entry.value, number: "5550100")
            } catch {
                throw bad(error.description)
            }
            outbound.dialString = entry.value
        case ("outbound", "context"):
            guard !entry.value.isEmpty, entry.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw bad("expected a dialplan context name")
            }
            outbound.context = entry.value
        case ("outbound", "dial_timeout"): outbound.dialTimeout = .seconds(try seconds(5...600))
        case ("outbound", "retry_busy"): outbound.retry.busy = TimeInterval(try seconds(1...86_400))
        case ("outbound", "retry_no_answer"): outbound.retry.noAnswer = TimeInterval(try seconds(1...86_400))
        case ("outbound", "retry_no_carrier"): outbound.retry.noCarrier = TimeInterval(try seconds(1...86_400))
        case ("outbound", "retry_protocol"): outbound.retry.protocolFailure = TimeInterval(try seconds(1...86_400))
        case ("outbound", "retry_other"): outbound.retry.other = TimeInterval(try seconds(1...86_400))
        case ("outbound", "notify_requeue"): outbound.retry.notifyOnRequeue = try entry.boolean()
        default:
            throw .unknownSetting(section: entry.section, key: entry.key, line: entry.line)
        }
    }
}
