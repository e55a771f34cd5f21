/// The start of a fax id as a person types it: the 8 characters `faxline status` and
/// `faxline faxes` show, or any other unique beginning of the id (a whole id too).
public struct FaxIDPrefix: Sendable, Equatable, CustomStringConvertible {
    /// Lowercased: ids are stored lowercase.
    public let text: String

    public static let maximumLength = 36

    /// `naming` is what the id belongs to, for the error (webhooks and their deliveries have
    /// such ids too).
    public init(_ text: String, naming thing: String = "fax") throws(FaxValidationError) {
        let lowered = text.lowercased()
        guard !lowered.isEmpty, lowered.count <= Self.maximumLength,
              lowered.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) || $0 == "-" })
        else {
            throw FaxValidationError(
                field: "\(thing) id",
                reason: "\(FieldRules.quoted(text)) is not a \(thing) id (hexadecimal digits and '-', like 3f2c1a9b)")
        }
        self.text = lowered
    }

    public var description: String { text }

    /// Whether `id` starts with this prefix.
    public func matches(_ id: String) -> Bool { id.lowercased().hasPrefix(text) }
}

/// Why a fax id prefix names no single fax.
public enum FaxLookupError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchFax(String)
    /// More than one fax starts so; `candidates` describe the first few, one line each.
    case ambiguous(String, candidates: [String], more: Bool)

    public var description: String {
        switch self {
        case .noSuchFax(let prefix): return "no fax \(prefix)"
        case .ambiguous(let prefix, let candidates, let more):
            return "\(prefix) names more than one fax; give more of the id:\n"
                + candidates.map { "  " + $0 }.joined(separator: "\n") + (more ? "\n  …" : "")
        }
    }
}
