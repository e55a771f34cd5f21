import Foundation
import Synchronization

/// The UUIDs whose AudioSocket connections are expected, and who takes each.
///
/// A call's owner announces the UUID with its endpoint before asking Asterisk to connect
/// (`let registration = try registry.register(uuid, endpoint: call)`). The server hands each
/// accepted connection to the endpoint of its UUID frame, once, and closes connections nobody
/// expects. Withdrawing a registration that has not been taken yet means a late connection
/// is refused.
public final class AudioSocketSessionRegistry: Sendable {
    private struct Entry {
        /// Tells registrations of the same UUID apart, so that a stale one withdraws only itself.
        var registration: Int
        var endpoint: any AudioSocketCallEndpoint
    }

    private struct Entries {
        var byUUID: [UUID: Entry] = [:]
        var nextRegistration = 0
    }

    private let entries = Mutex(Entries())

    public init() {}

    /// Announces a connection for `uuid`, to be handed to `endpoint`. Releasing or cancelling
    /// the registration withdraws it.
    public func register(_ uuid: UUID, endpoint: some AudioSocketCallEndpoint) throws(AudioSocketError) -> AudioSocketRegistration {
        let registration = try entries.withLock { entries throws(AudioSocketError) in
            guard entries.byUUID[uuid] == nil else { throw AudioSocketError.alreadyExpected(uuid) }
            entries.nextRegistration += 1
            entries.byUUID[uuid] = Entry(registration: entries.nextRegistration, endpoint: endpoint)
            return entries.nextRegistration
        }
        return AudioSocketRegistration(uuid: uuid, registration: registration, registry: self)
    }

    /// How many UUIDs are announced and not yet connected.
    public var expectedCount: Int {
        entries.withLock { $0.byUUID.count }
    }

    /// Takes the endpoint expecting `uuid`; `nil` when nobody does (any more).
    func claim(_ uuid: UUID) -> (any AudioSocketCallEndpoint)? {
        entries.withLock { $0.byUUID.removeValue(forKey: uuid)?.endpoint }
    }

    /// Returns whether the registration was still waiting (not connected, not withdrawn).
    func withdraw(_ uuid: UUID, registration: Int) -> Bool {
        entries.withLock { entries in
            guard entries.byUUID[uuid]?.registration == registration else { return false }
            entries.byUUID[uuid] = nil
            return true
        }
    }
}

/// One announced AudioSocket connection, from ``AudioSocketSessionRegistry/register(_:endpoint:)``.
public final class AudioSocketRegistration: Sendable {
    public let uuid: UUID
    private let registration: Int
    private let registry: AudioSocketSessionRegistry

    init(uuid: UUID, registration: Int, registry: AudioSocketSessionRegistry) {
        self.uuid = uuid
        self.registration = registration
        self.registry = registry
    }

    deinit {
        _ = registry.withdraw(uuid, registration: registration)
    }

    /// Withdraws the announcement. Returns `true` when it was still waiting — Asterisk had not
    /// connected, and now never will; `false` when the connection was already handed over.
    @discardableResult
    public func withdraw() -> Bool {
        registry.withdraw(uuid, registration: registration)
    }
}
