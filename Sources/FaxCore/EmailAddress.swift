/// The one rule for the addresses faxes and notifications are mailed to, used by the models
/// (devices, jobs), the store and the mail sender alike — so an address the CLI accepts is one
/// the mail path can deliver to.
///
/// A plain `local@domain`, ASCII only, deliberately stricter than RFC 5322: these strings end up
/// in SMTP commands and mail headers, so anything that could break out of them (line breaks,
/// brackets, commas, quotes, spaces) is refused. Internationalized addresses are refused too:
/// a non-ASCII name before the @ needs SMTPUTF8, which the mail path (libcurl) cannot promise,
/// and a non-ASCII domain must be given in its ASCII form (`xn--…`), which is what is sent.
public enum EmailAddress {
    public static let maximumLength = 254

    public static func validate(_ address: String) throws(FaxValidationError) {
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
        guard local.unicodeScalars.allSatisfy(\.isASCII) else {
            throw fail("has non-ASCII letters before the @; such addresses need SMTPUTF8, which Faxline cannot promise — use an ASCII address")
        }
        guard domain.unicodeScalars.allSatisfy(\.isASCII) else {
            throw fail("has a non-ASCII domain; give it in its ASCII form (xn--…), as mail servers see it")
        }
        guard !local.isEmpty, local.utf8.count <= 64 else { throw fail("needs a name of 1 to 64 bytes before the @") }
        guard !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            throw fail("has misplaced dots before the @")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard !domain.isEmpty, domain.utf8.count <= 253,
            labels.allSatisfy({ label in
                !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            })
        else {
            throw fail("needs a domain name after the @ (letters, digits, '-' and dots)")
        }
    }

    /// Whether `address` passes ``validate(_:)``.
    public static func isValid(_ address: String) -> Bool {
        (try? validate(address)) != nil
    }
}
