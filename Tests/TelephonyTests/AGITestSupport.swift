import FaxTestSupport
import Logging
import NIOConcurrencyHelpers
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

    static func recordingLogger(_ label: String = "test") -> (Logger, AGITestLogRecorder) {
        let recorder = AGITestLogRecorder()
        var logger = Logger(label: label) { _ in AGITestLogHandler(recorder: recorder) }
        logger.logLevel = .debug
        return (logger, recorder)
    }

    /// Connects to 127.0.0.1:`port` as a line-based client (Asterisk's side of AGI).
    static func connectLines(port: Int) async throws -> NIOAsyncChannel<String, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AGILineDecoder()))
                    return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Connects to 127.0.0.1:`port` as a frame-based client (Asterisk's side of AudioSocket).
    static func connectFrames(port: Int) async throws -> NIOAsyncChannel<AudioSocketFrame, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
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

final class AGITestLogRecorder: Sendable {
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let entries = NIOLockedValueBox<[Entry]>([])

    func record(_ entry: Entry) {
        entries.withLockedValue { $0.append(entry) }
    }

    var all: [Entry] { entries.withLockedValue { $0 } }

    func contains(level: Logger.Level, _ fragment: String) -> Bool {
        all.contains { $0.level == level && $0.message.contains(fragment) }
    }
}

struct AGITestLogHandler: LogHandler {
    let recorder: AGITestLogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        event.metadata?.forEach { merged[$0.key] = $0.value }
        recorder.record(
            .init(
                level: event.level, message: "\(event.message)",
                metadata: merged.mapValues { "\($0)" }))
    }
}
