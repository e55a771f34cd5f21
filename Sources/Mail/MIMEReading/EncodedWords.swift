/// RFC 2047 encoded-words in header text (`=?UTF-8?B?…?=`, `=?iso-8859-1?Q?…?=`).
///
/// Adjacent encoded-words are joined before their charset is applied, so a character a client
/// split across two words (Outlook and Apple Mail do) comes out whole; whitespace between
/// encoded-words is dropped (RFC 2047 6.2). Anything malformed stays as written.
public enum EncodedWords {
    /// Longest encoded-word taken; RFC 2047 says 75, clients write longer.
    static let maximumWordLength = 2000

    public static func decode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count > 1, containsMarker(bytes) else { return text }
        var result = ""
        var pending: [UInt8] = []
        var pendingCharset: String?
        var literalStart = 0
        var lastWasWord = false
        var index = 0
        func flushPending() {
            if let charset = pendingCharset {
                result += MIMECharset.decodeLeniently(pending, charset: charset)
            }
            pending.removeAll()
            pendingCharset = nil
        }
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "="), let word = encodedWord(in: bytes, at: index) else {
                index += 1
                continue
            }
            let between = bytes[literalStart..<index]
            if !(lastWasWord && between.allSatisfy({ $0 == 0x20 || $0 == 0x09 })) {
                flushPending()
                result += String(decoding: between, as: UTF8.self)
            }
            if pendingCharset != word.charset { flushPending() }
            pendingCharset = word.charset
            pending += word.bytes
            lastWasWord = true
            index = word.end
            literalStart = word.end
        }
        flushPending()
        result += String(decoding: bytes[literalStart...], as: UTF8.self)
        return result
    }

    private static func containsMarker(_ bytes: [UInt8]) -> Bool {
        zip(bytes, bytes.dropFirst()).contains { $0 == UInt8(ascii: "=") && $1 == UInt8(ascii: "?") }
    }

    /// The encoded-word starting at `start` (`=?charset[*lang]?B|Q?text?=`), decoded to bytes.
    private static func encodedWord(in bytes: [UInt8], at start: Int) -> (charset: String, bytes: [UInt8], end: Int)? {
        guard start + 1 < bytes.count, bytes[start + 1] == UInt8(ascii: "?") else { return nil }
        let limit = min(bytes.count, start + maximumWordLength)
        var index = start + 2
        let charsetStart = index
        while index < limit, bytes[index] != UInt8(ascii: "?") {
            guard isTokenByte(bytes[index]) else { return nil }
            index += 1
        }
        guard index > charsetStart, index + 2 < limit, bytes[index + 2] == UInt8(ascii: "?") else { return nil }
        var charset = String(decoding: bytes[charsetStart..<index], as: UTF8.self)
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }  // RFC 2231 language
        let encoding = bytes[index + 1] | 0x20
        index += 3
        let textStart = index
        while index + 1 < limit, !(bytes[index] == UInt8(ascii: "?") && bytes[index + 1] == UInt8(ascii: "=")) {
            guard bytes[index] > 0x20, bytes[index] < 0x7F else { return nil }
            index += 1
        }
        guard index + 1 < limit else { return nil }
        let text = bytes[textStart..<index]
        let decoded: [UInt8]
        switch encoding {
        case UInt8(ascii: "b"):
            guard let value = Base64StreamDecoder.decode(String(decoding: text, as: UTF8.self)) else { return nil }
            decoded = value
        case UInt8(ascii: "q"):
            decoded = decodeQ(text)
        default:
            return nil
        }
        return (charset, decoded, index + 2)
    }

    /// Q encoding: `_` is a space, `=XX` a byte.
    private static func decodeQ(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "_") {
                output.append(0x20)
            } else if byte == UInt8(ascii: "="), index + 2 < text.endIndex,
                      let high = hexValue(text[index + 1]), let low = hexValue(text[index + 2]) {
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !"()<>@,;:\"/[]?=".utf8.contains(byte)
    }
}
