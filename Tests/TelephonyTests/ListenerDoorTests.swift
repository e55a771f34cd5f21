import FaxCore
import Foundation
import Logging
import NIOCore
import ServerSupport
import Synchronization
import Testing

@testable import Telephony

/// Who gets through the FastAGI and AudioSocket listeners: allow-lists (127.0.0.2 plays another
/// machine), the AGI key, single-use UUIDs bound to their AGI peer, and the connection caps.
@Suite("Listener doors", .timeLimit(.minutes(1)))
struct ListenerDoorTests {
    static let key = "0123456789abcdef-ABCDEF"

    static func environment(query: String?) throws -> AGIEnvironment {
        try AGIEnvironment([
            "agi_network": "yes",
            "agi_request": "agi://127.0.0.1:4573/inbound" + (query.map { "?" + $0 } ?? ""),
            "agi_channel": "PJSIP/trunk-00000001",
            "agi_uniqueid": "1700000000.9",
            "agi_callerid": "5550100",
        ])
    }

    /// A script that answers, and counts how often it ran.
    final class CountingScript: Sendable {
        let runs = Atomic(0)
        var handler: AGIClosureScriptHandler {
            AGIClosureScriptHandler { session in
                self.runs.add(1, ordering: .relaxed)
                try await session.run(.answer)
            }
        }
        var count: Int { runs.load(ordering: .relaxed) }
    }

    /// Plays Asterisk from `source`: sends the environment, answers every command with 200, and
    /// returns the commands it got before the server closed the connection.
    static func call(port: Int, from source: String? = nil, query: String?) async throws -> [String] {
        let connection = try await AGITestSupport.connectLines(port: port, from: source)
        return try await connection.executeThenClose { inbound, outbound in
            try? await outbound.write(try Self.environment(query: query).encoded())
            var commands: [String] = []
            do {
                for try await line in inbound {
                    commands.append(line)
                    try await outbound.write(ByteBuffer(string: "200 result=0\n"))
                }
            } catch {
                // A reset is a close as well.
            }
            return commands
        }
    }

    /// Whether the server closes `connection` without sending anything (read to the end).
    static func closedWithoutAWord<Inbound: Sendable>(_ connection: NIOAsyncChannel<Inbound, ByteBuffer>) async throws -> Bool {
        try await connection.executeThenClose { inbound, _ in
            do {
                for try await _ in inbound { return false }
            } catch {
                // Reset: closed too.
            }
            return true
        }
    }

    // MARK: - FastAGI

    @Test func anAGIPeerOutsideTheAllowListIsClosedBeforeAnyScriptRuns() async throws {
        let (logger, log) = AGITestSupport.recordingLogger()
        let script = CountingScript()
        var configuration = AGIServerTests.configuration()
        configuration.allowList = try PeerAllowList(parsing: "127.0.0.2")
        try await AGIServerTests.withServer(configuration: configuration, routes: ["inbound": script.handler], logger: logger) { port in
            let outsider = try await Self.call(port: port, from: "127.0.0.1", query: nil)
            #expect(outsider.isEmpty)
            #expect(script.count == 0)
            let allowed = try await Self.call(port: port, from: "127.0.0.2", query: nil)
            #expect(allowed == ["ANSWER"])
            #expect(script.count == 1)
        }
        let refusals = log.all.filter { $0.message.contains("FastAGI connection refused") }
        #expect(refusals.count == 1)
        #expect(refusals.first?.metadata["peer"]?.contains("127.0.0.1") == true)
    }

    @Test func theDefaultAllowListIsLoopback() async throws {
        #expect(FastAGIServer.Configuration().allowList == .loopback)
        #expect(AudioSocketServer.Configuration().allowList == .loopback)
    }

    @Test func withASecretOnlyRequestsCarryingTheKeyRunTheirScript() async throws {
        let (logger, log) = AGITestSupport.recordingLogger()
        let script = CountingScript()
        var configuration = AGIServerTests.configuration()
        configuration.secret = Secret(Self.key)
        try await AGIServerTests.withServer(configuration: configuration, routes: ["inbound": script.handler], logger: logger) { port in
            // A fake Asterisk: no key, a wrong key, a key that is the right one cut short.
            for query in [nil, "key=wrong-guess", "device=201&key=" + Self.key.dropLast(), "key="] {
                let commands = try await Self.call(port: port, query: query)
                #expect(commands.isEmpty, "\(query ?? "no query")")
            }
            #expect(script.count == 0)
            let withKey = try await Self.call(port: port, query: "device=201&key=" + Self.key)
            #expect(withKey == ["ANSWER"])
            #expect(script.count == 1)
        }
        #expect(log.all.filter { $0.message.contains("AGI connection refused") }.count == 4)
        #expect(log.contains(level: .warning, "no key in the AGI URL"))
        #expect(log.contains(level: .warning, "wrong key"))
        // The key never reaches the log, not even in part.
        let logged = log.all.map { $0.message + " " + $0.metadata.values.joined(separator: " ") }.joined(separator: "\n")
        #expect(!logged.contains(String(Self.key.prefix(12))))
    }

