/// The one rule for the numbers faxes are sent to (and caller ids), used by jobs, submissions
/// and the dial string alike: digits, `*` and `#`, a leading `+`, at most 32 characters — so a
/// number can never add a second dial target (`&`), options (`,`) or another technology (`/`).
public enum FaxNumber {
    public static let maximumLength = 32

    /// The number as dialed: spaces, dashes, dots and parentheses dropped
    /// (`+1 (555) 010-0` → `+15550100`); anything else refused.
    public static func normalized(_ number: String, field: String = "number") throws(FaxValidationError) -> String {
        var digits = ""
        for character in number {
            switch character {
            case "0"..."9", "*", "#":
                digits.append(character)
            case "+" where digits.isEmpty:
                digits.append(character)
            case " ", "-", ".", "(", ")":
                continue
            default:
                throw invalid(number, field: field)
            }
        }
        guard digits.contains(where: { $0 != "+" }), digits.count <= maximumLength else { throw invalid(number, field: field) }
        return digits
    }

    /// Whether `number` is already in the dialed form.
    public static func isDialable(_ number: String) -> Bool {
        (try? normalized(number)) == number
    }

    private static func invalid(_ number: String, field: String) -> FaxValidationError {
        FaxValidationError(field: field, reason: "\(FieldRules.quoted(number)) is not a phone number (digits, +, *, # only)")
    }
}
