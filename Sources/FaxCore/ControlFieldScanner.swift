/// Finds the control fields of a printed fax in its text: `@@+NAME:VALUE@@`, as pascom's fax
/// printer writes them (`@@+FAX:555 0100@@`, `@@+PRIO:high@@`).
///
/// Pure code on UTF-8 bytes, fed in pieces of any size: the same fields come out however the
/// text is cut. A field may hold spaces and line breaks (a word processor wraps long lines),
/// but at most `maximumFieldLength` bytes from `@@+` to `@@`; a longer one is plain text. At
/// most `maximumFields` fields are found; more are an error, not silently dropped.
public struct ControlFieldScanner: Sendable {
    /// One field: its name in capitals, its value without the spaces around it, and where it
    /// stands in the text (byte offsets from the start, `@@+` to the closing `@@` included).
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
        public var range: Range<Int>

        public init(name: String, value: String, range: Range<Int>) {
            self.name = name
            self.value = value
            self.range = range
        }
    }

    public enum ScanError: Error, Equatable, CustomStringConvertible {
        case tooManyFields(limit: Int)

        public var description: String {
            switch self {
            case .tooManyFields(let limit): "the document holds more than \(limit) control fields (@@+…@@)"
            }
        }
    }

    public static let maximumFieldLength = 256
    public static let maximumNameLength = 16
    public static let maximumFields = 200

    private enum State: Sendable {
        case text
        /// One `@` seen at `start`.
        case oneAt(start: Int)
        /// `@@` seen, the first at `start`.
        case twoAts(start: Int)
        /// Inside a field that began at `start`; `closing` after a single `@` that may start `@@`.
        case field(start: Int, closing: Bool)
    }

    private var state = State.text
    private var offset = 0
    private var content: [UInt8] = []
    public private(set) var fields: [Field] = []
    private var overflow = false

    public init() {}

    /// Scans the next piece of the text.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(ScanError) {
        for byte in bytes {
            step(byte)
            offset += 1
            if overflow { throw .tooManyFields(limit: Self.maximumFields) }
        }
    }

    /// The fields of a whole text.
    public static func fields(in text: String) throws(ScanError) -> [Field] {
        var scanner = ControlFieldScanner()
        try scanner.feed(text.utf8)
        return scanner.fields
    }

    private mutating func step(_ byte: UInt8) {
        let at = UInt8(ascii: "@")
        switch state {
        case .text:
            if byte == at { state = .oneAt(start: offset) }
        case .oneAt(let start):
            state = byte == at ? .twoAts(start: start) : .text
        case .twoAts(let start):
            if byte == UInt8(ascii: "+") {
                content.removeAll(keepingCapacity: true)
                state = .field(start: start, closing: false)
            } else if byte == at {
                // `@@@`: the field, if any, starts at the last two.
                state = .twoAts(start: start + 1)
            } else {
                state = .text
            }
        case .field(let start, let closing):
            if closing && byte == at {
                finishField(start: start)
                state = .text
                return
            }
            if closing { content.append(at) }
            if byte == at {
                state = .field(start: start, closing: true)
            } else {
                content.append(byte)
                state = .field(start: start, closing: false)
            }
            // `@@+` plus what is held so far, plus the closing `@@`.
            if 3 + content.count + (closing ? 1 : 0) + 2 > Self.maximumFieldLength {
                // Not a field: plain text, which may itself hold the start of the next one.
                state = byte == at ? .oneAt(start: offset) : .text
            }
        }
    }

    private mutating func finishField(start: Int) {
        guard let colon = content.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: content[..<colon], as: UTF8.self).trimmingSpaces().uppercased()
        guard !name.isEmpty, name.count <= Self.maximumNameLength, name.allSatisfy({ $0.isASCII && $0.isLetter }) else { return }
        let value = String(decoding: content[(colon + 1)...], as: UTF8.self).trimmingSpaces()
        guard fields.count < Self.maximumFields else {
            overflow = true
            return
        }
        fields.append(Field(name: name, value: value, range: start..<(offset + 1)))
    }
}

extension String {
    /// Without spaces and line breaks at either end (no Foundation in FaxCore).
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