    @Test func aFastAGIListenerAtItsCapRefusesTheNextConnectionAtOnceAndKeepsServing() async throws {
        let script = CountingScript()
        var configuration = AGIServerTests.configuration(environmentTimeout: .seconds(50))
        configuration.maximumConnections = 3
        let server = FastAGIServer(
            configuration: configuration, router: AGIRouter(["inbound": script.handler]), logger: Logger(label: "agi-cap"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try #require(try await server.localAddress.port)
            // Three silent connections, each holding a slot (the environment timeout is long).
            var held: [NIOAsyncChannel<String, ByteBuffer>] = []
            for _ in 0..<3 { held.append(try await AGITestSupport.connectLines(port: port)) }
            #expect(try await AGITestSupport.eventually { server.openConnections == 3 })
            let started = ContinuousClock.now
            #expect(try await Self.closedWithoutAWord(try await AGITestSupport.connectLines(port: port)))
            #expect(ContinuousClock.now - started < .seconds(10))
            // One slot frees up: a real call gets through again.
            try await held.removeFirst().executeThenClose { _, _ in }
            #expect(try await AGITestSupport.eventually { server.openConnections == 2 })
            #expect(try await Self.call(port: port, query: nil) == ["ANSWER"])
            #expect(script.count == 1)
            for connection in held { try await connection.executeThenClose { _, _ in } }
            group.cancelAll()
        }
    }

    // MARK: - AudioSocket

    static let asteriskPeer = try! SocketAddress(ipAddress: "127.0.0.1", port: 0)

    @Test func aUUIDIsTakenOnceAndOnlyFromTheMachineOfItsAGISession() async throws {
        let (logger, log) = AGITestSupport.recordingLogger()
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let endpoint = EchoEndpoint()
        let registration = try registry.register(uuid, endpoint: endpoint, peer: Self.asteriskPeer)
        var configuration = AudioSocketServerTests.configuration()
        configuration.allowList = try PeerAllowList(parsing: "loopback")
        try await AudioSocketServerTests.withServer(configuration: configuration, registry: registry, logger: logger) { port in
            // The right UUID from another machine: refused, and the call still waits for its own.
            let stranger = try await AGITestSupport.connectFrames(port: port, from: "127.0.0.2")
            try await stranger.executeThenClose { inbound, outbound in
                try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                var frames = inbound.makeAsyncIterator()
                #expect((try? await frames.next()) == nil)
            }
            #expect(registry.expectedCount == 1)
            #expect(log.contains(level: .warning, "belongs to a call from another machine"))

            let asterisk = try await AGITestSupport.connectFrames(port: port, from: "127.0.0.1")
            try await asterisk.executeThenClose { inbound, outbound in
                try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                try await outbound.write(AudioSocketFrame.audio(AudioSocketServerTests.audio(1)).encoded())
                var frames = inbound.makeAsyncIterator()
                #expect(try await frames.next() != nil)
                // Used once: a second connection with it is refused, from the right machine too.
                let again = try await AGITestSupport.connectFrames(port: port, from: "127.0.0.1")
                try await again.executeThenClose { inbound, outbound in
                    try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                    var frames = inbound.makeAsyncIterator()
                    #expect((try? await frames.next()) == nil)
                }
                try await outbound.write(AudioSocketFrame.hangup.encoded())
            }
        }
        #expect(log.contains(level: .warning, "nobody expects"))
        #expect(!registration.withdraw())
    }

    @Test func anAudioSocketPeerOutsideTheAllowListIsClosedAtOnce() async throws {
        let (logger, log) = AGITestSupport.recordingLogger()
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let registration = try registry.register(uuid, endpoint: EchoEndpoint())
        var configuration = AudioSocketServerTests.configuration(handshakeTimeout: .seconds(50))
        configuration.allowList = try PeerAllowList(parsing: "127.0.0.2")
        try await AudioSocketServerTests.withServer(configuration: configuration, registry: registry, logger: logger) { port in
            let outsider = try await AGITestSupport.connectFrames(port: port, from: "127.0.0.1")
            let started = ContinuousClock.now
            try await outsider.executeThenClose { inbound, outbound in
                try? await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                var frames = inbound.makeAsyncIterator()
                #expect((try? await frames.next()) == nil)
            }
            #expect(ContinuousClock.now - started < .seconds(10))
        }
        // Never got as far as its UUID: the call still waits.
        #expect(registry.expectedCount == 1)
        #expect(log.all.filter { $0.message.contains("AudioSocket connection refused: the peer is not in the allow-list") }.count == 1)
        withExtendedLifetime(registration) {}
    }

    @Test func anAudioSocketListenerAtItsCapRefusesTheNextConnectionAtOnce() async throws {
        var configuration = AudioSocketServerTests.configuration(handshakeTimeout: .seconds(50))
        configuration.maximumConnections = 2
        let registry = AudioSocketSessionRegistry()
        let server = AudioSocketServer(configuration: configuration, registry: registry, logger: Logger(label: "audiosocket-cap"))
        let uuid = UUID()
        let registration = try registry.register(uuid, endpoint: EchoEndpoint())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try #require(try await server.localAddress.port)
            var held: [NIOAsyncChannel<AudioSocketFrame, ByteBuffer>] = []
            for _ in 0..<2 { held.append(try await AGITestSupport.connectFrames(port: port)) }
            #expect(try await AGITestSupport.eventually { server.openConnections == 2 })
            let started = ContinuousClock.now
            #expect(try await Self.closedWithoutAWord(try await AGITestSupport.connectFrames(port: port)))
            #expect(ContinuousClock.now - started < .seconds(10))
            // A slot frees up: the call's own connection gets through.
            try await held.removeFirst().executeThenClose { _, _ in }
            #expect(try await AGITestSupport.eventually { server.openConnections == 1 })
            let call = try await AGITestSupport.connectFrames(port: port)
            try await call.executeThenClose { inbound, outbound in
                try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                try await outbound.write(AudioSocketFrame.audio(AudioSocketServerTests.audio(2)).encoded())
                var frames = inbound.makeAsyncIterator()
                #expect(try await frames.next() != nil)
                try await outbound.write(AudioSocketFrame.hangup.encoded())
            }
            for connection in held { try await connection.executeThenClose { _, _ in } }
            group.cancelAll()
        }
        #expect(!registration.withdraw())
    }
}
