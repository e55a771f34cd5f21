/// The submitter's own reference for a job — HylaFAX's jobtag, a cost centre, "Offer 4711" —
/// stored with it, shown wherever the job is shown and searched by (exactly) in job lists.
///
/// Surrounding white space is dropped; what is left must be 1 to `maximumLength` characters
/// without control characters or invisible bidirectional marks (`UntrustedText`), because the
/// tag is printed to terminals, mails and pages as it was written.
public struct JobTag: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Counted in Unicode scalars, as SQLite's `length()` counts them for the column's CHECK.
    public static let maximumLength = 50

    public let text: String

    /// `field` names the tag as the user wrote it (`tag`, `X-Fax-Tag`, `@@+TAG:…@@`).
    public init(_ text: String, field: String = "tag") throws(FaxValidationError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let length = trimmed.unicodeScalars.count
        guard (1...Self.maximumLength).contains(length), !FieldRules.hasControlCharacters(trimmed),
              !trimmed.unicodeScalars.contains(where: UntrustedText.isUnsafe)
        else {
            throw FaxValidationError(
                field: field,
                reason: "\(FieldRules.quoted(trimmed)) must be 1 to \(Self.maximumLength) characters without control characters"
                    + (length > Self.maximumLength ? " (it has \(length))" : ""))
        }
        self.text = trimmed
    }

    /// The tag of an optional input (a form field, a mail header, a control field): `nil` when
    /// it is absent or blank, an error when it is given but breaks the rules above.
    public static func optional(_ text: String?, field: String = "tag") throws(FaxValidationError) -> JobTag? {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return nil }
        return try JobTag(text, field: field)
    }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        self = try CheckedTextCoding.decode(from: decoder, checking: { try JobTag($0) })
    }

    public func encode(to encoder: any Encoder) throws {
        try CheckedTextCoding.encode(text, to: encoder)
    }
}
