import Foundation
import NIOCore

/// One AudioSocket message: kind (1 byte), payload length (2 bytes, big endian), payload.
public enum AudioSocketFrame: Sendable, Hashable {
    /// Kind 0x00, no payload: hang up (either direction).
    case hangup
    /// Kind 0x01, 16 bytes: the call's UUID, the first message from Asterisk.
    case uuid(UUID)
    /// Kind 0x03, 1 byte: a DTMF digit as ASCII.
    case dtmf(UInt8)
    /// Kinds 0x10–0x18: signed linear 16-bit little-endian mono samples at `sampleRate`.
    /// Asterisk's AudioSocket application sends 8 kHz: 320 bytes every 20 ms.
    case audio(ByteBuffer, sampleRate: AudioSocketSampleRate = .hz8000)
    /// Kind 0xff: an error on Asterisk's side, with its code when one was sent.
    case error(code: UInt8?)

    /// The kind byte of the header.
    public var kind: UInt8 {
        switch self {
        case .hangup: return 0x00
        case .uuid: return 0x01
        case .dtmf: return 0x03
        case .audio(_, let sampleRate): return sampleRate.rawValue
        case .error: return 0xFF
        }
    }

    /// The length of the payload in bytes.
    public var payloadLength: Int {
        switch self {
        case .hangup: return 0
        case .uuid: return 16
        case .dtmf: return 1
        case .audio(let samples, _): return samples.readableBytes
        case .error(let code): return code == nil ? 0 : 1
        }
    }

    /// Header and payload in one buffer, so that the frame goes out in one write: Asterisk gives
    /// up on a frame whose payload does not follow its header within a few milliseconds.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }

    /// Appends header and payload to `buffer`.
    public func encode(into buffer: inout ByteBuffer) {
        let length = payloadLength
        precondition(length <= Int(UInt16.max), "AudioSocket payload longer than 65535 bytes")
        buffer.reserveCapacity(minimumWritableBytes: 3 + length)
        buffer.writeInteger(kind)
        buffer.writeInteger(UInt16(length), endianness: .big)
        switch self {
        case .hangup:
            break
        case .uuid(let uuid):
            _ = withUnsafeBytes(of: uuid.uuid) { buffer.writeBytes($0) }
        case .dtmf(let digit):
            buffer.writeInteger(digit)
        case .audio(let samples, _):
            buffer.writeImmutableBuffer(samples)
        case .error(let code):
            if let code { buffer.writeInteger(code) }
        }
    }
}

/// The sample rates AudioSocket can carry, as their kind bytes.
public enum AudioSocketSampleRate: UInt8, Sendable, Hashable, CaseIterable {
    case hz8000 = 0x10
    case hz12000 = 0x11
    case hz16000 = 0x12
    case hz24000 = 0x13
    case hz32000 = 0x14
    case hz44100 = 0x15
    case hz48000 = 0x16
    case hz96000 = 0x17
    case hz192000 = 0x18

    public var hertz: Int {
        switch self {
        case .hz8000: return 8000
        case .hz12000: return 12000
        case .hz16000: return 16000
        case .hz24000: return 24000
        case .hz32000: return 32000
        case .hz44100: return 44100
        case .hz48000: return 48000
        case .hz96000: return 96000
        case .hz192000: return 192_000
        }
    }
}
