import FaxCore
import Foundation

/// How pages show times, durations and states: in words, in the server's time zone.
enum WebDisplay {
    static func time(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, locale: Locale(identifier: "en_GB"), timeZone: .current))
    }

    /// A model's error (`invalid tag: …`) as it opens a message on a page.
    static func capitalised(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    /// For `<time datetime>`.
    static func machineTime(_ date: Date) -> String { date.formatted(.iso8601) }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole < 60 ? "\(whole) s" : "\(whole / 60) min \(whole % 60) s"
    }

    static func faxStatus(_ status: FaxStatus) -> String {
        switch status {
        case .receiving: "receiving"
        case .received: "received"
        case .partial: "partial"
        case .failed: "failed"
        case .refused: "refused"
        case .sending: "sending"
        case .sent: "sent"
        }
    }

    /// A CSS class for a state: good, bad, busy or plain.
    static func tone(_ status: FaxStatus) -> String {
        switch status {
        case .received, .sent: "good"
        case .partial: "warn"
        case .failed, .refused: "bad"
        case .receiving, .sending: "busy"
        }
    }

    static func tone(_ state: JobState) -> String {
        switch state {
        case .done: "good"
        case .failed, .killed: "bad"
        case .dialing, .sending: "busy"
        case .queued, .requeued: "plain"
        }
    }

    static func delivery(_ state: FaxDeliveryState) -> String {
        switch state {
        case .none: "not mailed"
        case .pending: "mail pending"
        case .delivered: "mailed"
        case .failed: "mail failed"
        }
    }

    /// The T.30 event log's kinds in words (the engine's B, D, E, log, note).
    static func eventKind(_ kind: String) -> (label: String, tone: String) {
        switch kind {
        case "B": ("Phase B · parameters", "phase")
        case "D": ("Page", "page")
        case "E": ("Phase E · end", "phase")
        case "log": ("T.30", "plain")
        case "note": ("Server", "plain")
        default: (kind, "plain")
        }
    }
}
