import Foundation
import OpenAPIRuntime

/// The API's dates: RFC 3339 in UTC to the second (`2026-12-02T14:03:11Z`), exactly what the
/// OpenAPI runtime's default `ISO8601DateTranscoder` writes. That one formats through ICU behind
/// one lock for every thread, which was a tenth of a page of 50 faxes; this writes the UTC
/// calendar fields itself. Years outside 1600…9999 (ICU turns Julian before 1582) and all parsing
/// go to the default transcoder.
struct RFC3339DateTranscoder: DateTranscoder {
    private let fallback = ISO8601DateTranscoder.iso8601

    func encode(_ date: Date) throws -> String {
        // ICU takes the time in whole milliseconds (rounded), then cuts to the second.
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        guard milliseconds.isFinite, abs(milliseconds) < 1e15 else { return try fallback.encode(date) }
        let whole = Int(milliseconds)
        let seconds = whole >= 0 ? whole / 1000 : (whole - 999) / 1000
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (year, month, day) = Self.civilDate(daysSince1970: secondOfDay < 0 ? days - 1 : days)
        guard (1600...9999).contains(year) else { return try fallback.encode(date) }
        let second = secondOfDay < 0 ? secondOfDay + 86_400 : secondOfDay
        var text = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int, at offset: Int, digits: Int) {
            var value = value
            for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                text[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(year, at: 0, digits: 4)
        put(month, at: 5, digits: 2)
        put(day, at: 8, digits: 2)
        put(second / 3600, at: 11, digits: 2)
        put(second / 60 % 60, at: 14, digits: 2)
        put(second % 60, at: 17, digits: 2)
        for (offset, character) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "Z")] as [(Int, Unicode.Scalar)] {
            text[offset] = UInt8(ascii: character)
        }
        return String(decoding: text, as: UTF8.self)
    }

    func decode(_ text: String) throws -> Date {
        try fallback.decode(text)
    }

    /// The proleptic Gregorian date of a day number (Howard Hinnant's `civil_from_days`).
    static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
