import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The Asterisk Manager Interface client: one connection, kept up for as long as the
/// service runs, through which outbound calls are placed and hung up.
///
/// A thin driver: `AMIConnectionStateMachine` makes every decision (login, keepalive,
/// backoff, matching responses, following calls). `run()` hands it, one at a time, what the
/// connection, the timers and the callers bring, and carries out the actions it returns:
/// open or close the connection, write a message, start a timer, answer a caller.
/// Timers run on the injected clock, so tests move time by hand.
public final class AMIClient: Service, Sendable {
    private typealias Machine = AMIConnectionStateMachine
    private typealias RequestID = Machine.RequestID

    /// What `run()` reacts to, in the order it happened.
    private enum Input: Sendable {
        case connected(connection: Int, channel: any Channel, outgoing: AsyncStream<ByteBuffer>.Continuation)
        case connectFailed(connection: Int, reason: String)
        case frame(connection: Int, AMIFrame)
        case closed(connection: Int, reason: String)
        case timerFired(Machine.Timer)
        case originate(OriginateRequest, RequestID)
        case hangUp(UUID, RequestID)
        case cancelled(RequestID)
        case stop(logoff: Bool)
    }

    private enum Reply: Sendable {
        case originate(OriginateOutcome)
        case hangUp(AMIHangUpResult)
    }

    /// What callers read and how they wait; `run()` writes it.
    private struct Shared {
        var status: AMIStatus
        var downSince: Date
        var hasRun = false
        /// `run()` is over: nothing will answer a request any more.
        var isFinished = false
        var requestCount: RequestID = 0
        var waiters: [RequestID: AsyncStream<Reply>.Continuation] = [:]
    }

    /// The open connection, as `run()` sees it.
    private struct Connection {
        let number: Int
        let channel: any Channel
        let outgoing: AsyncStream<ByteBuffer>.Continuation
        /// Set when Faxline closes the connection for a reason of its own.
        var closeReason: String?
    }

    public let configuration: AMIClientConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let timerSleep: @Sendable (Duration) -> @Sendable () async throws -> Void
    private let logger: Logger
    private let actionIDPrefix: String
    private let inputs: AsyncStream<Input>
    private let inputSink: AsyncStream<Input>.Continuation
    private let shared: Mutex<Shared>

