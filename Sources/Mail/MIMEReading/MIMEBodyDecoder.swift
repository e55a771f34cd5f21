/// How a part's body is encoded for transport (RFC 2045 6).
public enum MIMETransferEncoding: Sendable, Hashable {
    case sevenBit
    case eightBit
    case binary
    case base64
    case quotedPrintable
    /// Something else (`x-uuencode`, …): passed on undecoded, and the part is treated as
    /// opaque data (RFC 2045 6.4).
    case other(String)

    init(headerValue: String?) {
        switch headerValue?.trimmingBlanks().lowercased() {
        case nil, "", "7bit": self = .sevenBit
        case "8bit": self = .eightBit
        case "binary": self = .binary
        case "base64": self = .base64
        case "quoted-printable": self = .quotedPrintable
        case let other?: self = .other(String(other.prefix(40)))
        }
    }
}

/// How a body line ended on the wire.
enum MIMELineEnding: Sendable {
    case crlf
    case lf

    var bytes: [UInt8] {
        switch self {
        case .crlf: return [0x0D, 0x0A]
        case .lf: return [0x0A]
        }
    }
}

/// Undoes a part's transfer encoding as its lines arrive: text pieces and line breaks in,
/// decoded bytes out.
struct MIMEBodyDecoder: Sendable {
    enum Failure: Error, Sendable, Hashable {
        case invalidBase64(position: Int)
        case truncatedBase64
    }

    private enum Kind: Sendable {
        case identity
        case base64(Base64StreamDecoder)
        case quotedPrintable(QuotedPrintableStreamDecoder)
    }

    private var kind: Kind

    init(_ encoding: MIMETransferEncoding) {
        switch encoding {
        case .base64: kind = .base64(Base64StreamDecoder())
        case .quotedPrintable: kind = .quotedPrintable(QuotedPrintableStreamDecoder())
        case .sevenBit, .eightBit, .binary, .other: kind = .identity
        }
    }

    mutating func content(_ bytes: some Collection<UInt8>, into output: inout [UInt8]) throws(Failure) {
        switch kind {
        case .identity:
            output.append(contentsOf: bytes)
        case .base64(var decoder):
            do throws(Base64StreamDecoder.DecodingError) {
                try decoder.decode(bytes, into: &output)
            } catch {
                switch error {
                case .invalidCharacter(_, let position): throw .invalidBase64(position: position)
                case .truncated: throw .truncatedBase64
                }
            }
            kind = .base64(decoder)
        case .quotedPrintable(var decoder):
            decoder.content(bytes, into: &output)
            kind = .quotedPrintable(decoder)
        }
    }

    mutating func lineBreak(_ ending: MIMELineEnding, into output: inout [UInt8]) {
        switch kind {
        case .identity:
            output += ending.bytes
        case .base64:
            break
        case .quotedPrintable(var decoder):
            decoder.lineBreak(into: &output)
            kind = .quotedPrintable(decoder)
        }
    }

    func finish(into output: inout [UInt8]) throws(Failure) {
        switch kind {
        case .identity:
            break
        case .base64(let decoder):
            do {
                try decoder.finish()
            } catch {
                throw .truncatedBase64
            }
        case .quotedPrintable(let decoder):
            decoder.finish(into: &output)
        }
    }
}

/// Quoted-printable (RFC 2045 6.7) decoded across any split: `=XX` bytes, `=` at a line's end
/// a soft break, white space at a line's end dropped, hard breaks as CRLF. Malformed `=`
/// sequences are kept as written (RFC 2045 6.7 note 1) rather than refused.
struct QuotedPrintableStreamDecoder: Sendable {
    private enum State: Sendable {
        case text
        case equals
        case equalsHex(UInt8)
        /// `=` followed by white space: a soft break if the line ends here.
        case equalsSpace
    }

    private var state = State.text
    /// White space that is content only if more text follows on the line.
    private var heldSpace: [UInt8] = []
    static let maximumHeldSpace = 1000

    mutating func content(_ bytes: some Collection<UInt8>, into output: inout [UInt8]) {
        for byte in bytes {
            consume(byte, into: &output)
        }
    }

    private mutating func consume(_ byte: UInt8, into output: inout [UInt8]) {
        let isSpace = byte == 0x20 || byte == 0x09
        switch state {
        case .text:
            if byte == UInt8(ascii: "=") {
                releaseSpace(into: &output)
                state = .equals
            } else if isSpace {
                heldSpace.append(byte)
                if heldSpace.count > Self.maximumHeldSpace { releaseSpace(into: &output) }
            } else {
                releaseSpace(into: &output)
                output.append(byte)
            }
        case .equals:
            if EncodedWords.hexValue(byte) != nil {
                state = .equalsHex(byte)
            } else if isSpace {
                heldSpace = [byte]
                state = .equalsSpace
            } else {
                output.append(UInt8(ascii: "="))
                state = .text
                consume(byte, into: &output)
            }
        case .equalsHex(let high):
            if let low = EncodedWords.hexValue(byte) {
                output.append(EncodedWords.hexValue(high)! << 4 | low)
                state = .text
            } else {
                output += [UInt8(ascii: "="), high]
                state = .text
                consume(byte, into: &output)
            }
        case .equalsSpace:
            if isSpace, heldSpace.count < Self.maximumHeldSpace {
                heldSpace.append(byte)
            } else {
                output.append(UInt8(ascii: "="))
                state = .text
                consume(byte, into: &output)
            }
        }
    }

    private mutating func releaseSpace(into output: inout [UInt8]) {
        output += heldSpace
        heldSpace.removeAll(keepingCapacity: true)
    }

    mutating func lineBreak(into output: inout [UInt8]) {
        switch state {
        case .equals, .equalsSpace:
            break  // soft line break
        case .equalsHex(let high):
            output += [UInt8(ascii: "="), high, 0x0D, 0x0A]
        case .text:
            output += [0x0D, 0x0A]
        }
        heldSpace.removeAll(keepingCapacity: true)
        state = .text
    }

    func finish(into output: inout [UInt8]) {
        if case .equalsHex(let high) = state { output += [UInt8(ascii: "="), high] }
    }
}
