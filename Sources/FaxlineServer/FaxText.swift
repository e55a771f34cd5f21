import FaxCore
import Foundation

/// A fax in the few words lists and messages show. Text the caller controls (names, station
/// ids) has its control characters replaced, so that it cannot move the cursor or forge lines
/// on a terminal.
public enum FaxText {
    /// "2026-11-23 14:02", local time.
    public static func clock(_ date: Date) -> String {
        date.formatted(Date.VerbatimFormatStyle(
            format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
            timeZone: .current, calendar: Calendar(identifier: .gregorian)))
    }

    /// The far end: "5550100 (Caller GmbH)" for a received fax, the number dialled for a sent one.
    public static func farEnd(_ fax: FaxRecord) -> String {
        switch fax.direction {
        case .sent:
            return printable(fax.did.isEmpty ? "?" : fax.did)
        case .received:
            let number = fax.callerNumber.isEmpty ? "unknown" : fax.callerNumber
            let name = fax.callerName.isEmpty ? fax.session.remoteStationID : fax.callerName
            return printable(name.isEmpty ? number : "\(number) (\(name))")
        }
    }

    /// "received from 5550100 (Caller GmbH), 3 pages" / "sent to 5550100, failed".
    public static func summary(_ fax: FaxRecord) -> String {
        let pages = Plural.count(fax.session.pages, "page")
        switch fax.direction {
        case .received: return "received from \(farEnd(fax)), \(fax.status.rawValue), \(pages)"
        case .sent: return "sent to \(farEnd(fax)), \(fax.status.rawValue), \(pages)"
        }
    }

    /// Control characters (and line and paragraph separators) become `?`.
    public static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control || scalar.value == 0x2028 || scalar.value == 0x2029 ? "?" : scalar
        }))
    }
}
