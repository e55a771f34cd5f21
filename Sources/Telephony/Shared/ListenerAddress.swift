import NIOCore

/// A server's bound address, known once its `run()` has bound the listener; awaited by anyone
/// who needs it (tests, the status report, the address Asterisk is told).
final class ListenerAddress: Sendable {
    private let promise: EventLoopPromise<SocketAddress>

    init(eventLoopGroup: any EventLoopGroup) {
        promise = eventLoopGroup.any().makePromise(of: SocketAddress.self)
    }

    deinit {
        // A server that never ran: waiters get an error, and NIO no promise left unfulfilled.
        promise.fail(ChannelError.ioOnClosedChannel)
    }

    func bound(_ address: SocketAddress) { promise.succeed(address) }

    func failed(_ error: any Error) { promise.fail(error) }

    var value: SocketAddress {
        get async throws { try await promise.futureResult.get() }
    }
}
