import NIOCore
import Synchronization

/// An accepted connection until its handler takes it. NIO drops a connection that is accepted
/// while the server is closing, and an `NIOAsyncChannel` dropped unfinished traps (also in
/// release builds); this owner finishes and closes such a connection instead.
package final class AcceptedConnection<Inbound: Sendable, Outbound: Sendable>: Sendable {
    private let channel: Mutex<NIOAsyncChannel<Inbound, Outbound>?>

    package init(_ channel: NIOAsyncChannel<Inbound, Outbound>) {
        self.channel = Mutex(channel)
    }

    /// The connection, once; `nil` after the first call.
    package func take() -> NIOAsyncChannel<Inbound, Outbound>? {
        channel.withLock { stored in
            defer { stored = nil }
            return stored
        }
    }

    deinit {
        if let unclaimed = take() {
            // Holding the channel until executeThenClose has finished its writer and closed it.
            Task { try? await unclaimed.executeThenClose { _, _ in } }
        }
    }
}
