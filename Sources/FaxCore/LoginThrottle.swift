import Foundation

/// Whose failed sign-ins are counted: a login name (whether or not such a user exists, so that
/// a lock says nothing about existence) or the address they came from.
public struct LoginSubject: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case user, address
    }

    public var kind: Kind
    public var value: String

    public static let maximumLength = 256

    /// A login name as typed (normalized like `User.loginName`).
    public static func user(_ typedName: String) -> LoginSubject {
        LoginSubject(kind: .user, value: String(User.loginName(typedName).prefix(maximumLength)))
    }

    /// A network address without port (`192.0.2.7`, `2001:db8::1`).
    public static func address(_ address: String) -> LoginSubject {
        LoginSubject(kind: .address, value: String(address.trimmingCharacters(in: .whitespaces).lowercased().prefix(maximumLength)))
    }

    public init(kind: Kind, value: String) {
        self.kind = kind
        self.value = value
    }

    public var description: String { "\(kind.rawValue) \(FieldRules.quoted(value))" }
}

/// The failed sign-ins of one subject in its current window.
public struct LoginFailures: Sendable, Equatable {
    public var subject: LoginSubject
    public var count: Int
    /// The first failure of the window.
    public var windowStartedAt: Date
    /// Set when `count` reached the limit.
    public var lockedUntil: Date?

    public init(subject: LoginSubject, count: Int, windowStartedAt: Date, lockedUntil: Date? = nil) {
        self.subject = subject
        self.count = count
        self.windowStartedAt = windowStartedAt
        self.lockedUntil = lockedUntil
    }
}

/// How many failed sign-ins lock a user name or an address, and for how long: after
/// `maximumFailures` failures within `window` of the first, sign-ins are refused until
/// `lockDuration` has passed — also with the right password.
public struct LoginThrottlePolicy: Sendable, Equatable {
    public var maximumFailures: Int
    public var window: TimeInterval
    public var lockDuration: TimeInterval

    public init(maximumFailures: Int = 5, window: TimeInterval = 15 * 60, lockDuration: TimeInterval = 15 * 60) {
        precondition(maximumFailures >= 1 && window > 0 && lockDuration > 0, "a login throttle needs positive limits")
        self.maximumFailures = maximumFailures
        self.window = window
        self.lockDuration = lockDuration
    }

    /// Until when the subject is locked at `now`, if it is.
    public func lockedUntil(_ failures: LoginFailures?, at now: Date) -> Date? {
        guard let until = failures?.lockedUntil, now < until else { return nil }
        return until
    }

    /// The record after one more failure at `now`: a new window once the old one (or the lock)
    /// is over; locked when the count reaches the limit.
    public func recordingFailure(_ failures: LoginFailures?, of subject: LoginSubject, at now: Date) -> LoginFailures {
        var next = failures ?? LoginFailures(subject: subject, count: 0, windowStartedAt: now)
        if isOver(next, at: now) {
            next = LoginFailures(subject: subject, count: 0, windowStartedAt: now)
        }
        next.count += 1
        if next.count >= maximumFailures, lockedUntil(next, at: now) == nil {
            next.lockedUntil = now.addingTimeInterval(lockDuration)
        }
        return next
    }

    /// Whether the record no longer counts: its window has passed and it is not locked.
    public func isOver(_ failures: LoginFailures, at now: Date) -> Bool {
        if let until = failures.lockedUntil { return now >= until }
        return now >= failures.windowStartedAt.addingTimeInterval(window)
    }
}
