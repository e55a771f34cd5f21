import FaxTestSupport
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import Telephony

/// Helpers shared by the AGI and AudioSocket tests (prefixed so they cannot collide with others).
enum AGITestSupport {
    /// Every way to cut `bytes` into two chunks, plus byte by byte, plus all at once.
    static func chunkings(of bytes: [UInt8]) -> [[[UInt8]]] {
        Chunkings.of(bytes)
    }

    /// Runs `decoder` over `chunks` the way ByteToMessageHandler does.
    static func decode<Decoder: NIOSingleStepByteToMessageDecoder>(
        _ decoder: Decoder, chunks: [[UInt8]]
    ) throws -> [Decoder.InboundOut] {
        try Chunkings.decode(decoder, chunks: chunks)
    }

    static func recordingLogger(_ label: String = "test") -> (Logger, LogRecorder) {
        let recorder = LogRecorder()
        return (recorder.logger(label: label), recorder)
    }

    /// A client bootstrap whose connections come from `source` (another loopback address, e.g.
    /// 127.0.0.2, plays another machine) when given.
    static func bootstrap(from source: String?) throws -> ClientBootstrap {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        guard let source else { return bootstrap }
        return bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0))
    }

    /// Connects to 127.0.0.1:`port` as a line-based client (Asterisk's side of AGI).
    static func connectLines(port: Int, from source: String? = nil) async throws -> NIOAsyncChannel<String, ByteBuffer> {
        try await bootstrap(from: source)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AGILineDecoder()))
                    return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Connects to 127.0.0.1:`port` as a frame-based client (Asterisk's side of AudioSocket).
    static func connectFrames(port: Int, from source: String? = nil) async throws -> NIOAsyncChannel<AudioSocketFrame, ByteBuffer> {
        try await bootstrap(from: source)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AudioSocketFrameDecoder()))
                    return try NIOAsyncChannel<AudioSocketFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Waits until `condition` holds, checking every few milliseconds, a bounded number of times.
    static func eventually(_ condition: @Sendable () async -> Bool) async throws -> Bool {
        try await FaxTestSupport.eventually(every: .milliseconds(5), condition)
    }
}
