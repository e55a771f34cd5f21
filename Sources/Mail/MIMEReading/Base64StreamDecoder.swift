/// Base64 (RFC 4648, as used by MIME and SASL) decoded piece by piece: line breaks and spaces are
/// skipped, anything else outside the alphabet is an error, and an unfinished group at the end
/// is reported as truncation rather than silently dropped.
public struct Base64StreamDecoder: Sendable {
    public enum DecodingError: Error, Sendable, Hashable {
        /// A byte that is not base64 (position counts from the start of the encoded text).
        case invalidCharacter(UInt8, position: Int)
        /// The text stopped inside a 4-character group.
        case truncated
    }

    private var quantum: UInt32 = 0
    private var quantumCount = 0
    /// `=` seen in the current group: only more `=` may follow until the group is full.
    private var paddingCount = 0
    private var position = 0

    public init() {}

    /// Decodes `bytes`, appending the result to `output`.
    public mutating func decode(_ bytes: some Sequence<UInt8>, into output: inout [UInt8]) throws(DecodingError) {
        for byte in bytes {
            defer { position += 1 }
            let value = Self.values[Int(byte)]
            if value == Self.skip { continue }
            if value == Self.pad {
                guard quantumCount >= 2 else { throw .invalidCharacter(byte, position: position) }
                paddingCount += 1
                quantumCount += 1
                quantum <<= 6
            } else if value == Self.invalid || paddingCount > 0 {
                throw .invalidCharacter(byte, position: position)
            } else {
                quantum = quantum << 6 | UInt32(value)
                quantumCount += 1
            }
            if quantumCount == 4 {
                let bytesInGroup = 3 - paddingCount
                output.append(UInt8(truncatingIfNeeded: quantum >> 16))
                if bytesInGroup > 1 { output.append(UInt8(truncatingIfNeeded: quantum >> 8)) }
                if bytesInGroup > 2 { output.append(UInt8(truncatingIfNeeded: quantum)) }
                quantum = 0
                quantumCount = 0
                paddingCount = 0
            }
        }
    }

    /// Ends the text; throws if it stopped inside a group.
    public func finish() throws(DecodingError) {
        if quantumCount != 0 { throw .truncated }
    }

    /// Decodes a whole short text (a SASL response); `nil` if it is not valid base64.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var decoder = Base64StreamDecoder()
        var output: [UInt8] = []
        do {
            try decoder.decode(text.utf8, into: &output)
            try decoder.finish()
        } catch {
            return nil
        }
        return output
    }

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            output.append(second == nil ? UInt8(ascii: "=") : alphabet[Int(group >> 6 & 0x3F)])
            output.append(third == nil ? UInt8(ascii: "=") : alphabet[Int(group & 0x3F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let invalid: UInt8 = 0xFF
    private static let skip: UInt8 = 0xFE
    private static let pad: UInt8 = 0xFD

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        for byte in [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")] {
            table[Int(byte)] = skip
        }
        table[Int(UInt8(ascii: "="))] = pad
        return table
    }()
}
