import Foundation
import NIOConcurrencyHelpers

/// The UUIDs whose AudioSocket connections are expected, and who waits for them.
///
/// A call's owner announces the UUID before asking Asterisk to connect
/// (`let waiter = try registry.expect(uuid)`), then waits
/// (`let connection = try await waiter.connection(timeout: .seconds(10))`). The server hands each
/// accepted connection over by its UUID frame and closes connections nobody expects.
public final class AudioSocketSessionRegistry: Sendable {
    private enum State {
        case expected
        case waiting(CheckedContinuation<AudioSocketConnection, any Error>)
        case arrived(AudioSocketConnection)
    }

    private struct Entry {
        /// Tells registrations of the same UUID apart, so that a stale waiter withdraws only its own.
        var registration: Int
        var state: State
    }

    private struct Entries {
        var byUUID: [UUID: Entry] = [:]
        var nextRegistration = 0
    }

    private let entries = NIOLockedValueBox(Entries())

    public init() {}

    /// Announces a connection for `uuid`. Releasing or cancelling the waiter withdraws it.
    public func expect(_ uuid: UUID) throws -> AudioSocketWaiter {
        let registration = try entries.withLockedValue { entries in
            guard entries.byUUID[uuid] == nil else { throw AudioSocketError.alreadyExpected(uuid) }
            entries.nextRegistration += 1
            entries.byUUID[uuid] = Entry(registration: entries.nextRegistration, state: .expected)
            return entries.nextRegistration
        }
        return AudioSocketWaiter(uuid: uuid, registration: registration, registry: self)
    }

    /// How many UUIDs are announced and not yet picked up.
    public var expectedCount: Int {
        entries.withLockedValue { $0.byUUID.count }
    }

    /// Whether a task is waiting in ``AudioSocketWaiter/connection(timeout:)`` for `uuid`.
    func isWaiting(for uuid: UUID) -> Bool {
        entries.withLockedValue { entries in
            if case .waiting = entries.byUUID[uuid]?.state { return true }
            return false
        }
    }

    /// Hands `connection` to whoever expects its UUID; false (and nothing kept) if nobody does.
    func deliver(_ connection: AudioSocketConnection) -> Bool {
        let waiter = entries.withLockedValue { entries -> CheckedContinuation<AudioSocketConnection, any Error>?? in
            guard var entry = entries.byUUID[connection.uuid] else { return nil }
            switch entry.state {
            case .expected:
                entry.state = .arrived(connection)
                entries.byUUID[connection.uuid] = entry
                return .some(nil)
            case .waiting(let continuation):
                entries.byUUID[connection.uuid] = nil
                return .some(continuation)
            case .arrived:
                return nil
            }
        }
        guard let waiter else { return false }
        waiter?.resume(returning: connection)
        return true
    }

    func withdraw(_ uuid: UUID, registration: Int) {
        let entry = entries.withLockedValue { entries -> Entry? in
            guard entries.byUUID[uuid]?.registration == registration else { return nil }
            return entries.byUUID.removeValue(forKey: uuid)
        }
        if case .waiting(let continuation) = entry?.state {
            continuation.resume(throwing: CancellationError())
        }
    }

    func waitForConnection(_ uuid: UUID, registration: Int) async throws -> AudioSocketConnection {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = entries.withLockedValue { entries -> Result<AudioSocketConnection, any Error>? in
                    guard var entry = entries.byUUID[uuid], entry.registration == registration else {
                        return .failure(Task.isCancelled ? CancellationError() : AudioSocketError.notExpected(uuid))
                    }
                    if Task.isCancelled {
                        entries.byUUID[uuid] = nil
                        return .failure(CancellationError())
                    }
                    switch entry.state {
                    case .expected:
                        entry.state = .waiting(continuation)
                        entries.byUUID[uuid] = entry
                        return nil
                    case .arrived(let connection):
                        entries.byUUID[uuid] = nil
                        return .success(connection)
                    case .waiting:
                        return .failure(AudioSocketError.alreadyWaiting(uuid))
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            withdraw(uuid, registration: registration)
        }
    }
}

/// One announced AudioSocket connection, from ``AudioSocketSessionRegistry/expect(_:)``.
public final class AudioSocketWaiter: Sendable {
    public let uuid: UUID
    private let registration: Int
    private let registry: AudioSocketSessionRegistry

    init(uuid: UUID, registration: Int, registry: AudioSocketSessionRegistry) {
        self.uuid = uuid
        self.registration = registration
        self.registry = registry
    }

    deinit {
        registry.withdraw(uuid, registration: registration)
    }

    /// Waits until Asterisk connects with this UUID. On timeout or cancellation the registration
    /// is withdrawn, so a late connection is closed by the server.
    public func connection(timeout: Duration) async throws -> AudioSocketConnection {
        let registry = self.registry
        let uuid = self.uuid
        let registration = self.registration
        return try await withThrowingTaskGroup(of: AudioSocketConnection?.self) { group in
            group.addTask {
                try await registry.waitForConnection(uuid, registration: registration)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let connection = try await group.next()! else {
                throw AudioSocketError.connectionTimedOut(uuid, after: timeout)
            }
            return connection
        }
    }

    /// Withdraws the registration; a pending ``connection(timeout:)`` throws `CancellationError`.
    public func cancel() {
        registry.withdraw(uuid, registration: registration)
    }
}
