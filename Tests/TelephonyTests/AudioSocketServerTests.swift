import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import Telephony

@Suite("AudioSocket server", .timeLimit(.minutes(1)))
struct AudioSocketServerTests {
    static func configuration(
        handshakeTimeout: Duration = .seconds(3), idleTimeout: Duration = .seconds(60), maximumPayloadLength: Int = 4096
    ) -> AudioSocketServer.Configuration {
        AudioSocketServer.Configuration(
            port: 0, handshakeTimeout: handshakeTimeout, idleTimeout: idleTimeout, maximumPayloadLength: maximumPayloadLength)
    }

    static func withServer(
        configuration: AudioSocketServer.Configuration = configuration(),
        registry: AudioSocketSessionRegistry,
        logger: Logger = Logger(label: "audiosocket-test"),
        _ body: (Int) async throws -> Void
    ) async throws {
        let server = AudioSocketServer(configuration: configuration, registry: registry, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try #require(try await server.localAddress.port)
            do {
                try await body(port)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    static func audio(_ index: Int, length: Int = 320) -> ByteBuffer {
        ByteBuffer(bytes: (0..<length).map { UInt8(truncatingIfNeeded: $0 &+ index) })
    }

    @Test func announcedCallIsHandedToItsEndpoint() async throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let endpoint = EchoEndpoint()
        let registration = try registry.register(uuid, endpoint: endpoint)
        try await Self.withServer(registry: registry) { port in
            let client = try await AGITestSupport.connectFrames(port: port)
            try await client.executeThenClose { inbound, outbound in
                var frames = inbound.makeAsyncIterator()
                try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                // Lock-step, like Asterisk's clock: a frame out, a frame back.
                for index in 0..<100 {
                    let sent = Self.audio(index)
                    try await outbound.write(AudioSocketFrame.audio(sent).encoded())
                    let reply = try #require(try await frames.next())
                    #expect(reply == .audio(ByteBuffer(bytes: sent.readableBytesView.reversed())))
                }
                try await outbound.write(AudioSocketFrame.dtmf(UInt8(ascii: "7")).encoded())
                try await outbound.write(AudioSocketFrame.hangup.encoded())
                #expect(try await frames.next() == nil)
            }
            #expect(await endpoint.seen() == ["dtmf(55)", "hangup"])
            #expect(endpoint.hadNoDelay == true)
        }
        #expect(registry.expectedCount == 0)
        // Handed over: too late to withdraw.
        #expect(!registration.withdraw())
    }

    @Test func uuidFrameSplitAcrossWritesIsAccepted() async throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let endpoint = EchoEndpoint()
        let registration = try registry.register(uuid, endpoint: endpoint)
        try await Self.withServer(registry: registry) { port in
            let client = try await AGITestSupport.connectFrames(port: port)
            try await client.executeThenClose { inbound, outbound in
                var frames = inbound.makeAsyncIterator()
                let bytes = Array(AudioSocketFrame.uuid(uuid).encoded().readableBytesView)
                try await outbound.write(ByteBuffer(bytes: bytes[..<2]))
                try await outbound.write(ByteBuffer(bytes: bytes[2..<10]))
                try await outbound.write(ByteBuffer(bytes: bytes[10...]))
                try await outbound.write(AudioSocketFrame.audio(Self.audio(5)).encoded())
                #expect(try await frames.next()?.payloadLength == 320)
                try await outbound.write(AudioSocketFrame.hangup.encoded())
                #expect(try await frames.next() == nil)
            }
            #expect(await endpoint.seen() == ["hangup"])
        }
        withExtendedLifetime(registration) {}
    }

    /// The server closed the connection: end of stream, or — when it closed with our bytes still
    /// unread, so the kernel answered with a reset — a reset or a write on a closed channel.
    static func closedByServer(_ exchange: () async throws -> AudioSocketFrame?) async -> Bool {
        do {
            return try await exchange() == nil
        } catch let error as IOError {
            return error.errnoCode == ECONNRESET || error.errnoCode == EPIPE
        } catch ChannelError.ioOnClosedChannel {
            return true
        } catch {
            return false
        }
    }

    @Test func unexpectedUUIDIsClosedAtOnce() async throws {
        let (logger, log) = AGITestSupport.recordingLogger()
        let registry = AudioSocketSessionRegistry()
        let other = try registry.register(UUID(), endpoint: EchoEndpoint())
        try await Self.withServer(registry: registry, logger: logger) { port in
            let client = try await AGITestSupport.connectFrames(port: port)
            let started = ContinuousClock.now
            try await client.executeThenClose { inbound, outbound in
                let closed = await Self.closedByServer {
                    try await outbound.write(AudioSocketFrame.uuid(UUID()).encoded())
                    try await outbound.write(AudioSocketFrame.audio(Self.audio(0)).encoded())
                    var frames = inbound.makeAsyncIterator()
                    return try await frames.next()
                }
                #expect(closed)
            }
            #expect(ContinuousClock.now - started < .seconds(5))
        }
        #expect(log.contains(level: .warning, "nobody expects"))
        #expect(registry.expectedCount == 1)
        withExtendedLifetime(other) {}
    }

    @Test func firstFrameMustBeTheUUID() async throws {
        let (logger, log) = AGITestSupport.recordingLogger()
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let registration = try registry.register(uuid, endpoint: EchoEndpoint())
        try await Self.withServer(registry: registry, logger: logger) { port in
            let client = try await AGITestSupport.connectFrames(port: port)
            try await client.executeThenClose { inbound, outbound in
                let closed = await Self.closedByServer {
                    try await outbound.write(AudioSocketFrame.audio(Self.audio(0)).encoded())
                    try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                    var frames = inbound.makeAsyncIterator()
                    return try await frames.next()
                }
                #expect(closed)
            }
            #expect(try await AGITestSupport.eventually { log.contains(level: .warning, "refused") })
            // The call is still waiting for its real connection.
            #expect(registry.expectedCount == 1)
        }
        let refusal = log.all.first { $0.message.contains("refused") }
        #expect(refusal?.metadata["error"]?.contains("kind 0x10") == true)
        withExtendedLifetime(registration) {}
    }

    @Test func garbageBeforeTheUUIDIsRefused() async throws {
        let registry = AudioSocketSessionRegistry()
        try await Self.withServer(registry: registry) { port in
            for garbage: [UInt8] in [Array("GET / HTTP/1.1\r\n\r\n".utf8), [0x10, 0xFF, 0xFF], [0x01, 0x00, 0x03, 1, 2, 3]] {
                let client = try await AGITestSupport.connectFrames(port: port)
                try await client.executeThenClose { inbound, outbound in
                    try await outbound.write(ByteBuffer(bytes: garbage))
                    var frames = inbound.makeAsyncIterator()
                    #expect(try await frames.next() == nil)
                }
            }
        }
    }

    @Test func silentConnectionIsClosedAfterTheHandshakeTimeout() async throws {
        let registry = AudioSocketSessionRegistry()
        try await Self.withServer(configuration: Self.configuration(handshakeTimeout: .milliseconds(200)), registry: registry) { port in
            let client = try await AGITestSupport.connectFrames(port: port)
            let started = ContinuousClock.now
            try await client.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(bytes: [0x01, 0x00]))  // half a header, then nothing
                var frames = inbound.makeAsyncIterator()
                #expect(try await frames.next() == nil)
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(150) && elapsed < .seconds(5))
        }
    }

    @Test func oversizeFrameEndsTheCallWithAnError() async throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let endpoint = EchoEndpoint()
        let registration = try registry.register(uuid, endpoint: endpoint)
        try await Self.withServer(configuration: Self.configuration(maximumPayloadLength: 640), registry: registry) { port in
            let client = try await AGITestSupport.connectFrames(port: port)
            try await client.executeThenClose { inbound, outbound in
                var frames = inbound.makeAsyncIterator()
                try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                try await outbound.write(AudioSocketFrame.audio(Self.audio(1, length: 640)).encoded())
                #expect(try await frames.next() == .audio(ByteBuffer(bytes: Self.audio(1, length: 640).readableBytesView.reversed())))
                try await outbound.write(ByteBuffer(bytes: [0x10, 0x02, 0x82]))  // 642 bytes announced
                #expect(try await frames.next() == nil)
            }
            #expect(await endpoint.seen() == ["error: AudioSocket payload of 642 bytes exceeds the limit of 640"])
        }
        withExtendedLifetime(registration) {}
    }

    /// The idle timeout is a backstop well above T.30's timers in production; a short one here
    /// shows it works (timing is the point of this test).
    @Test func idleConnectionEndsWithATimeoutError() async throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let endpoint = EchoEndpoint()
        let registration = try registry.register(uuid, endpoint: endpoint)
        let idleTimeout = Duration.seconds(1)
        try await Self.withServer(configuration: Self.configuration(idleTimeout: idleTimeout), registry: registry) { port in
            let client = try await AGITestSupport.connectFrames(port: port)
            try await client.executeThenClose { inbound, outbound in
                var frames = inbound.makeAsyncIterator()
                try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                // Frames keep it alive, even when they come slower than the first one…
                for index in 0..<4 {
                    try await Task.sleep(for: .milliseconds(300))
                    try await outbound.write(AudioSocketFrame.audio(Self.audio(index)).encoded())
                    #expect(try await frames.next() != nil)
                }
                // …then silence.
                let started = ContinuousClock.now
                #expect(try await frames.next() == nil)
                let elapsed = ContinuousClock.now - started
                #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(5))
            }
            #expect(await endpoint.seen() == ["error: \(AudioSocketError.idleTimeout(after: idleTimeout))"])
        }
        withExtendedLifetime(registration) {}
    }

    @Test func framesRightBehindTheUUIDReachTheEndpoint() async throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let endpoint = EchoEndpoint()
        let registration = try registry.register(uuid, endpoint: endpoint)
        try await Self.withServer(registry: registry) { port in
            let client = try await AGITestSupport.connectFrames(port: port)
            try await client.executeThenClose { inbound, outbound in
                // The UUID and the first frames in one write: the handover happens between them.
                var bytes = AudioSocketFrame.uuid(uuid).encoded()
                for index in 0..<3 { AudioSocketFrame.audio(Self.audio(index)).encode(into: &bytes) }
                AudioSocketFrame.dtmf(UInt8(ascii: "1")).encode(into: &bytes)
                try await outbound.write(bytes)
                var replies = inbound.makeAsyncIterator()
                for index in 0..<3 {
                    #expect(try await replies.next() == .audio(ByteBuffer(bytes: Self.audio(index).readableBytesView.reversed())))
                }
                try await outbound.write(AudioSocketFrame.hangup.encoded())
                #expect(try await replies.next() == nil)
            }
            #expect(await endpoint.seen() == ["dtmf(49)", "hangup"])
        }
        withExtendedLifetime(registration) {}
    }

    @Test func manyCallsAtOnce() async throws {
        let registry = AudioSocketSessionRegistry()
        try await Self.withServer(registry: registry) { port in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<32 {
                    let uuid = UUID()
                    let endpoint = EchoEndpoint()
                    let registration = try registry.register(uuid, endpoint: endpoint)
                    group.addTask {
                        #expect(await endpoint.seen() == ["hangup"])
                        withExtendedLifetime(registration) {}
                    }
                    group.addTask {
                        let client = try await AGITestSupport.connectFrames(port: port)
                        try await client.executeThenClose { inbound, outbound in
                            var frames = inbound.makeAsyncIterator()
                            try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                            for index in 0..<50 {
                                try await outbound.write(AudioSocketFrame.audio(Self.audio(index)).encoded())
                                let reply = try #require(try await frames.next())
                                #expect(reply.payloadLength == 320)
                            }
                            try await outbound.write(AudioSocketFrame.hangup.encoded())
                            #expect(try await frames.next() == nil)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(registry.expectedCount == 0)
    }
}
