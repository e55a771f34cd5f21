import Foundation
import NIOCore

/// Reads ``AudioSocketFrame``s from a byte stream, with a limit on the payload length.
///
/// Pure and incremental: a frame is returned once all its bytes are there; partial frames stay in
/// the buffer. An oversized or unknown header is rejected as soon as the header is complete.
public struct AudioSocketFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = AudioSocketFrame

    public static let headerLength = 3

    /// The longest payload accepted. Asterisk sends 320 bytes of 8 kHz audio per frame.
    public let maximumPayloadLength: Int

    public init(maximumPayloadLength: Int = 4096) {
        precondition((0...Int(UInt16.max)).contains(maximumPayloadLength), "maximumPayloadLength out of range")
        self.maximumPayloadLength = maximumPayloadLength
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> AudioSocketFrame? {
        guard let kind = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 1, endianness: .big, as: UInt16.self)
        else {
            return nil
        }
        let payloadLength = Int(length)
        try Self.validateHeader(kind: kind, payloadLength: payloadLength, limit: maximumPayloadLength)
        guard buffer.readableBytes >= Self.headerLength + payloadLength else {
            return nil
        }
        buffer.moveReaderIndex(forwardBy: Self.headerLength)
        var payload = buffer.readSlice(length: payloadLength)!
        return try Self.frame(kind: kind, payload: &payload)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> AudioSocketFrame? {
        if let frame = try decode(buffer: &buffer) {
            return frame
        }
        if seenEOF, buffer.readableBytes > 0 {
            throw AudioSocketProtocolError.truncatedFrame
        }
        return nil
    }

    private static func validateHeader(kind: UInt8, payloadLength: Int, limit: Int) throws {
        guard payloadLength <= limit else {
            throw AudioSocketProtocolError.payloadTooLong(length: payloadLength, limit: limit)
        }
        let isValidLength: Bool
        switch kind {
        case 0x00: isValidLength = payloadLength == 0
        case 0x01: isValidLength = payloadLength == 16
        case 0x03: isValidLength = payloadLength == 1
        case 0xFF: isValidLength = payloadLength <= 1
        default:
            guard AudioSocketSampleRate(rawValue: kind) != nil else {
                throw AudioSocketProtocolError.unknownKind(kind)
            }
            isValidLength = payloadLength % 2 == 0
        }
        guard isValidLength else {
            throw AudioSocketProtocolError.invalidPayloadLength(kind: kind, length: payloadLength)
        }
    }

    private static func frame(kind: UInt8, payload: inout ByteBuffer) throws -> AudioSocketFrame {
        switch kind {
        case 0x00:
            return .hangup
        case 0x01:
            let bytes = payload.readBytes(length: 16)!
            return .uuid(
                UUID(
                    uuid: (
                        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                        bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                    )))
        case 0x03:
            let digit = payload.readInteger(as: UInt8.self)!
            guard (0x21..<0x7F).contains(digit) else {
                throw AudioSocketProtocolError.invalidDTMF(digit)
            }
            return .dtmf(digit)
        case 0xFF:
            return .error(code: payload.readInteger(as: UInt8.self))
        default:
            return .audio(payload, sampleRate: AudioSocketSampleRate(rawValue: kind)!)
        }
    }
}
