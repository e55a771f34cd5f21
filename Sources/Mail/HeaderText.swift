import Foundation

/// Turns caller text into header-safe text: rejects line breaks and controls, encodes non-ASCII
/// as RFC 2047 encoded-words and folds long lines.
public enum HeaderText {
    /// Longest line we produce where a fold is possible (RFC 5322 2.1.1 recommends 78).
    static let foldWidth = 78
    /// An encoded-word may be at most 75 characters long (RFC 2047 2).
    static let maximumEncodedWordLength = 75

    /// Rejects CR, LF and other control characters (tab is allowed) in a caller-supplied value.
    public static func validate(_ value: String, header: String) throws(MailError) {
        for scalar in value.unicodeScalars {
            if scalar == "\r" || scalar == "\n" {
                throw .invalidHeader(name: header, reason: "contains a line break")
            }
            if scalar != "\t" && (scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)) {
                throw .invalidHeader(name: header, reason: "contains control character U+\(String(scalar.value, radix: 16, uppercase: true))")
            }
            if scalar == "\u{2028}" || scalar == "\u{2029}" {
                throw .invalidHeader(name: header, reason: "contains a Unicode line separator")
            }
        }
    }

    /// Replaces every control character and line break with a space: for text from outside
    /// (a remote fax station id, a caller name) that should be shown, not refused.
    public static func sanitized(_ value: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            let isControl = scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}"
            result.append(isControl ? " " : scalar)
        }
        return String(result).trimmingCharacters(in: .whitespaces)
    }

    /// Unstructured header text (RFC 5322 `unstructured`): words with non-ASCII characters, or
    /// that look like encoded-words, become RFC 2047 B encoded-words; the rest stays readable.
    public static func unstructured(_ value: String) -> String {
        let words = value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        var output: [String] = []
        var pending: [String] = []
        func flush() {
            if !pending.isEmpty {
                output.append(encodedWords(pending.joined(separator: " ")))
                pending.removeAll()
            }
        }
        for word in words {
            if needsEncoding(word) {
                pending.append(word)
            } else if !pending.isEmpty && word.isEmpty {
                // Keep runs of spaces inside an encoded group so they survive decoding.
                pending.append(word)
            } else {
                flush()
                output.append(word)
            }
        }
        flush()
        return output.joined(separator: " ")
    }

    /// A display name as an RFC 5322 `phrase`: atoms as they are, other ASCII as a quoted
    /// string, anything non-ASCII as encoded-words.
    public static func phrase(_ value: String) -> String {
        if value.unicodeScalars.contains(where: { !$0.isASCII }) || value.contains("=?") {
            return encodedWords(value)
        }
        let atext = Set("!#$%&'*+-/=?^_`{|}~ ".utf8)
        let isPlain = value.utf8.allSatisfy { byte in
            atext.contains(byte) || (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        if isPlain && !value.hasPrefix(" ") && !value.hasSuffix(" ") && !value.isEmpty { return value }
        var quoted = "\""
        for character in value {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        quoted.append("\"")
        return quoted
    }

    /// `value` as one or more `=?UTF-8?B?…?=` words separated by spaces, each at most 75
    /// characters and never splitting a character's UTF-8 bytes.
    public static func encodedWords(_ value: String) -> String {
        let prefix = "=?UTF-8?B?", suffix = "?="
        // Base64 turns 3 bytes into 4 characters; keep whole 3-byte groups per word.
        let maximumBytes = (maximumEncodedWordLength - prefix.count - suffix.count) / 4 * 3
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in value {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > maximumBytes {
                words.append(prefix + Data(chunk).base64EncodedString() + suffix)
                chunk.removeAll()
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty || words.isEmpty {
            words.append(prefix + Data(chunk).base64EncodedString() + suffix)
        }
        return words.joined(separator: " ")
    }

    /// `Name: value` folded before spaces so lines stay within 78 characters where the value
    /// allows it, ending with CRLF. The value must already be header-safe.
    static func line(name: String, value: String) -> String {
        var result = ""
        var current = name + ":"
        var pieces = value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        // The first piece follows the colon after one space.
        if pieces.isEmpty { pieces = [""] }
        current += " " + pieces.removeFirst()
        for piece in pieces {
            if current.utf8.count + 1 + piece.utf8.count > foldWidth && !current.allSatisfy({ $0 == " " }) {
                result += current + "\r\n"
                current = " " + piece
            } else {
                current += " " + piece
            }
        }
        result += current + "\r\n"
        return result
    }

    private static func needsEncoding(_ word: String) -> Bool {
        word.unicodeScalars.contains(where: { !$0.isASCII }) || word.contains("=?") || word.contains("\t")
    }
}
