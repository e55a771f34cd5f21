/// Bad input on an AGI connection: what Asterisk (or whoever connected) sent us.
public enum AGIProtocolError: Error, Hashable, CustomStringConvertible {
    /// A line grew beyond the limit before its end was seen.
    case lineTooLong(limit: Int)
    /// The stream ended in the middle of a line.
    case incompleteLine
    /// An environment line without the `:` between key and value.
    case environmentLineWithoutColon(String)
    /// An environment key that does not look like `agi_<name>`.
    case invalidEnvironmentKey(String)
    /// An environment value with a line break in it (only possible when building one).
    case invalidEnvironmentValue(key: String)
    /// The same environment key twice.
    case duplicateEnvironmentKey(String)
    /// More environment lines than allowed.
    case tooManyEnvironmentLines(limit: Int)
    /// More environment bytes than allowed.
    case environmentTooLarge(limit: Int)
    /// The stream ended before the empty line that closes the environment.
    case environmentIncomplete
    /// A response line that is none of the forms Asterisk sends.
    case malformedResponse(String)
    /// A `520-` usage text longer than allowed.
    case usageTooLong(limit: Int)

    public var description: String {
        switch self {
        case .lineTooLong(let limit):
            return "AGI line longer than \(limit) bytes"
        case .incompleteLine:
            return "AGI stream ended in the middle of a line"
        case .environmentLineWithoutColon(let line):
            return "AGI environment line without ':': \(WireText.excerpt(line))"
        case .invalidEnvironmentKey(let key):
            return "AGI environment key is not agi_<name>: \(WireText.excerpt(key))"
        case .invalidEnvironmentValue(let key):
            return "AGI environment value of \(WireText.excerpt(key)) contains a line break"
        case .duplicateEnvironmentKey(let key):
            return "AGI environment key sent twice: \(WireText.excerpt(key))"
        case .tooManyEnvironmentLines(let limit):
            return "AGI environment has more than \(limit) lines"
        case .environmentTooLarge(let limit):
            return "AGI environment is larger than \(limit) bytes"
        case .environmentIncomplete:
            return "AGI stream ended before the end of the environment"
        case .malformedResponse(let line):
            return "malformed AGI response: \(WireText.excerpt(line))"
        case .usageTooLong(let limit):
            return "AGI usage text longer than \(limit) lines"
        }
    }
}
