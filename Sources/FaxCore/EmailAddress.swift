/// The plain `local@domain` addresses faxes are mailed to. Deliberately stricter than RFC 5322:
/// these strings end up in SMTP commands and mail headers, so anything that could break out
/// of them (line breaks, brackets, commas, quotes, spaces) is refused.
public enum EmailAddress {
    public static let maximumLength = 254

    public static func validate(_ address: String) throws {
        func fail(_ reason: String) -> FaxValidationError {
            FaxValidationError(field: "email", reason: "\(FieldRules.quoted(address)) \(reason)")
        }
        guard address.utf8.count <= maximumLength else { throw fail("is longer than \(maximumLength) bytes") }
        guard !address.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw fail("contains a line break")
        }
        guard !FieldRules.hasControlCharacters(address) else { throw fail("contains control characters") }
        let forbidden: Set<Character> = [" ", "\t", "<", ">", "(", ")", "[", "]", ",", ";", ":", "\"", "\\"]
        if let bad = address.first(where: { forbidden.contains($0) || $0.isWhitespace }) {
            throw fail("must not contain \(FieldRules.quoted(String(bad)))")
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw fail("must contain exactly one @") }
        let local = parts[0]
        let domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64 else { throw fail("needs a name of 1 to 64 bytes before the @") }
        guard !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            throw fail("has misplaced dots before the @")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard !domain.isEmpty, domain.utf8.count <= 253,
            labels.allSatisfy({ label in
                !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
            })
        else {
            throw fail("needs a domain name after the @ (letters, digits, '-' and dots)")
        }
    }
}
