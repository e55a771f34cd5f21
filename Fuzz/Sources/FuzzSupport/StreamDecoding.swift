import NIOCore
import NIOEmbedded

/// What a stream decoder made of one input: its messages, and the error that ended the
/// stream, if any (after an error a `ByteToMessageHandler` reads nothing more).
public struct StreamDecoding<Message: Equatable>: CustomStringConvertible {
    public var messages: [Message] = []
    public var error: (any Error)?

    public var description: String {
        "\(messages.count) messages, " + (error.map { "error \(String(reflecting: $0))" } ?? "no error")
    }

    /// Runs `decoder` the way the servers do — in a `ByteToMessageHandler` on a channel — on
    /// `chunks` as separate reads, then ends the stream: half-closed first when `closesInput`,
    /// then closed. Leftover bytes at the close are an error, as on a real channel.
    public static func run<Decoder: NIOSingleStepByteToMessageDecoder>(
        _ decoder: Decoder, chunks: [ArraySlice<UInt8>], closesInput: Bool
    ) -> StreamDecoding where Decoder.InboundOut == Message {
        let channel = EmbeddedChannel()
        var result = StreamDecoding()
        do {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(decoder))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            for chunk in chunks where !chunk.isEmpty {
                try channel.writeInbound(channel.allocator.buffer(bytes: chunk))
                result.drain(channel)
            }
            if closesInput {
                channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
                try channel.throwIfErrorCaught()
                result.drain(channel)
            }
            channel.pipeline.fireChannelInactive()
            try channel.throwIfErrorCaught()
            result.drain(channel)
        } catch {
            result.drain(channel)
            result.error = error
        }
        _ = try? channel.finish(acceptAlreadyClosed: true)
        return result
    }

    /// Decodes `input` in one read and split in two as its control bytes say, and checks that
    /// the split changes nothing: the same messages, and an error in both runs or in neither.
    /// Returns the split run.
    public static func runCheckingSplit<Decoder: NIOSingleStepByteToMessageDecoder>(
        _ makeDecoder: () -> Decoder, input: FuzzInput
    ) -> StreamDecoding where Decoder.InboundOut == Message {
        let whole = run(makeDecoder(), chunks: [input.data[...]], closesInput: input.closesInput)
        let split = run(makeDecoder(), chunks: input.chunks, closesInput: input.closesInput)
        fuzzCheck(
            (whole.error == nil) == (split.error == nil),
            "split at \(input.splitPoint) of \(input.data.count) changed the outcome: \(whole) vs \(split)")
        if whole.error == nil {
            fuzzCheck(whole.messages == split.messages, "split at \(input.splitPoint) changed the messages")
        } else {
            // An error may come at another byte when the data arrive otherwise; what was decoded
            // before it must agree.
            let common = min(whole.messages.count, split.messages.count)
            fuzzCheck(
                whole.messages.prefix(common) == split.messages.prefix(common),
                "split at \(input.splitPoint) changed the messages before the error")
        }
        return split
    }

    private mutating func drain(_ channel: EmbeddedChannel) {
        while let message = try? channel.readInbound(as: Message.self) {
            messages.append(message)
        }
    }
}
