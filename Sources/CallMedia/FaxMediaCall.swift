import FaxEngine
import Foundation
import Logging
import NIOCore
import Synchronization
import Telephony

/// The audio half of one fax call, announced in the AudioSocket registry under the call's UUID.
/// When Asterisk connects, it makes the engine session on the connection's event loop and hands
/// both to a ``FaxMediaHandler``; everything the call's owner hears (connected, T.30 started,
/// pages confirmed, the outcome) arrives through `report`, from the event loop.
public final class FaxMediaCall: AudioSocketCallEndpoint {
    private enum State {
        case waiting(hangUp: String?)
        case connected(NIOLoopBound<FaxMediaHandler>)
        case ended
    }

    public let uuid: UUID
    private let sending: Bool
    private let clock: any MediaClock
    private let makeSession: @Sendable () throws -> AudioFaxSession
    private let logger: Logger
    private let report: @Sendable (MediaCallEvent) -> Void
    private let state = Mutex(State.waiting(hangUp: nil))

    /// `makeSession` runs on the connection's event loop, once Asterisk has connected.
    public init(uuid: UUID, sending: Bool, clock: any MediaClock, logger: Logger,
         makeSession: @escaping @Sendable () throws -> AudioFaxSession,
         report: @escaping @Sendable (MediaCallEvent) -> Void) {
        self.uuid = uuid
        self.sending = sending
        self.clock = clock
        self.makeSession = makeSession
        self.logger = logger
        self.report = report
    }

    public func connect(_ channel: any Channel) throws {
        let session: AudioFaxSession
        do {
            session = try makeSession()
        } catch {
            logger.error("cannot start the fax session", metadata: ["error": "\(SocketErrorWords.describe(error))"])
            finish(MediaCallOutcome(fax: .notStarted(reason: "\(SocketErrorWords.describe(error))", sending: sending),
                                    ending: .mediaFailed("cannot start the fax session: \(SocketErrorWords.describe(error))")))
            throw error
        }
        // The handler holds the call until it ends (it always does: the connection closes).
        let handler = FaxMediaHandler(uuid: uuid, session: session, clock: clock, logger: logger) { event in
            if case .ended = event { self.state.withLock { $0 = .ended } }
            self.report(event)
        }
        let hangUpFirst = state.withLock { state -> String? in
            guard case .waiting(let reason) = state else { return nil }
            state = .connected(NIOLoopBound(handler, eventLoop: channel.eventLoop))
            return reason
        }
        try channel.pipeline.syncOperations.addHandler(handler)
        if let hangUpFirst { handler.hangUp(hangUpFirst) }
    }

    /// Ends the call from our side: at once if the audio is connected, else as soon as it is.
    public func hangUp(_ reason: String) {
        let handler = state.withLock { state -> NIOLoopBound<FaxMediaHandler>? in
            switch state {
            case .waiting: state = .waiting(hangUp: reason); return nil
            case .connected(let handler): return handler
            case .ended: return nil
            }
        }
        guard let handler else { return }
        handler.eventLoop.execute { handler.value.hangUp(reason) }
    }

    /// The owner withdrew the registration before Asterisk connected: the call ends without audio.
    public func neverConnected(_ reason: String) {
        finish(.neverConnected(reason, sending: sending))
    }

    private func finish(_ outcome: MediaCallOutcome) {
        let first = state.withLock { state -> Bool in
            if case .ended = state { return false }
            state = .ended
            return true
        }
        if first { report(.ended(outcome)) }
    }
}
