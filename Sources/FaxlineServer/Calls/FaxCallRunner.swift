import CallMedia
import FaxCore
import FaxEngine
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServerSupport
import Synchronization
import Telephony

/// What every fax call needs from the server, whichever way it goes.
public struct FaxCallEnvironment: Sendable {
    public var lines: LinePool
    public var registry: AudioSocketSessionRegistry
    /// Ticks every call's 20 ms frames (production: the event loop's schedule).
    public var mediaClock: any MediaClock
    /// Times the waits of a call (the media connect timeout).
    public var clock: any Clock<Duration>
    /// How long Asterisk may take to connect the audio after it was asked to.
    public var connectTimeout: Duration
    /// Where each call's end is counted.
    public var metrics: ServerMetrics
    public var logger: Logger
    /// Hands memory back when the last call has ended.
    var memoryRelease: QuietMemoryRelease

    public init(lines: LinePool, registry: AudioSocketSessionRegistry, mediaClock: any MediaClock,
                clock: any Clock<Duration> = ContinuousClock(), connectTimeout: Duration, metrics: ServerMetrics = ServerMetrics(),
                logger: Logger) {
        self.lines = lines
        self.registry = registry
        self.mediaClock = mediaClock
        self.clock = clock
        self.connectTimeout = connectTimeout
        self.metrics = metrics
        self.logger = logger
        memoryRelease = QuietMemoryRelease(lines: lines)
    }
}

extension FaxCallEnvironment {
    /// Waits for `event`, at most `timeout` on the environment's clock. When the time runs out
    /// first, `onTimeout` runs, and it must bring `event` about: the wait ends only with it (a
    /// future cannot be abandoned, only waited for). Returns whether the time ran out.
    @discardableResult
    func wait(for event: EventLoopFuture<Void>, atMost timeout: Duration, onTimeout: () -> Void) async -> Bool {
        let clock = self.clock
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                (try? await clock.sleep(for: timeout)) != nil
            }
            group.addTask {
                try? await event.get()
                return false
            }
            let timedOut = await group.next() ?? false
            group.cancelAll()
            if timedOut { onTimeout() }
            return timedOut
        }
    }
}

/// One fax call on one line, inbound or outbound: the line claim, the call's audio announced
/// under a fresh AudioSocket UUID, the frame loop (``FaxMediaHandler``), and the outcome.
/// Its ``FaxCallProgress`` is a value it moves forward on what happens; the owner (the AGI
/// script, the outbound dispatcher) hears every ``MediaCallEvent`` through `report` and gets
/// the outcome from ``outcome()`` — which always comes, whatever way the call ends.
final class FaxCallRunner: Sendable {
    let line: LineClaim
    /// The UUID Asterisk connects the audio with.
    let uuid: UUID
    let direction: CallDirection
    private let media: FaxMediaCall
    private let registration: AudioSocketRegistration
    private let state: RunnerState
    private let environment: FaxCallEnvironment
    /// When the line was claimed: a call's duration is the line's.
    private let claimedAt = ContinuousClock.now

    /// What the call's audio updates from its event loop.
    private final class RunnerState: Sendable {
        let progress = Mutex(FaxCallProgress())
        let finalOutcome: EventLoopPromise<MediaCallOutcome>
        /// Completed once the audio connected or the call ended, whichever comes first.
        let settled: EventLoopPromise<Void>

        init(eventLoop: any EventLoop) {
            finalOutcome = eventLoop.makePromise(of: MediaCallOutcome.self)
            settled = eventLoop.makePromise(of: Void.self)
        }

        func apply(_ event: MediaCallEvent) {
            progress.withLock { $0.apply(event) }
            switch event {
            case .connected: settled.succeed()
            case .ended(let outcome):
                settled.succeed()
                finalOutcome.succeed(outcome)
            case .t30Started, .pagesConfirmed: break
            }
        }
    }

    /// Claims a line and announces the call's audio; `nil` when no line may be used for
    /// `direction`. `makeSession` runs on the audio connection's event loop once Asterisk
    /// connects — from `peer` when given (the machine whose AGI session placed the call).
    init?(
        claiming direction: CallDirection, faxID: String, remoteNumber: String, peer: SocketAddress? = nil,
        environment: FaxCallEnvironment,
        logger: Logger, makeSession: @escaping @Sendable () throws -> AudioFaxSession,
        report: @escaping @Sendable (MediaCallEvent) -> Void
    ) {
        guard let line = environment.lines.claim(for: direction, faxID: faxID, remoteNumber: remoteNumber) else { return nil }
        let uuid = UUID()
        let state = RunnerState(eventLoop: MultiThreadedEventLoopGroup.singleton.any())
        let media = FaxMediaCall(
            uuid: uuid, sending: direction == .outbound, clock: environment.mediaClock, logger: logger,
            makeSession: makeSession
        ) { event in
            // The owner hears the event before `outcome()` returns.
            report(event)
            state.apply(event)
        }
        do {
            registration = try environment.registry.register(uuid, endpoint: media, peer: peer)
        } catch {
            // A fresh random UUID is never taken; if it were, the call cannot go on.
            line.release(.failed)
            state.apply(.ended(.neverConnected("\(SocketErrorWords.describe(error))", sending: direction == .outbound)))
            return nil
        }
        self.line = line
        self.uuid = uuid
        self.direction = direction
        self.media = media
        self.state = state
        self.environment = environment
    }

    deinit {
        // Normally fulfilled long before; an owner that vanished must not leak the promises.
        state.apply(.ended(.neverConnected("the call was abandoned", sending: direction == .outbound)))
        release(succeeded: false)
    }

    var progress: FaxCallProgress { state.progress.withLock { $0 } }

    /// The call was answered: the line shows it.
    func answered() {
        state.progress.withLock { $0.answered() }
        line.update(direction == .inbound ? .receiving : .sending)
    }

    /// Returns once the audio has connected or the call has ended — or after the connect
    /// timeout on the environment's clock: then, if Asterisk has not connected the audio, it
    /// never will (a late connection is refused) and the call ends without audio.
    func expireConnection() async {
        let timeout = environment.connectTimeout
        await environment.wait(for: state.settled.futureResult, atMost: timeout) {
            giveUpConnecting("Asterisk did not connect the call's audio within \(timeout)")
        }
    }

    /// Asterisk will not connect the audio (its application returned, the call was not
    /// answered): if it has not connected yet, the call ends without audio.
    func giveUpConnecting(_ reason: String) {
        if registration.withdraw() { media.neverConnected(reason) }
    }

    /// Ends the call from our side: at once if the audio is connected, without audio if not.
    func hangUp(_ reason: String) {
        if registration.withdraw() {
            media.neverConnected(reason)
        } else {
            media.hangUp(reason)
        }
    }

    /// How the call ended. Not cancelled with the waiting task: after `hangUp` it comes at once.
    func outcome() async -> MediaCallOutcome {
        (try? await state.finalOutcome.futureResult.get()) ?? .neverConnected("the call was abandoned", sending: direction == .outbound)
    }

    /// Frees the line and counts the call (the line pool's counters, the metrics). The last
    /// call to end hands the memory the calls freed back to the system (``QuietMemoryRelease``).
    func release(succeeded: Bool) {
        guard line.release(succeeded ? .succeeded : .failed) else { return }
        environment.metrics.callEnded(
            direction, succeeded: succeeded, pages: progress.pagesConfirmed, duration: ContinuousClock.now - claimedAt)
        environment.memoryRelease.lineFreed()
    }
}
