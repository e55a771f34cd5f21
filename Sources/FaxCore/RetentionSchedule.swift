import Foundation

/// When the server's own daily cleanup runs: a time of day in the server's time zone.
public struct RetentionSchedule: Sendable, Equatable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int

    public static let standard = RetentionSchedule(validHour: 3, minute: 30)

    private init(validHour hour: Int, minute: Int) {
        self.hour = hour
        self.minute = minute
    }

    public init(hour: Int, minute: Int) throws {
        guard (0...23).contains(hour), (0...59).contains(minute) else {
            throw FaxValidationError(field: "cleanup time", reason: "\(hour):\(minute) is not a time of day")
        }
        self.init(validHour: hour, minute: minute)
    }

    /// `HH:MM`, 24-hour.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) }),
              let hour = Int(parts[0]), let minute = Int(parts[1]) else {
            throw FaxValidationError(field: "cleanup time", reason: "\(FieldRules.quoted(text)) is not HH:MM")
        }
        try self.init(hour: hour, minute: minute)
    }

    /// The first run strictly after `date`.
    public func nextRun(after date: Date, timeZone: TimeZone = .current) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.nextDate(
            after: date, matching: DateComponents(hour: hour, minute: minute, second: 0), matchingPolicy: .nextTime)
            ?? date.addingTimeInterval(RetentionPolicy.day)
    }

    public var description: String { String(format: "%02d:%02d", hour, minute) }
}
