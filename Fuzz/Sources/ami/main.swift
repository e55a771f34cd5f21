import FuzzSupport
import NIOCore
import Telephony

// The Asterisk manager's side of an AMI connection: `AMIDecoder` in a `ByteToMessageHandler`,
// as AMIClient's pipeline has it, then what the client reads of the messages.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAMI(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let limits =
        input.usesTinyLimits
        ? AMIDecoderLimits(
            maxLineLength: input.limit(1...64), maxFieldsPerMessage: input.limit(1...8, salt: 1),
            maxMessageBytes: input.limit(1...512, salt: 2))
        : AMIDecoderLimits()
    // Flag 2: a decoder that does not wait for the banner (the client always waits for it).
    let expectsBanner = !input.flag(2)
    let decoded = StreamDecoding<AMIFrame>.runCheckingSplit(
        { AMIDecoder(limits: limits, expectsBanner: expectsBanner) }, input: input)
    _ = decoded.error.map { String(describing: $0) }

    for (position, frame) in decoded.messages.enumerated() {
        switch frame {
        case .banner(let version):
            fuzzCheck(expectsBanner && position == 0, "a banner where none was expected")
            fuzzCheck(version.unicodeScalars.count <= limits.maxLineLength, "banner longer than the line limit")
        case .message(let message):
            fuzzCheck(!expectsBanner || position > 0, "a message before the banner")
            check(message, within: limits)
        }
    }
    return 0
}

private func check(_ message: AMIMessage, within limits: AMIDecoderLimits) {
    fuzzCheck(!message.fields.isEmpty, "a message without fields")
    fuzzCheck(message.fields.count <= limits.maxFieldsPerMessage, "more fields than the limit")
    // Each byte read becomes at most one scalar; a line is at least its key, colon and value.
    var bytes = 0
    for field in message.fields {
        let line = field.key.unicodeScalars.count + field.value.unicodeScalars.count + (field.key.isEmpty ? 0 : 1)
        fuzzCheck(line <= limits.maxLineLength, "a field longer than the line limit")
        bytes += line + 1
    }
    fuzzCheck(bytes <= limits.maxMessageBytes, "a message larger than the limit")

    // What the client reads of a message.
    _ = (message.kind, message.actionID, message.message, message.isSuccessResponse, message.description)
    _ = message.isEvent("OriginateResponse")
    _ = message.values(for: "Output")

    // A message the encoder accepts reads back the same.
    guard let encoded = try? AMIEncoder.encode(message) else { return }
    var buffer = encoded
    var decoder = AMIDecoder(expectsBanner: false)
    let reread = try? decoder.decode(buffer: &buffer)
    fuzzCheck(reread == .message(message), "\(message) reads back as \(String(describing: reread))")
}
