import ArgumentParser
import Foundation

/// Times and durations as the send options take them.
enum TimeSpec {
    static let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]

    /// `90s`, `30m`, `3h`, `1d`: a number and its unit (a bare `3` could mean minutes or hours,
    /// so it is refused).
    static func seconds(_ text: String, option: String, maximumDays: Double = 30) throws -> TimeInterval {
        guard let last = text.last, let unit = units[last] else {
            if Double(text) != nil {
                throw ValidationError("\(option) \(text) needs a unit: \(text)s, \(text)m, \(text)h or \(text)d")
            }
            throw ValidationError("\(option) \(text) is not a duration like 90m or 3h")
        }
        guard let value = Double(text.dropLast()), value > 0, value.isFinite, value * unit <= maximumDays * 86_400 else {
            throw ValidationError("\(option) \(text) is not a duration like 90m or 3h (more than nothing, at most \(Int(maximumDays)) days)")
        }
        return value * unit
    }

    /// `HH:MM` (its next occurrence), `+30m`, or an ISO 8601 time, which must not have passed.
    static func date(_ text: String, now: Date) throws -> Date {
        if text.hasPrefix("+") { return now.addingTimeInterval(try seconds(String(text.dropFirst()), option: "--at")) }
        let parts = text.split(separator: ":")
        if parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute) {
            let calendar = Calendar.current
            guard let today = calendar.date(bySettingHour: hour, minute: minute, second: 0, of: now) else {
                throw ValidationError("--at \(text) is not a time")
            }
            return today > now ? today : calendar.date(byAdding: .day, value: 1, to: today) ?? today
        }
        if let date = try? Date(text, strategy: .iso8601) {
            guard date > now else { throw ValidationError("--at \(text) is in the past (it is \(clock(now)) now)") }
            return date
        }
        throw ValidationError("--at \(text) is not HH:MM, +30m or an ISO 8601 time like 2026-11-24T08:00:00Z")
    }

    static func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }
}

/// A point in time for the list filters (`--since`, `--until`): a day, a day and a time (local
/// time), an ISO 8601 time, or a span back from now (`7d`, `12h`).
enum DateArgument {
    static func parse(_ text: String, option: String, now: Date) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let last = trimmed.last, TimeSpec.units[last] != nil, Double(trimmed.dropLast()) != nil {
            return now.addingTimeInterval(-(try TimeSpec.seconds(trimmed, option: option, maximumDays: 36_500)))
        }
        if let date = try? Date(trimmed, strategy: .iso8601) { return date }
        for format in ["yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.calendar = Calendar(identifier: .gregorian)
            formatter.timeZone = .current
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return date }
        }
        throw ValidationError("\(option) \(text) is not a time like 2026-11-23, \"2026-11-23 14:00\", an ISO 8601 time or 7d (ago)")
    }
}