    public init(
        configuration: AMIClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "faxline.ami")
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.timerSleep = Self.sleeper(on: clock)
        var logger = logger
        logger[metadataKey: "ami.server"] = "\(configuration.host):\(configuration.port)"
        self.logger = logger
        self.actionIDPrefix = "faxline-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))-"
        (inputs, inputSink) = AsyncStream.makeStream(of: Input.self)
        let now = Date()
        let status = AMIStatus(state: .down(reason: "not started", since: now), failedAttempts: 0, nextAttempt: nil)
        shared = Mutex(Shared(status: status, downSince: now))
    }

    // MARK: - Public interface

    public var currentState: AMIConnectionState {
        get async { shared.withLock { $0.status.state } }
    }

    public func status() -> AMIStatus {
        shared.withLock { $0.status }
    }

    /// Places one call with `Originate` (`Async: true`, `ChannelId` = `request.channelID`)
    /// and waits for its outcome: the `OriginateResponse`, refined by the channel's `Hangup`
    /// cause (at most the dial timeout plus `originateResponseMargin`).
    ///
    /// Never throws for what happens on the line or to the connection — that is the
    /// outcome's `cause`. While the manager is down, when the connection is lost before the
    /// outcome is known, and when Asterisk shuts down meanwhile, the cause is `.amiDown`:
    /// not dialed, not to be counted. Throws `OriginateRequestError` for a request that
    /// cannot be sent safely, and `CancellationError` when the calling task is cancelled.
    public func originate(_ request: OriginateRequest) async throws -> OriginateOutcome {
        // What cannot be sent safely is refused here, before the machine sees it.
        _ = try request.makeAction(actionID: actionIDPrefix)
        let reply = try await ask { .originate(request, $0) }
        if case .originate(let outcome)? = reply { return outcome }
        logger.info("Originate not sent: Asterisk manager is down", metadata: ["ami.state": "\(status().state)"])
        return OriginateOutcome(cause: .amiDown, channelID: request.channelID, actionID: "", wasQueued: false)
    }

    /// Hangs up the call placed with `channelID` (`OriginateRequest.channelID`): a call
    /// still ringing as soon as Asterisk has made its channel — its `originate` then ends as
    /// `.cancelled` — and an answered one at once. Returns once Asterisk has answered.
    @discardableResult
    public func hangUp(channelID: UUID) async throws -> AMIHangUpResult {
        let reply = try await ask { .hangUp(channelID, $0) }
        if case .hangUp(let result)? = reply { return result }
        return .managerDown
    }

    /// Hands the machine a request and waits for its reply; nil when no reply can come
    /// (the manager is not logged in, or the client has stopped).
    private func ask(_ makeInput: (RequestID) -> Input) async throws -> Reply? {
        try Task.checkCancellation()
        let (replies, replySink) = AsyncStream.makeStream(of: Reply.self, bufferingPolicy: .bufferingNewest(1))
        let id: RequestID? = shared.withLock { shared in
            guard shared.hasRun, !shared.isFinished, shared.status.state.isLoggedIn else { return nil }
            shared.requestCount += 1
            shared.waiters[shared.requestCount] = replySink
            return shared.requestCount
        }
        guard let id else { return nil }
        inputSink.yield(makeInput(id))
        for await reply in replies { return reply }
        if Task.isCancelled {
            shared.withLock { _ = $0.waiters.removeValue(forKey: id) }
            inputSink.yield(.cancelled(id))
            throw CancellationError()
        }
        return nil
    }

    // MARK: - Service

    public func run() async throws {
        let firstRun = shared.withLock { shared in
            defer { shared.hasRun = true }
            return !shared.hasRun
        }
        guard firstRun else { return }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await self.drive()
            } onCancel: {
                self.inputSink.yield(.stop(logoff: false))
            }
        } onGracefulShutdown: {
            self.inputSink.yield(.stop(logoff: true))
        }
    }

    private func drive() async {
        var machine = Machine(configuration: configuration, actionIDPrefix: actionIDPrefix)
        var connection: Connection?
        var connectionCount = 0
        await withDiscardingTaskGroup { group in
            /// Runs the actions in order; false once the machine has stopped.
            func perform(_ actions: [Machine.Action]) -> Bool {
                var published: Machine.Status?
                defer { if let published { publish(published) } }
                for action in actions {
                    switch action {
                    case .connect:
                        connectionCount += 1
                        let number = connectionCount
                        group.addTask { await self.serveConnection(number) }
                    case .send(let message):
                        guard let open = connection else { continue }
                        do {
                            open.outgoing.yield(try AMIEncoder.encode(message))
                        } catch {
                            connection?.closeReason = "cannot send \(message["Action"] ?? "an action"): \(SocketErrorWords.describe(error))"
                            open.channel.close(promise: nil)
                        }
                    case .close:
                        connection?.outgoing.finish()
                        connection?.channel.close(promise: nil)
                        connection = nil
                    case .startTimer(let timer, let delay):
                        // The deadline is fixed now, not when the child task first runs, so that
                        // a test clock moved right after an action finds the timer set.
                        let sleep = timerSleep(delay)
                        group.addTask {
                            do {
                                try await sleep()
                            } catch {
                                return
                            }
                            self.inputSink.yield(.timerFired(timer))
                        }
                    case .publish(let status):
                        // After the batch: whoever sees the state also finds its timers set.
                        published = status
                    case .finishOriginate(let id, let outcome):
                        var callLogger = logger
                        callLogger[metadataKey: "ami.channel_id"] = "\(outcome.channelID.uuidString.lowercased())"
                        callLogger.info("Originate ended: \(outcome)", metadata: ["ami.action_id": "\(outcome.actionID)"])
                        reply(.originate(outcome), to: id)
                    case .finishHangUp(let id, let result):
                        logger.info("hang-up: \(result)")
                        reply(.hangUp(result), to: id)
                    case .stop:
                        return false
                    }
                }
                return true
            }

            guard perform(machine.start()) else { return }
            for await input in inputs {
                let actions: [Machine.Action]
                switch input {
                case .connected(let number, let channel, let outgoing):
                    guard number == connectionCount else {
                        outgoing.finish()
                        channel.close(promise: nil)
                        continue
                    }
                    connection = Connection(number: number, channel: channel, outgoing: outgoing)
                    actions = machine.connected()
                case .connectFailed(let number, let reason):
                    guard number == connectionCount else { continue }
                    actions = machine.connectFailed(reason)
                case .frame(let number, let frame):
                    guard number == connection?.number else { continue }
                    actions = machine.frameReceived(frame)
                case .closed(let number, let reason):
                    guard let closed = connection, number == closed.number else { continue }
                    connection = nil
                    actions = machine.connectionClosed(closed.closeReason ?? reason)
                case .timerFired(let timer):
                    actions = machine.timerFired(timer)
                case .originate(let request, let id):
                    actions = machine.originateRequested(request, id: id)
                case .hangUp(let channelID, let id):
                    actions = machine.hangUpRequested(channelID: channelID, id: id)
                case .cancelled(let id):
                    actions = machine.requestCancelled(id)
                case .stop(let logoff):
                    actions = machine.stopRequested(logoff: logoff)
                }
                guard perform(actions) else { break }
            }
            // Cancelled (the stream ends) or stopped: whatever still waits learns it is over.
            _ = perform(machine.stopRequested(logoff: false))
            connection?.channel.close(promise: nil)
            group.cancelAll()
        }
        inputSink.finish()
        let waiters = shared.withLock { shared in
            shared.isFinished = true
            defer { shared.waiters.removeAll() }
            return shared.waiters.values
        }
        for waiter in waiters { waiter.finish() }
    }

    private func reply(_ reply: Reply, to id: RequestID) {
        guard let waiter = shared.withLock({ $0.waiters.removeValue(forKey: id) }) else { return }
        waiter.yield(reply)
        waiter.finish()
    }

    private func publish(_ status: Machine.Status) {
        let now = Date()
        let (old, new) = shared.withLock { shared in
            let old = shared.status
            if case .loggedIn = status.connection {
            } else if old.state.isLoggedIn {
                // "Down since" counts from the moment the last good session ended.
                shared.downSince = now
            }
            shared.status = AMIStatus(
                state: Self.state(status.connection, downSince: shared.downSince), failedAttempts: status.failedAttempts,
                nextAttempt: status.retryDelay.map { now.addingTimeInterval(Self.seconds($0)) })
            return (old, shared.status)
        }
        guard new.state != old.state || new.failedAttempts != old.failedAttempts else { return }
        switch new.state {
        case .loggedIn(let version):
            logger.info("logged in to Asterisk manager \(version)")
        case .down(let reason, _):
            let retry = status.retryDelay.map { "; retrying in \($0)" } ?? ""
            logger.warning("Asterisk manager down: \(reason)\(retry)", metadata: ["ami.attempt": "\(new.failedAttempts)"])
        case .connecting, .connected, .stopped:
            logger.debug("Asterisk manager \(new.state)")
        }
    }

    private static func state(_ connection: Machine.Status.Connection, downSince: Date) -> AMIConnectionState {
        switch connection {
        case .notStarted: return .down(reason: "not started", since: downSince)
        case .connecting: return .connecting
        case .connected(let version): return .connected(asteriskVersion: version)
        case .loggedIn(let version): return .loggedIn(asteriskVersion: version)
        case .down(let reason): return .down(reason: reason, since: downSince)
        case .stopped: return .stopped
        }
    }

    // MARK: - I/O

    /// A sleep until `delay` from now on `clock`, the deadline taken at once.
    private static func sleeper<C: Clock<Duration>>(on clock: C) -> @Sendable (Duration) -> @Sendable () async throws -> Void {
        { delay in
            let deadline = clock.now.advanced(by: delay)
            return { try await clock.sleep(until: deadline, tolerance: nil) }
        }
    }

    /// Opens connection `number`, then reads frames and writes what `run()` sends until it closes.
    private func serveConnection(_ number: Int) async {
        let limits = configuration.decoderLimits
        let asyncChannel: NIOAsyncChannel<AMIFrame, ByteBuffer>
        do {
            asyncChannel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(.nanoseconds(Int64(Self.seconds(configuration.connectTimeout) * 1e9)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AMIDecoder(limits: limits)))
                        return try NIOAsyncChannel<AMIFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            let reason = "cannot connect to \(configuration.host):\(configuration.port): \(Self.describe(error))"
            inputSink.yield(.connectFailed(connection: number, reason: reason))
            return
        }
        let (outgoing, outgoingSink) = AsyncStream.makeStream(of: ByteBuffer.self)
        inputSink.yield(.connected(connection: number, channel: asyncChannel.channel, outgoing: outgoingSink))
        var reason = "Asterisk closed the connection"
        do {
            try await asyncChannel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await frame in inbound { self.inputSink.yield(.frame(connection: number, frame)) }
                    }
                    group.addTask {
                        for await bytes in outgoing { try await outbound.write(bytes) }
                    }
                    defer { group.cancelAll() }
                    try await group.next()
                }
            }
        } catch let error as AMIWireError {
            reason = AMIError.protocolViolation(error).description
        } catch {
            reason = "connection to Asterisk manager lost: \(Self.describe(error))"
        }
        inputSink.yield(.closed(connection: number, reason: reason))
    }

    private static func describe(_ error: any Error) -> String {
        SocketErrorWords.describe(error)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
