import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import Telephony

@Suite("AudioSocket server", .timeLimit(.minutes(1)))
struct AudioSocketServerTests {
    static func configuration(
        handshakeTimeout: Duration = .seconds(3), idleTimeout: Duration = .seconds(5), maximumPayloadLength: Int = 4096
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

    /// The call owner's loop: answers every audio frame with one frame of the same length (the
    /// samples reversed byte-wise, so the test sees it was processed), until hangup or the end.
    /// Returns what it saw besides audio, and how it ended.
    static func runEchoOwner(_ connection: AudioSocketConnection) async -> [String] {
        var seen: [String] = []
        do {
            for try await frame in connection.frames {
                switch frame {
                case .audio(let samples, let rate):
                    let reply = ByteBuffer(bytes: samples.readableBytesView.reversed())
                    try await connection.write(.audio(reply, sampleRate: rate))
                case .hangup:
                    seen.append("hangup")
                    await connection.close()
                    return seen
                default:
                    seen.append("\(frame)")
                }
            }
            seen.append("end")
        } catch {
            seen.append("error: \(error)")
        }
        await connection.close()
        return seen
    }

    static func audio(_ index: Int, length: Int = 320) -> ByteBuffer {
        ByteBuffer(bytes: (0..<length).map { UInt8(truncatingIfNeeded: $0 &+ index) })
    }

    @Test func announcedCallGetsItsAudioAnsweredFrameByFrame() async throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let waiter = try registry.expect(uuid)
        try await Self.withServer(registry: registry) { port in
            async let owner: [String] = {
                let connection = try await waiter.connection(timeout: .seconds(5))
                #expect(connection.uuid == uuid)
                #expect(try await connection.channel.getOption(.tcpOption(.tcp_nodelay)) != 0)
                return await Self.runEchoOwner(connection)
            }()
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
            #expect(try await owner == ["dtmf(55)", "hangup"])
        }
        #expect(registry.expectedCount == 0)
    }

    @Test func uuidFrameSplitAcrossWritesIsAccepted() async throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let waiter = try registry.expect(uuid)
        try await Self.withServer(registry: registry) { port in
            async let owner = Self.runEchoOwner(try await waiter.connection(timeout: .seconds(5)))
            let client = try await AGITestSupport.connectFrames(port: port)
            try await client.executeThenClose { inbound, outbound in
                var frames = inbound.makeAsyncIterator()
                let bytes = Array(AudioSocketFrame.uuid(uuid).encoded().readableBytesView)
                try await outbound.write(ByteBuffer(bytes: bytes[..<2]))
                try await Task.sleep(for: .milliseconds(50))
                try await outbound.write(ByteBuffer(bytes: bytes[2..<10]))
                try await Task.sleep(for: .milliseconds(50))
                try await outbound.write(ByteBuffer(bytes: bytes[10...]))
                try await outbound.write(AudioSocketFrame.audio(Self.audio(5)).encoded())
                #expect(try await frames.next()?.payloadLength == 320)
                try await outbound.write(AudioSocketFrame.hangup.encoded())
                #expect(try await frames.next() == nil)
            }
            #expect(try await owner == ["hangup"])
        }
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
        let other = try registry.expect(UUID())
        try await Self.withServer(configuration: Self.configuration(idleTimeout: .seconds(30)), registry: registry, logger: logger) { port in
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
        let waiter = try registry.expect(uuid)
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
        withExtendedLifetime(waiter) {}
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
        let waiter = try registry.expect(uuid)
        try await Self.withServer(configuration: Self.configuration(maximumPayloadLength: 640), registry: registry) { port in
            async let owner = Self.runEchoOwner(try await waiter.connection(timeout: .seconds(5)))
            let client = try await AGITestSupport.connectFrames(port: port)
            try await client.executeThenClose { inbound, outbound in
                var frames = inbound.makeAsyncIterator()
                try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                try await outbound.write(AudioSocketFrame.audio(Self.audio(1, length: 640)).encoded())
                #expect(try await frames.next() == .audio(ByteBuffer(bytes: Self.audio(1, length: 640).readableBytesView.reversed())))
                try await outbound.write(ByteBuffer(bytes: [0x10, 0x02, 0x82]))  // 642 bytes announced
                #expect(try await frames.next() == nil)
            }
            let seen = try await owner
            #expect(seen == ["error: AudioSocket payload of 642 bytes exceeds the limit of 640"])
        }
    }

    @Test func idleConnectionEndsWithATimeoutError() async throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let waiter = try registry.expect(uuid)
        let idleTimeout = Duration.seconds(1)
        try await Self.withServer(configuration: Self.configuration(idleTimeout: idleTimeout), registry: registry) { port in
            async let owner = Self.runEchoOwner(try await waiter.connection(timeout: .seconds(5)))
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
            #expect(try await owner == ["error: \(AudioSocketError.idleTimeout(after: idleTimeout))"])
        }
    }

    @Test func connectionArrivingBeforeTheOwnerWaitsIsKept() async throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let waiter = try registry.expect(uuid)
        try await Self.withServer(registry: registry) { port in
            let client = try await AGITestSupport.connectFrames(port: port)
            try await client.executeThenClose { inbound, outbound in
                try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                try await outbound.write(AudioSocketFrame.audio(Self.audio(9)).encoded())
                try await Task.sleep(for: .milliseconds(100))
                let connection = try await waiter.connection(timeout: .seconds(1))
                var frames = connection.frames.makeAsyncIterator()
                #expect(try await frames.next() == .audio(Self.audio(9)))
                try await connection.write(.hangup)
                var replies = inbound.makeAsyncIterator()
                #expect(try await replies.next() == .hangup)
                await connection.close()
                #expect(try await replies.next() == nil)
            }
        }
    }

    @Test func manyCallsAtOnce() async throws {
        let registry = AudioSocketSessionRegistry()
        try await Self.withServer(registry: registry) { port in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<32 {
                    let uuid = UUID()
                    let waiter = try registry.expect(uuid)
                    group.addTask {
                        let seen = await Self.runEchoOwner(try await waiter.connection(timeout: .seconds(10)))
                        #expect(seen == ["hangup"])
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
