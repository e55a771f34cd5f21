import FuzzSupport
import NIOCore
import Telephony

// An AudioSocket connection: `AudioSocketFrameDecoder` in a `ByteToMessageHandler`, as
// AudioSocketServer's pipeline has it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAudioSocket(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let maximumPayloadLength = input.usesTinyLimits ? input.limit(0...64) : AudioSocketServer.Configuration().maximumPayloadLength
    let decoded = StreamDecoding<AudioSocketFrame>.runCheckingSplit(
        { AudioSocketFrameDecoder(maximumPayloadLength: maximumPayloadLength) }, input: input)
    _ = decoded.error.map { String(describing: $0) }

    var encoded = ByteBuffer()
    for frame in decoded.messages {
        fuzzCheck(frame.payloadLength <= maximumPayloadLength, "payload longer than the limit")
        switch frame {
        case .dtmf(let digit):
            fuzzCheck((0x21..<0x7F).contains(digit), "DTMF digit 0x\(String(digit, radix: 16)) is not printable")
        case .audio(let samples, _):
            fuzzCheck(samples.readableBytes % 2 == 0, "audio with half a sample")
        case .hangup, .uuid, .error:
            break
        }
        frame.encode(into: &encoded)
    }
    // Every frame re-encodes to the bytes it came from: all the input when the stream ended
    // cleanly, the part before the bad frame otherwise.
    let reencoded = Array(encoded.readableBytesView)
    if decoded.error == nil {
        fuzzCheck(reencoded == input.data, "the frames re-encode to other bytes than the input")
    } else {
        fuzzCheck(input.data.starts(with: reencoded), "the frames before the error re-encode to other bytes")
    }
    return 0
}
