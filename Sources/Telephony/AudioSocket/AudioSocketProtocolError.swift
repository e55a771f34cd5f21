/// Bad input on an AudioSocket connection.
public enum AudioSocketProtocolError: Error, Hashable, CustomStringConvertible {
    /// A header announced a payload longer than allowed.
    case payloadTooLong(length: Int, limit: Int)
    /// A kind byte that AudioSocket does not define.
    case unknownKind(UInt8)
    /// A payload whose length does not fit its kind (UUID not 16 bytes, odd audio length, …).
    case invalidPayloadLength(kind: UInt8, length: Int)
    /// A DTMF payload that is not a printable ASCII character.
    case invalidDTMF(UInt8)
    /// The stream ended inside a frame.
    case truncatedFrame

    public var description: String {
        switch self {
        case .payloadTooLong(let length, let limit):
            return "AudioSocket payload of \(length) bytes exceeds the limit of \(limit)"
        case .unknownKind(let kind):
            return "unknown AudioSocket frame kind 0x\(String(kind, radix: 16))"
        case .invalidPayloadLength(let kind, let length):
            return "AudioSocket frame kind 0x\(String(kind, radix: 16)) cannot have a \(length)-byte payload"
        case .invalidDTMF(let byte):
            return "AudioSocket DTMF byte 0x\(String(byte, radix: 16)) is not a printable character"
        case .truncatedFrame:
            return "AudioSocket stream ended inside a frame"
        }
    }
}
