import Logging
import NIOCore
import ServiceLifecycle

/// The accept loop every listener shares: one task per admitted connection in a discarding
/// task group (a refused one never gets a task: ``ConnectionAdmission`` closed it on its event
/// loop), and graceful shutdown in two steps — stop accepting at once, then give running
/// connections `gracePeriod` to finish before cancelling them.
package enum ConnectionAcceptor {
    package static func run<Connection: Sendable>(
        serverChannel: NIOAsyncChannel<Admission<Connection>, Never>,
        gracePeriod: Duration,
        logger: Logger,
        handleConnection: @escaping @Sendable (Connection) async -> Void
    ) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withDiscardingTaskGroup { connections in
                    do {
                        try await serverChannel.executeThenClose { inbound in
                            for try await admission in inbound {
                                guard case .admitted(let connection) = admission else { continue }
                                connections.addTask {
                                    await handleConnection(connection)
                                }
                            }
                        }
                    } catch is CancellationError {
                        return
                    } catch {
                        logger.error("listener failed", metadata: ["error": "\(error)"])
                    }
                }
            }
            group.addTask {
                do {
                    try await gracefulShutdown()
                } catch {
                    return  // cancelled: the whole server is going down anyway
                }
                logger.info("shutting down: no new connections, running ones have \(gracePeriod) to finish")
                serverChannel.channel.close(promise: nil)
                try? await Task.sleep(for: gracePeriod)
                if !Task.isCancelled {
                    logger.warning("grace period over: cancelling the remaining connections")
                }
            }
            // Either the listener and all connections are done, or the grace period has run out.
            await group.next()
            group.cancelAll()
        }
    }
}
