import NIOCore

/// Feeding a parser its input in every way the network could cut it.
public enum Chunkings {
    /// Every way to cut `bytes` into two chunks, plus byte by byte, plus all at once.
    public static func of(_ bytes: [UInt8]) -> [[[UInt8]]] {
        var result: [[[UInt8]]] = [[bytes], bytes.map { [$0] }]
        for split in 1..<max(bytes.count, 1) {
            result.append([Array(bytes[..<split]), Array(bytes[split...])])
        }
        return result
    }

    /// Runs `decoder` over `chunks` the way ByteToMessageHandler does: one growing buffer that is
    /// compacted now and then, decode until it wants more, then decodeLast at the end.
    public static func decode<Decoder: NIOSingleStepByteToMessageDecoder>(
        _ decoder: Decoder, chunks: [[UInt8]]
    ) throws -> [Decoder.InboundOut] {
        var decoder = decoder
        var buffer = ByteBuffer()
        var output: [Decoder.InboundOut] = []
        for (position, chunk) in chunks.enumerated() {
            buffer.writeBytes(chunk)
            while let message = try decoder.decode(buffer: &buffer) {
                output.append(message)
            }
            if position % 3 == 2 { buffer.discardReadBytes() }
        }
        while let message = try decoder.decodeLast(buffer: &buffer, seenEOF: true) {
            output.append(message)
        }
        return output
    }
}
