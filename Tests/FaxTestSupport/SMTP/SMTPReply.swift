/// A server reply: a three-digit code and one or more text lines.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var lines: [String]

    public init(_ code: Int, _ lines: String...) {
        self.code = code
        self.lines = lines.isEmpty ? [""] : lines
    }

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines.isEmpty ? [""] : lines
    }

    /// `250-first\r\n250 last\r\n`.
    public var encoded: [UInt8] {
        var text = ""
        for (index, line) in lines.enumerated() {
            text += "\(code)\(index == lines.count - 1 ? " " : "-")\(line)\r\n"
        }
        return Array(text.utf8)
    }

    public var description: String { lines.map { "\(code) \($0)" }.joined(separator: " / ") }
}
