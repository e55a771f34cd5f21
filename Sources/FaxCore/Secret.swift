/// A configured secret: the SMTP password, the AMI secret, the AGI key. The text is there for
/// the one place that sends or checks it (``revealed``); everywhere else — string
/// interpolation, `description`, `debugDescription`, `dump`, a mirror — it shows as
/// ``redacted``, so a configuration can be logged whole without giving anything away.
public struct Secret: Sendable, Equatable, ExpressibleByStringLiteral, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    /// What a secret looks like wherever it is shown.
    public static let redacted = "••••"

    /// The secret itself: only for the wire (AUTH, Login) or a comparison.
    public let revealed: String

    public init(_ revealed: String) {
        self.revealed = revealed
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public var isEmpty: Bool { revealed.isEmpty }

    public var description: String { Self.redacted }
    public var debugDescription: String { Self.redacted }
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// Compares with what a client sent in time that depends only on the lengths, never on
    /// where the first difference is, so that timing gives an attacker nothing to guess by.
    public func matches(_ candidate: some StringProtocol) -> Bool {
        Self.constantTimeEqual(Array(revealed.utf8), Array(candidate.utf8))
    }

    public static func == (lhs: Secret, rhs: Secret) -> Bool {
        constantTimeEqual(Array(lhs.revealed.utf8), Array(rhs.revealed.utf8))
    }

    static func constantTimeEqual(_ expected: [UInt8], _ candidate: [UInt8]) -> Bool {
        // Every byte of the candidate is looked at, whatever the expected length.
        var difference = UInt64(expected.count ^ candidate.count)
        for (index, byte) in candidate.enumerated() {
            let other = expected.isEmpty ? 0 : expected[index % expected.count]
            difference |= UInt64(byte ^ other)
        }
        return difference == 0
    }
}
