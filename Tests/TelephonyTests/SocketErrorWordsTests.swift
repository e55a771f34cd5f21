import NIOCore
import NIOPosix
import Telephony
import Testing

/// NIO's errors in words: no `SingleConnectionFailure(…)` dump, no `(errno: 111)`.
@Suite struct SocketErrorWordsTests {
    @Test("a refused connect says so, once, without NIO's value dumps")
    func refusedConnect() async throws {
        // A port that was just free: nobody listens there.
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(probe.localAddress?.port)
        try await probe.close()
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
            try await channel.close()
            Issue.record("connected to a closed port")
        } catch {
            let words = SocketErrorWords.describe(error)
            #expect(words == "connection refused")
            #expect(!"\(error)".isEmpty)
        }
    }

    @Test("an address in use, and the plain errno words")
    func listenErrors() async throws {
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(taken.localAddress?.port)
        do {
            let second = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: port).get()
            try await second.close()
            Issue.record("bound a port in use")
        } catch {
            let failure = ListenError(listener: "AudioSocket", host: "127.0.0.1", port: port, error: error)
            #expect(failure.description == "cannot listen for AudioSocket on 127.0.0.1:\(port): the address is already in use (another program listens there)")
        }
        try await taken.close()
        #expect(SocketErrorWords.describe(ChannelError.ioOnClosedChannel) == "the connection is closed")
        #expect(SocketErrorWords.describe(IOError(errnoCode: ECONNRESET, reason: "read")) == "connection reset by peer")
    }
}
