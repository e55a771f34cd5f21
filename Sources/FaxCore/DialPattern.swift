/// A number pattern in Asterisk's dialplan style, for DID and caller-number routing rules.
///
/// `X` any digit, `Z` 1–9, `N` 2–9, `[1-5]` / `[135]` a digit from a set, `.` one or more
/// characters of any kind, `!` zero or more; digits, `+` and `#` match themselves. `*` on its
/// own means "any number, including none". A leading `_` (as Asterisk writes patterns) and `-`
/// separators (`_555-XXXX`) are accepted and ignored. Patterns always match the whole number.
public struct DialPattern: Sendable, Hashable, Codable, CustomStringConvertible {
    enum Element: Sendable, Hashable {
        case literal(Character)
        /// Bit n set: digit n matches.
        case digitSet(UInt16)
        case oneOrMore
        case zeroOrMore
    }

    public static let maximumLength = 64

    /// The pattern as written.
    public let text: String
    let elements: [Element]

    /// Matches every number, including an empty one.
    public static let any = try! DialPattern("*")

    public init(_ text: String) throws {
        self.text = text
        self.elements = try Self.parse(text)
    }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        self = try CheckedTextCoding.decode(from: decoder, checking: { try DialPattern($0) })
    }

    public func encode(to encoder: any Encoder) throws {
        try CheckedTextCoding.encode(text, to: encoder)
    }

    public static func == (lhs: DialPattern, rhs: DialPattern) -> Bool { lhs.text == rhs.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    private static func parse(_ text: String) throws -> [Element] {
        func fail(_ reason: String) -> FaxValidationError {
            FaxValidationError(field: "pattern", reason: "\(FieldRules.quoted(text)) \(reason)")
        }
        guard text.count <= maximumLength else { throw fail("is longer than \(maximumLength) characters") }
        if text == "*" { return [.zeroOrMore] }
        var body = Substring(text)
        if body.first == "_" { body = body.dropFirst() }
        var elements: [Element] = []
        var index = body.startIndex
        while index < body.endIndex {
            let character = body[index]
            index = body.index(after: index)
            switch character {
            case "X", "x": elements.append(.digitSet(0b11_1111_1111))
            case "Z", "z": elements.append(.digitSet(0b11_1111_1110))
            case "N", "n": elements.append(.digitSet(0b11_1111_1100))
            case ".": elements.append(.oneOrMore)
            case "!": elements.append(.zeroOrMore)
            case "-": continue
            case "0"..."9", "+", "#": elements.append(.literal(character))
            case "[":
                guard let close = body[index...].firstIndex(of: "]") else { throw fail("has a '[' without ']'") }
                elements.append(.digitSet(try parseSet(body[index..<close], fail: fail)))
                index = body.index(after: close)
            case "*": throw fail("may use '*' only on its own, meaning any number")
            default: throw fail("contains \(FieldRules.quoted(String(character))); use digits, + # X Z N . ! and [sets]")
            }
        }
        guard !elements.isEmpty else { throw fail("is empty") }
        return elements
    }

    private static func parseSet(_ set: Substring, fail: (String) -> FaxValidationError) throws -> UInt16 {
        let digits = Array(set)
        guard !digits.isEmpty else { throw fail("has an empty set []") }
        var mask: UInt16 = 0
        var position = 0
        while position < digits.count {
            guard let low = digits[position].wholeNumberValue, digits[position].isASCII else {
                throw fail("may have only digits and ranges like 1-5 in [sets]")
            }
            if position + 2 < digits.count, digits[position + 1] == "-" {
                guard let high = digits[position + 2].wholeNumberValue, digits[position + 2].isASCII, low <= high else {
                    throw fail("has a bad range in [\(set)]")
                }
                for digit in low...high { mask |= 1 << digit }
                position += 3
            } else {
                mask |= 1 << low
                position += 1
            }
        }
        return mask
    }

    public func matches(_ number: String) -> Bool {
        let characters = Array(number)
        // matchesFrom[e][c]: elements[e...] match characters[c...]. Filled from the end, so a
        // pattern with several wildcards costs elements × characters steps, never backtracking.
        var next = [Bool](repeating: false, count: characters.count + 1)
        next[characters.count] = true
        for element in elements.reversed() {
            var current = [Bool](repeating: false, count: characters.count + 1)
            for position in stride(from: characters.count, through: 0, by: -1) {
                let atEnd = position == characters.count
                switch element {
                case .literal(let expected):
                    current[position] = !atEnd && characters[position] == expected && next[position + 1]
                case .digitSet(let mask):
                    if !atEnd, characters[position].isASCII, let digit = characters[position].wholeNumberValue {
                        current[position] = mask & (1 << digit) != 0 && next[position + 1]
                    }
                case .zeroOrMore:
                    current[position] = next[position] || (!atEnd && current[position + 1])
                case .oneOrMore:
                    // One character, then what `!` would match from there.
                    current[position] = !atEnd && (next[position + 1] || current[position + 1])
                }
            }
            next = current
        }
        return next[0]
    }
}
