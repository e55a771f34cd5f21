/// Quoted-printable body encoding (RFC 2045 6.7) for text parts that are not plain ASCII.
enum QuotedPrintable {
    static let maximumLineLength = 76

    /// Encodes text whose line breaks are already CRLF; line breaks stay hard breaks.
    static func encode(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count + text.count / 8)
        var lineStart = 0
        var index = 0
        while index <= text.count {
            let atBreak = index == text.count
                || (text[index] == 0x0D && index + 1 < text.count && text[index + 1] == 0x0A)
            if atBreak {
                encodeLine(text[lineStart..<index], into: &output)
                if index < text.count { output += [0x0D, 0x0A] }
                index += 2
                lineStart = index
            } else {
                index += 1
            }
        }
        return output
    }

    private static func encodeLine(_ line: ArraySlice<UInt8>, into output: inout [UInt8]) {
        var lineLength = 0
        for (offset, byte) in zip(line.indices, line) {
            let isLast = offset == line.index(before: line.endIndex)
            let isPrintable = (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "=")
            // Trailing white space must be encoded or a transport may strip it.
            let isSafeSpace = (byte == 0x20 || byte == 0x09) && !isLast
            let token: [UInt8] = isPrintable || isSafeSpace ? [byte] : escaped(byte)
            // Leave room for the soft break "=" at the end of a wrapped line.
            if lineLength + token.count > maximumLineLength - 1 {
                output += [UInt8(ascii: "="), 0x0D, 0x0A]
                lineLength = 0
            }
            output += token
            lineLength += token.count
        }
    }

    private static func escaped(_ byte: UInt8) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        return [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
    }
}
