import Foundation
import NIOCore
import Testing

@testable import Telephony

@Suite("AudioSocket wire format")
struct AudioSocketWireTests {
    static let uuid = UUID(uuidString: "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0")!

    static func samples(_ count: Int, seed: UInt8 = 0) -> ByteBuffer {
        ByteBuffer(bytes: (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) })
    }

    static let frames: [AudioSocketFrame] = [
        .uuid(uuid),
        .audio(samples(320)),
        .dtmf(UInt8(ascii: "5")),
        .audio(samples(640, seed: 3), sampleRate: .hz16000),
        .audio(samples(0)),
        .error(code: 1),
        .error(code: nil),
        .hangup,
    ]

    @Test func encodesHeaderAndPayloadInOneBuffer() {
        let frame = AudioSocketFrame.audio(Self.samples(320))
        let bytes = Array(frame.encoded().readableBytesView)
        #expect(bytes.count == 323)
        #expect(Array(bytes[0..<3]) == [0x10, 0x01, 0x40])
        #expect(Array(bytes[3...]) == Array(Self.samples(320).readableBytesView))
        #expect(Array(AudioSocketFrame.uuid(Self.uuid).encoded().readableBytesView) == [0x01, 0x00, 0x10,
            0x0F, 0x1E, 0x2D, 0x3C, 0x4B, 0x5A, 0x69, 0x78, 0x87, 0x96, 0xA5, 0xB4, 0xC3, 0xD2, 0xE1, 0xF0])
        #expect(Array(AudioSocketFrame.hangup.encoded().readableBytesView) == [0x00, 0x00, 0x00])
        #expect(Array(AudioSocketFrame.dtmf(UInt8(ascii: "#")).encoded().readableBytesView) == [0x03, 0x00, 0x01, 0x23])
        #expect(Array(AudioSocketFrame.error(code: 4).encoded().readableBytesView) == [0xFF, 0x00, 0x01, 0x04])
        #expect(AudioSocketFrame.audio(Self.samples(2), sampleRate: .hz48000).kind == 0x16)
    }

    @Test func decodesOnEveryChunking() throws {
        var stream = ByteBuffer()
        for frame in Self.frames { frame.encode(into: &stream) }
        let bytes = Array(stream.readableBytesView)
        for chunks in AGITestSupport.chunkings(of: bytes) {
            let decoded = try AGITestSupport.decode(AudioSocketFrameDecoder(), chunks: chunks)
            #expect(decoded == Self.frames)
        }
    }

    @Test func everySampleRateRoundTrips() throws {
        for rate in AudioSocketSampleRate.allCases {
            let frame = AudioSocketFrame.audio(Self.samples(rate.hertz / 50 * 2 % 4096), sampleRate: rate)
            #expect(try AGITestSupport.decode(AudioSocketFrameDecoder(), chunks: [Array(frame.encoded().readableBytesView)]) == [frame])
        }
        #expect(AudioSocketSampleRate.hz44100.hertz == 44100)
    }

    @Test func payloadLimitIsCheckedAsSoonAsTheHeaderIsComplete() throws {
        var decoder = AudioSocketFrameDecoder(maximumPayloadLength: 4096)
        var header = ByteBuffer(bytes: [0x10, 0x10, 0x02])  // 4098 bytes announced, none sent
        #expect(throws: AudioSocketProtocolError.payloadTooLong(length: 4098, limit: 4096)) {
            try decoder.decode(buffer: &header)
        }
        let atLimit = AudioSocketFrame.audio(Self.samples(4096))
        #expect(try AGITestSupport.decode(decoder, chunks: [Array(atLimit.encoded().readableBytesView)]) == [atLimit])
        var small = AudioSocketFrameDecoder(maximumPayloadLength: 320)
        var big = AudioSocketFrame.audio(Self.samples(322)).encoded()
        #expect(throws: AudioSocketProtocolError.payloadTooLong(length: 322, limit: 320)) { try small.decode(buffer: &big) }
    }

    @Test(arguments: [
        ([0x02, 0x00, 0x00], AudioSocketProtocolError.unknownKind(0x02)),
        ([0x19, 0x00, 0x00], AudioSocketProtocolError.unknownKind(0x19)),
        ([0x00, 0x00, 0x01, 0x00], AudioSocketProtocolError.invalidPayloadLength(kind: 0x00, length: 1)),
        ([0x01, 0x00, 0x0F] + [UInt8](repeating: 1, count: 15), AudioSocketProtocolError.invalidPayloadLength(kind: 0x01, length: 15)),
        ([0x03, 0x00, 0x02, 0x31, 0x32], AudioSocketProtocolError.invalidPayloadLength(kind: 0x03, length: 2)),
        ([0x03, 0x00, 0x01, 0x00], AudioSocketProtocolError.invalidDTMF(0x00)),
        ([0x10, 0x00, 0x03, 0x00, 0x00, 0x00], AudioSocketProtocolError.invalidPayloadLength(kind: 0x10, length: 3)),
        ([0xFF, 0x00, 0x02, 0x01, 0x02], AudioSocketProtocolError.invalidPayloadLength(kind: 0xFF, length: 2)),
        ([0x10, 0x00, 0x04, 0x00], AudioSocketProtocolError.truncatedFrame),
        ([0x10], AudioSocketProtocolError.truncatedFrame),
    ] as [([UInt8], AudioSocketProtocolError)])
    func malformedFramesAreRejected(bytes: [UInt8], error: AudioSocketProtocolError) throws {
        for chunks in AGITestSupport.chunkings(of: bytes) {
            #expect(throws: error) { try AGITestSupport.decode(AudioSocketFrameDecoder(), chunks: chunks) }
        }
    }

    @Test func partialFrameWaitsForMoreBytes() throws {
        var decoder = AudioSocketFrameDecoder()
        var buffer = ByteBuffer(bytes: [0x10, 0x00, 0x04, 0x01, 0x02])
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readableBytes == 5)
        buffer.writeBytes([0x03, 0x04])
        #expect(try decoder.decode(buffer: &buffer) == .audio(ByteBuffer(bytes: [1, 2, 3, 4])))
        #expect(buffer.readableBytes == 0)
    }
}
