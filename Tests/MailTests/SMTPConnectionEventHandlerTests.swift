import NIOCore
import NIOEmbedded
import NIOTLS
import Testing

@testable import Mail

/// The listener's per-connection handler on an embedded channel, whose clock the test moves.
@Suite("SMTP connection events")
struct SMTPConnectionEventHandlerTests {
    static func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: SMTPConnectionEventHandler(idleTimeout: .seconds(10)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 25)).wait()
        return channel
    }

    static func isIdleTimeout(_ event: SMTPConnectionEvent?) -> Bool {
        if case .idleTimeout = event { return true }
        return false
    }

    @Test func idleTimerCountsFromTheLastReadOrWrite() throws {
        let channel = try Self.channel()
        let loop = channel.embeddedEventLoop
        loop.advanceTime(by: .seconds(9))
        try channel.writeInbound(ByteBuffer(string: "NOOP\r\n"))
        guard case .bytes(let bytes) = try channel.readInbound(as: SMTPConnectionEvent.self) else {
            Issue.record("bytes not passed on")
            return
        }
        #expect(String(buffer: bytes) == "NOOP\r\n")
        loop.advanceTime(by: .seconds(9))
        try channel.writeOutbound(ByteBuffer(string: "250 2.0.0 ok\r\n"))
        loop.advanceTime(by: .seconds(9))
        #expect(try channel.readInbound(as: SMTPConnectionEvent.self) == nil)
        loop.advanceTime(by: .seconds(1))
        let event = try channel.readInbound(as: SMTPConnectionEvent.self)
        #expect(Self.isIdleTimeout(event))
        // One event per idle period, not a stream of them.
        loop.advanceTime(by: .seconds(5))
        #expect(try channel.readInbound(as: SMTPConnectionEvent.self) == nil)
        _ = try channel.finish()
    }

    @Test func finishedHandshakeBecomesAnEventInOrder() throws {
        let channel = try Self.channel()
        try channel.writeInbound(ByteBuffer(string: "injected"))
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        try channel.writeInbound(ByteBuffer(string: "EHLO"))
        var kinds: [String] = []
        while let event = try channel.readInbound(as: SMTPConnectionEvent.self) {
            switch event {
            case .bytes(let bytes): kinds.append(String(buffer: bytes))
            case .tlsEstablished: kinds.append("tls")
            case .idleTimeout: kinds.append("idle")
            }
        }
        #expect(kinds == ["injected", "tls", "EHLO"])
        _ = try channel.finish()
    }
}
