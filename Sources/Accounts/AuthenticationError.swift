import Foundation

/// Why a sign-in was refused, in words that can be shown to whoever tried. None of them tells
/// whether a user exists: wrong names and wrong passwords are refused alike, and names that
/// do not exist are locked like those that do.
public enum AuthenticationError: Error, Sendable, Equatable, CustomStringConvertible {
    case refused
    /// Too many failures for this name or from this address.
    case locked(until: Date)
    /// Said only to someone who gave the right password.
    case disabled

    public var description: String {
        switch self {
        case .refused: "the user name or the password is wrong"
        case .locked(let until):
            "too many failed sign-ins; try again after \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: until.timeIntervalSince1970.rounded(.up))))"
        case .disabled: "this user is disabled; ask an administrator"
        }
    }
}
