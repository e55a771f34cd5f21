import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The Asterisk Manager Interface client: one connection, kept up for as long as the
/// service runs.
///
/// It reads the banner, logs in, pings every `pingInterval` (a missing Pong drops the
/// connection), and reconnects with exponential backoff after the connection drops or
/// Asterisk restarts. Actions get fresh ActionIDs and wait for their response; events go
/// to every `events()` stream. `state` says why outbound calls cannot be placed.
public actor AMIClient: Service {
    private struct LiveConnection {
        let number: Int
        let outgoing: AsyncStream<ByteBuffer>.Continuation
        let channel: any Channel
    }

    private struct PendingReply {
        let continuation: CheckedContinuation<AMIMessage, any Error>
        let timer: Task<Void, Never>
    }

    /// An event somebody waits for, keyed by what identifies it.
    private enum EventSlot {
        /// Registered before the action went out; the event may come before anyone waits.
        case expected
        case arrived(AMIMessage)
        case waiting(CheckedContinuation<AMIMessage, any Error>, timer: Task<Void, Never>)
        case failed(any Error)
    }

    private struct HangupRecord {
        let cause: Int?
        let text: String?
    }

    public let configuration: AMIClientConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private var logger: Logger

    private var state: AMIConnectionState
    private var downSince: Date
    private var backoff: AMIReconnectBackoff
    private var failedAttempts = 0
    private var nextAttempt: Date?
    private var isShuttingDown = false
    private var backoffSleeper: Task<Void, Never>?

    private var connection: LiveConnection?
    private var connectionCount = 0
    private var banner: String?
    private var bannerWaiter: PendingReply?

    private let actionIDPrefix: String
    private var actionCount: UInt64 = 0
    private var pendingReplies: [String: PendingReply] = [:]
    private var awaitedEvents: [String: EventSlot] = [:]

    /// Hangups seen lately, by Uniqueid: a failed call's Hangup often arrives before its
    /// OriginateResponse.
    private var recentHangups: [String: HangupRecord] = [:]
    private var recentHangupOrder: [String] = []
    private static let recentHangupLimit = 512

    private var subscriberCount = 0
    private var eventSubscribers: [Int: AsyncStream<AMIMessage>.Continuation] = [:]
    private var stateSubscribers: [Int: AsyncStream<AMIConnectionState>.Continuation] = [:]

    public init(
        configuration: AMIClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "faxline.ami")
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        var logger = logger
        logger[metadataKey: "ami.server"] = "\(configuration.host):\(configuration.port)"
        self.logger = logger
        self.backoff = configuration.backoff
        let now = Date()
        self.downSince = now
        self.state = .down(reason: "not started", since: now)
        self.actionIDPrefix = "faxline-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))-"
    }

    // MARK: - Public interface

    public var currentState: AMIConnectionState { state }

    public func status() -> AMIStatus {
        AMIStatus(state: state, failedAttempts: failedAttempts, nextAttempt: nextAttempt)
    }

    /// Every event from now on (OriginateResponse, Hangup …), across reconnections.
    /// The stream ends when the client stops.
    public func events(bufferingNewest limit: Int = 1024) -> AsyncStream<AMIMessage> {
        let (stream, continuation) = AsyncStream.makeStream(of: AMIMessage.self, bufferingPolicy: .bufferingNewest(limit))
        guard state != .stopped else {
            continuation.finish()
            return stream
        }
        subscriberCount += 1
        let id = subscriberCount
        eventSubscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.removeSubscriber(id) } }
        return stream
    }

    /// The current state, then every change.
    public func stateUpdates() -> AsyncStream<AMIConnectionState> {
        let (stream, continuation) = AsyncStream.makeStream(of: AMIConnectionState.self, bufferingPolicy: .bufferingNewest(64))
        continuation.yield(state)
        guard state != .stopped else {
            continuation.finish()
            return stream
        }
        subscriberCount += 1
        let id = subscriberCount
        stateSubscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.removeSubscriber(id) } }
        return stream
    }

    /// Returns once logged in; throws `AMIError.timeout` if that takes longer than `timeout`.
    public func waitUntilLoggedIn(timeout: Duration) async throws {
        if state.isLoggedIn { return }
        let updates = stateUpdates()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await state in updates where state.isLoggedIn { return true }
                return false
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let loggedIn = try await group.next() ?? false
            group.cancelAll()
            if !loggedIn { throw AMIError.timeout(action: "Login", after: timeout) }
        }
    }

    /// Sends `action` (its ActionID is set here) and returns the response.
    /// Throws `AMIError.actionFailed` for `Response: Error`, `.notConnected` when not logged in.
    public func send(_ action: AMIMessage, timeout: Duration? = nil) async throws -> AMIMessage {
        try await sendAction(action, actionID: nil, timeout: timeout ?? configuration.actionTimeout, requireLogin: true)
    }

    /// Round trip of one Ping.
    public func ping() async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await send(AMIMessage(["Action": "Ping"]), timeout: configuration.pingTimeout)
        return clock.now - start
    }

    /// Places one call with `Originate` (`Async: true`) and waits for its
    /// `OriginateResponse` (at most the dial timeout plus `originateResponseMargin`).
    ///
    /// Never throws for what happens on the line or to the connection — that is the
    /// outcome's `cause`; while the manager is unreachable it returns `.amiDown` at once.
    /// Throws `OriginateRequestError` for a request that cannot be sent safely, and
    /// `CancellationError` when the calling task is cancelled.
    public func originate(_ request: OriginateRequest) async throws -> OriginateOutcome {
        let actionID = makeActionID()
        let action = try request.makeAction(actionID: actionID)
        var logger = self.logger
        logger[metadataKey: "ami.action_id"] = "\(actionID)"
        guard state.isLoggedIn, connection != nil else {
            logger.info("Originate not sent: Asterisk manager is down", metadata: ["ami.state": "\(state)"])
            return OriginateOutcome(cause: .amiDown, actionID: actionID, wasQueued: false)
        }

        let eventKey = Self.originateKey(actionID)
        awaitedEvents[eventKey] = .expected
        defer { awaitedEvents[eventKey] = nil }
        do {
            _ = try await sendAction(action, actionID: actionID, timeout: configuration.actionTimeout, requireLogin: true)
        } catch let error as AMIError {
            switch error {
            case .actionFailed(_, let message):
                logger.warning("Originate refused", metadata: ["ami.message": "\(message)"])
                return OriginateOutcome(cause: .failed("Asterisk refused the Originate: \(message)"), actionID: actionID, wasQueued: false)
            case .notConnected, .connectionLost, .timeout:
                logger.warning("Originate not confirmed: \(error)")
                return OriginateOutcome(cause: .amiDown, actionID: actionID, wasQueued: false)
            default:
                throw error
            }
        }
        logger.debug("Originate queued", metadata: ["ami.channel": "\(request.channel)"])

        let waitLimit = request.dialTimeout + configuration.originateResponseMargin
        let response: AMIMessage
        do {
            response = try await awaitEvent(eventKey, timeout: waitLimit, what: "OriginateResponse")
        } catch let error as AMIError {
            switch error {
            case .timeout:
                logger.warning("no OriginateResponse within \(waitLimit)")
                return OriginateOutcome(cause: .failed("no OriginateResponse from Asterisk within \(waitLimit)"), actionID: actionID, wasQueued: true)
            default:
                logger.warning("lost the manager connection while the call was dialed: \(error)")
                return OriginateOutcome(cause: .amiDown, actionID: actionID, wasQueued: true)
            }
        }

        let responseValue = response["Response"] ?? ""
        let reason = response["Reason"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let uniqueID = response["Uniqueid"].flatMap { $0.isEmpty || $0 == "<null>" ? nil : $0 }
        var hangup = uniqueID.flatMap { recentHangups[$0] }
        let answered = AMIMessage.keysMatch(responseValue, "Success")
        let reasonIsVague = AsteriskDialOutcomes.reasonTable.first { $0.reason == reason }?.cause == nil
        if !answered, reasonIsVague, hangup == nil, let uniqueID {
            let hangupKey = Self.hangupKey(uniqueID)
            if let event = try? await awaitEvent(hangupKey, timeout: configuration.hangupCauseGrace, what: "Hangup") {
                hangup = Self.hangupRecord(event)
            }
        }
        let cause = AsteriskDialOutcomes.cause(
            response: responseValue, reason: reason, hangupCause: hangup?.cause, hangupCauseText: hangup?.text)
        let outcome = OriginateOutcome(
            cause: cause, actionID: actionID, wasQueued: true, reason: reason, hangupCause: hangup?.cause,
            hangupCauseText: hangup?.text, channel: response["Channel"], uniqueID: uniqueID)
        logger.info("Originate ended: \(outcome)")
        return outcome
    }

    // MARK: - Service

    public func run() async throws {
        guard !isShuttingDown, state != .stopped else { return }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await self.connectionLoop()
            } onCancel: {
                Task { await self.stop(logoff: false) }
            }
        } onGracefulShutdown: {
            Task { await self.stop(logoff: true) }
        }
    }

    /// Logs off (when `logoff`), closes the connection and ends `run()`.
    public func stop(logoff: Bool = true) async {
        guard !isShuttingDown else { return }
        isShuttingDown = true
        backoffSleeper?.cancel()
        if logoff, state.isLoggedIn, connection != nil {
            do {
                _ = try await sendAction(
                    AMIMessage(["Action": "Logoff"]), actionID: nil, timeout: configuration.logoffTimeout, requireLogin: true)
            } catch {
                logger.debug("Logoff not confirmed: \(error)")
            }
        }
        connection?.channel.close(promise: nil)
    }

    private func connectionLoop() async {
        while !isShuttingDown && !Task.isCancelled {
            setState(.connecting)
            let reason: String
            do {
                try await connectAndServe()
                reason = "the connection ended"
            } catch let error as AMIError {
                reason = error.description
            } catch let error as IOError {
                reason = "cannot connect to \(configuration.host):\(configuration.port): \(error.description)"
            } catch let error as ChannelError {
                reason = "cannot connect to \(configuration.host):\(configuration.port): \(error)"
            } catch {
                reason = "\(error)"
            }
            connectionEnded(reason: reason)
            if isShuttingDown || Task.isCancelled { break }

            failedAttempts += 1
            let delay = backoff.nextDelay()
            nextAttempt = Date().addingTimeInterval(Self.seconds(delay))
            setState(.down(reason: reason, since: downSince))
            logger.warning("Asterisk manager down: \(reason); retrying in \(delay)", metadata: ["ami.attempt": "\(failedAttempts)"])
            let sleeper = Task { _ = try? await Task.sleep(for: delay) }
            backoffSleeper = sleeper
            await sleeper.value
            backoffSleeper = nil
            nextAttempt = nil
        }
        connectionEnded(reason: "AMI client stopped")
        setState(.stopped)
        for subscriber in eventSubscribers.values { subscriber.finish() }
        for subscriber in stateSubscribers.values { subscriber.finish() }
        eventSubscribers.removeAll()
        stateSubscribers.removeAll()
    }

    private func connectAndServe() async throws {
        let asyncChannel = try await ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(.nanoseconds(Int64(Self.seconds(configuration.connectTimeout) * 1e9)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        connectionCount += 1
        let number = connectionCount
        let (outgoing, outgoingContinuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        connection = LiveConnection(number: number, outgoing: outgoingContinuation, channel: asyncChannel.channel)
        banner = nil
        if isShuttingDown { asyncChannel.channel.close(promise: nil) }
        logger.debug("connected", metadata: ["ami.connection": "\(number)"])

        try await asyncChannel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.readLoop(inbound, connection: number) }
                group.addTask {
                    for await buffer in outgoing { try await outbound.write(buffer) }
                }
                group.addTask { try await self.session(connection: number) }
                defer {
                    asyncChannel.channel.close(promise: nil)
                    group.cancelAll()
                }
                try await group.next()
            }
        }
    }

    private nonisolated func readLoop(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>, connection: Int) async throws {
        var decoder = AMIDecoder(limits: configuration.decoderLimits)
        for try await bytes in inbound {
            decoder.append(bytes)
            let frames: [AMIFrame]
            do {
                frames = try decoder.drain()
            } catch {
                throw AMIError.protocolViolation(error)
            }
            for frame in frames { await receive(frame, connection: connection) }
        }
        throw AMIError.connectionLost("Asterisk closed the connection")
    }

    /// Banner, Login, then Pings until something fails.
    private func session(connection: Int) async throws {
        let version = try await waitForBanner(timeout: configuration.loginTimeout)
        setState(.connected(asteriskVersion: version))
        let login = AMIMessage([
            "Action": "Login", "Username": configuration.username, "Secret": configuration.secret, "Events": configuration.events,
        ])
        do {
            _ = try await sendAction(login, actionID: nil, timeout: configuration.loginTimeout, requireLogin: false)
        } catch AMIError.actionFailed(_, let message) {
            throw AMIError.authenticationFailed(message)
        }
        backoff.reset()
        failedAttempts = 0
        setState(.loggedIn(asteriskVersion: version))
        logger.info("logged in to Asterisk manager \(version)")

        while true {
            try await Task.sleep(for: configuration.pingInterval)
            do {
                _ = try await sendAction(
                    AMIMessage(["Action": "Ping"]), actionID: nil, timeout: configuration.pingTimeout, requireLogin: false)
            } catch AMIError.timeout {
                throw AMIError.keepaliveMissed(after: configuration.pingTimeout)
            }
        }
    }

    // MARK: - Incoming

    private func receive(_ frame: AMIFrame, connection number: Int) {
        guard number == connection?.number else { return }
        switch frame {
        case .banner(let version):
            banner = version
            if let waiter = bannerWaiter {
                bannerWaiter = nil
                waiter.timer.cancel()
                waiter.continuation.resume(returning: AMIMessage(["Banner": version]))
            }
        case .message(let message):
            switch message.kind {
            case .response:
                guard let id = message.actionID, let reply = pendingReplies.removeValue(forKey: id) else {
                    logger.debug("response to no pending action: \(message)")
                    return
                }
                reply.timer.cancel()
                reply.continuation.resume(returning: message)
            case .event:
                handleEvent(message)
            case .action, .unknown:
                logger.debug("ignoring message from Asterisk: \(message)")
            }
        }
    }

    private func handleEvent(_ event: AMIMessage) {
        if event.isEvent("OriginateResponse"), let id = event.actionID {
            deliver(event, to: Self.originateKey(id))
        } else if event.isEvent("Hangup"), let uniqueID = event["Uniqueid"] {
            rememberHangup(uniqueID, Self.hangupRecord(event))
            deliver(event, to: Self.hangupKey(uniqueID))
        }
        for subscriber in eventSubscribers.values { subscriber.yield(event) }
    }

    private func deliver(_ event: AMIMessage, to key: String) {
        switch awaitedEvents[key] {
        case .expected?:
            awaitedEvents[key] = .arrived(event)
        case .waiting(let continuation, let timer)?:
            awaitedEvents[key] = nil
            timer.cancel()
            continuation.resume(returning: event)
        case .arrived?, .failed?, nil:
            break
        }
    }

    private func rememberHangup(_ uniqueID: String, _ record: HangupRecord) {
        if recentHangups.updateValue(record, forKey: uniqueID) == nil {
            recentHangupOrder.append(uniqueID)
        }
        if recentHangupOrder.count > Self.recentHangupLimit {
            let overflow = recentHangupOrder.count - Self.recentHangupLimit
            for old in recentHangupOrder.prefix(overflow) { recentHangups[old] = nil }
            recentHangupOrder.removeFirst(overflow)
        }
    }

    // MARK: - Waiting

    private func sendAction(_ action: AMIMessage, actionID: String?, timeout: Duration, requireLogin: Bool) async throws
        -> AMIMessage
    {
        guard let connection, !requireLogin || state.isLoggedIn else { throw AMIError.notConnected(state) }
        guard let name = action["Action"] else { throw AMIError.invalidAction("no Action field") }
        var action = action
        let id = actionID ?? makeActionID()
        action.set("ActionID", id)
        let bytes: ByteBuffer
        do {
            bytes = try AMIEncoder.encode(action)
        } catch {
            throw AMIError.invalidAction(error.description)
        }
        let reply = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<AMIMessage, any Error>) in
                let timer = Task {
                    do { try await Task.sleep(for: timeout) } catch { return }
                    self.failReply(id, with: AMIError.timeout(action: name, after: timeout))
                }
                pendingReplies[id] = PendingReply(continuation: continuation, timer: timer)
                connection.outgoing.yield(bytes)
            }
        } onCancel: {
            Task { await self.failReply(id, with: CancellationError()) }
        }
        if case .response(let value) = reply.kind, AMIMessage.keysMatch(value, "Error") {
            throw AMIError.actionFailed(action: name, message: reply.message ?? "no message")
        }
        return reply
    }

    private func failReply(_ id: String, with error: any Error) {
        guard let reply = pendingReplies.removeValue(forKey: id) else { return }
        reply.timer.cancel()
        reply.continuation.resume(throwing: error)
    }

    private func waitForBanner(timeout: Duration) async throws -> String {
        if let banner { return banner }
        let message = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<AMIMessage, any Error>) in
                let timer = Task {
                    do { try await Task.sleep(for: timeout) } catch { return }
                    self.failBannerWait(with: AMIError.timeout(action: "banner", after: timeout))
                }
                bannerWaiter = PendingReply(continuation: continuation, timer: timer)
            }
        } onCancel: {
            Task { await self.failBannerWait(with: CancellationError()) }
        }
        return message["Banner"] ?? ""
    }

    private func failBannerWait(with error: any Error) {
        guard let waiter = bannerWaiter else { return }
        bannerWaiter = nil
        waiter.timer.cancel()
        waiter.continuation.resume(throwing: error)
    }

    private func awaitEvent(_ key: String, timeout: Duration, what: String) async throws -> AMIMessage {
        switch awaitedEvents[key] {
        case .arrived(let event)?:
            awaitedEvents[key] = nil
            return event
        case .failed(let error)?:
            awaitedEvents[key] = nil
            throw error
        case .waiting?:
            throw AMIError.invalidAction("already waiting for \(key)")
        case .expected?, nil:
            break
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<AMIMessage, any Error>) in
                let timer = Task {
                    do { try await Task.sleep(for: timeout) } catch { return }
                    self.failEventWait(key, with: AMIError.timeout(action: what, after: timeout))
                }
                awaitedEvents[key] = .waiting(continuation, timer: timer)
            }
        } onCancel: {
            Task { await self.failEventWait(key, with: CancellationError()) }
        }
    }

    private func failEventWait(_ key: String, with error: any Error) {
        guard case .waiting(let continuation, let timer)? = awaitedEvents[key] else { return }
        awaitedEvents[key] = nil
        timer.cancel()
        continuation.resume(throwing: error)
    }

    /// Everything waiting on the connection learns it is gone.
    private func connectionEnded(reason: String) {
        connection?.outgoing.finish()
        connection = nil
        banner = nil
        let error = AMIError.connectionLost(reason)
        failBannerWait(with: error)
        for id in Array(pendingReplies.keys) { failReply(id, with: error) }
        for (key, slot) in awaitedEvents {
            switch slot {
            case .expected:
                awaitedEvents[key] = .failed(error)
            case .waiting:
                failEventWait(key, with: error)
            case .arrived, .failed:
                break
            }
        }
    }

    // MARK: - Helpers

    private func setState(_ newState: AMIConnectionState) {
        guard newState != state else { return }
        // "Down since" counts from the moment the last good session ended.
        if state.isLoggedIn, !newState.isLoggedIn { downSince = Date() }
        state = newState
        for subscriber in stateSubscribers.values { subscriber.yield(newState) }
    }

    private func removeSubscriber(_ id: Int) {
        eventSubscribers[id] = nil
        stateSubscribers[id] = nil
    }

    private func makeActionID() -> String {
        actionCount += 1
        return actionIDPrefix + String(actionCount)
    }

    private static func originateKey(_ actionID: String) -> String { "originate:" + actionID }
    private static func hangupKey(_ uniqueID: String) -> String { "hangup:" + uniqueID }

    private static func hangupRecord(_ event: AMIMessage) -> HangupRecord {
        HangupRecord(cause: event["Cause"].flatMap { Int($0) }, text: event["Cause-txt"])
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
