import Foundation

/// The manager connection's logic, apart from I/O (the postgres-nio `ConnectionStateMachine`
/// pattern): `AMIClient` tells it what happened — connected, a frame read, a timer fired, the
/// connection closed, a caller asked for a call or a hang-up — and runs the actions it returns.
///
/// It logs in after the banner, pings every `pingInterval` (no Pong within `pingTimeout` drops
/// the connection), reconnects with backoff, matches responses to actions by ActionID, and
/// follows every Originate through its response, `Newchannel`, `OriginateResponse` and `Hangup`
/// to an `OriginateOutcome`.
///
/// Asterisk going down must not look like failed calls. From `ast_begin_shutdown` on (`core stop
/// now`, `core restart gracefully` …) Asterisk 14 and later answer every action with
/// `Response: Error` / `Message: Asterisk is shutting down`, hang up every channel — a call still
/// ringing ends with `OriginateResponse` Failure, Reason 0 — wait for the channels to go, send
/// `Event: Shutdown` and close the connection (`can_safely_quit` and `really_quit` in
/// `main/asterisk.c`, `process_message` in `main/manager.c`). So a call that ends with such a
/// vague failure is settled only once a Ping shows that Asterisk still takes actions; if it
/// does not, the call ends as `.amiDown` (not dialed, not counted), like every call pending
/// when the connection is lost or `Shutdown` arrives.
///
/// Timers are never cancelled: one that no longer matters fires into nothing.
struct AMIConnectionStateMachine {
    /// Identifies a caller waiting in `originate` or `hangUp`.
    typealias RequestID = UInt64

    enum Timer: Hashable, Sendable {
        /// Banner and Login of connection `n` are overdue.
        case login(connection: Int)
        /// Time for the next keepalive Ping on connection `n`.
        case keepalive(connection: Int)
        /// The response to the action with this ActionID is overdue.
        case response(actionID: String)
        /// The `OriginateResponse` of this Originate is overdue.
        case originateResponse(actionID: String)
        /// Waited long enough for the `Hangup` of this failed Originate.
        case hangupCauseGrace(actionID: String)
        /// Time for reconnection attempt `n`.
        case reconnect(attempt: Int)
    }

    enum Action: Equatable, Sendable {
        /// Open a TCP connection to the manager; report `connected` or `connectFailed`.
        case connect
        case send(AMIMessage)
        /// Close the current connection (if any); its `connectionClosed` is expected but not needed.
        case close
        case startTimer(Timer, after: Duration)
        case publish(Status)
        case finishOriginate(RequestID, OriginateOutcome)
        case finishHangUp(RequestID, AMIHangUpResult)
        /// The client has stopped: end `run()`.
        case stop
    }

    /// What `faxline status` and the dispatcher learn; `AMIClient` adds the dates.
    struct Status: Equatable, Sendable {
        enum Connection: Equatable, Sendable {
            case notStarted
            case connecting
            case connected(version: String)
            case loggedIn(version: String)
            case down(reason: String)
            case stopped
        }

        var connection: Connection
        /// Failed connection attempts since the last successful login.
        var failedAttempts: Int
        /// Until the next connection attempt, while down.
        var retryDelay: Duration?
    }

    private enum State {
        case idle
        case connecting(connection: Int)
        case awaitingBanner(connection: Int)
        case loggingIn(connection: Int, version: String)
        case loggedIn(connection: Int, version: String)
        /// Waiting for the timer of reconnection attempt `attempt`.
        case down(attempt: Int, reason: String)
        case loggingOff(connection: Int)
        case stopped
    }

    private enum PendingAction: Equatable {
        case login
        case keepalive
        /// A Ping asking whether Asterisk still takes actions, after a vague failure of this Originate.
        case probe(originate: String)
        case originate
        case hangUp(channelID: UUID, waiters: [RequestID])
        case logoff
    }

    /// One Originate, from sending it to its outcome.
    private struct Call {
        enum Phase: Equatable {
            /// Sent; Asterisk has not answered the action yet.
            case sent
            /// `Originate successfully queued`: the call is being dialed.
            case queued
            /// `OriginateResponse` Failure without a telling reason: waiting for the probe's
            /// answer and the channel's `Hangup` (or `hangupCauseGrace`).
            case settling(OriginateResponseEvent)
        }

        let request: RequestID
        let actionID: String
        let channelID: UUID
        let responseLimit: Duration
        var phase = Phase.sent
        /// From `Newchannel`.
        var channelName: String?
        var hangup: HangupEvent?
        var probeAnswered = false
        var graceOver = false
        /// Faxline wants the call gone: it ends as `.cancelled` unless it had been answered.
        var hangUpWanted = false
        /// Callers of `hangUp` waiting for a channel to hang up.
        var hangUpWaiters: [RequestID] = []
        /// The `Channel` of the `Hangup` action in flight, if one is.
        var hangUpTarget: String?

        var uniqueID: String { channelID.uuidString.lowercased() }
    }

    let configuration: AMIClientConfiguration
    private let actionIDPrefix: String
    private var state = State.idle
    private var connectionCount = 0
    private var actionCount: UInt64 = 0
    private var backoff: AMIReconnectBackoff
    private var failedAttempts = 0
    private var retryDelay: Duration?
    /// Actions waiting for their response, in the order sent.
    private var pending: [(actionID: String, action: PendingAction)] = []
    private var calls: [Call] = []

    init(configuration: AMIClientConfiguration, actionIDPrefix: String) {
        self.configuration = configuration
        self.actionIDPrefix = actionIDPrefix
        self.backoff = configuration.backoff
    }

    var status: Status {
        let connection: Status.Connection
        switch state {
        case .idle: connection = .notStarted
        case .connecting, .awaitingBanner: connection = .connecting
        case .loggingIn(_, let version): connection = .connected(version: version)
        case .loggedIn(_, let version): connection = .loggedIn(version: version)
        case .down(_, let reason): connection = .down(reason: reason)
        case .loggingOff, .stopped: connection = .stopped
        }
        return Status(connection: connection, failedAttempts: failedAttempts, retryDelay: retryDelay)
    }

    // MARK: - Connection

    mutating func start() -> [Action] {
        guard case .idle = state else { return [] }
        return beginConnecting()
    }

    mutating func connected() -> [Action] {
        guard case .connecting(let number) = state else { return [] }
        state = .awaitingBanner(connection: number)
        return [.startTimer(.login(connection: number), after: configuration.loginTimeout)]
    }

    mutating func connectFailed(_ reason: String) -> [Action] {
        guard case .connecting = state else { return [] }
        return goDown(reason)
    }

    mutating func connectionClosed(_ reason: String) -> [Action] {
        switch state {
        case .connecting, .awaitingBanner, .loggingIn, .loggedIn:
            return goDown(reason)
        case .loggingOff:
            return finishStop()
        case .idle, .down, .stopped:
            return []
        }
    }

    mutating func frameReceived(_ frame: AMIFrame) -> [Action] {
        switch frame {
        case .banner(let version):
            guard case .awaitingBanner(let number) = state else { return [] }
            state = .loggingIn(connection: number, version: version)
            let id = nextActionID()
            pending.append((id, .login))
            let login = AMIMessage([
                "Action": "Login", "ActionID": id, "Username": configuration.username, "Secret": configuration.secret.revealed,
                "Events": configuration.events,
            ])
            return [.send(login), .publish(status)]
        case .message(let message):
            switch message.kind {
            case .response:
                return responseReceived(message)
            case .event:
                guard isConnected, let event = AMIEvent(message) else { return [] }
                return eventReceived(event)
            case .action, .unknown:
                return []
            }
        }
    }

    mutating func timerFired(_ timer: Timer) -> [Action] {
        switch timer {
        case .login(let number):
            switch state {
            case .awaitingBanner(number):
                return goDown(AMIError.timeout(action: "the banner", after: configuration.loginTimeout).description)
            case .loggingIn(number, _):
                return goDown(AMIError.timeout(action: "Login", after: configuration.loginTimeout).description)
            default:
                return []
            }
        case .keepalive(let number):
            guard case .loggedIn(number, _) = state else { return [] }
            return sendPing(.keepalive)
        case .response(let actionID):
            guard let index = pending.firstIndex(where: { $0.actionID == actionID }) else { return [] }
            return responseOverdue(pending.remove(at: index))
        case .originateResponse(let actionID):
            guard let index = calls.firstIndex(where: { $0.actionID == actionID }) else { return [] }
            let call = calls[index]
            guard call.phase == .queued else { return [] }
            calls.remove(at: index)
            let why = "no OriginateResponse from Asterisk within \(call.responseLimit)"
            return finish(call, cause: .failed(why), wasQueued: true)
        case .hangupCauseGrace(let actionID):
            guard let index = calls.firstIndex(where: { $0.actionID == actionID }) else { return [] }
            calls[index].graceOver = true
            return settleIfReady(index)
        case .reconnect(let attempt):
            guard case .down(attempt, _) = state else { return [] }
            return beginConnecting()
        }
    }

    mutating func stopRequested(logoff: Bool) -> [Action] {
        switch state {
        case .loggedIn(let number, _) where logoff:
            var actions = failEverything()
            state = .loggingOff(connection: number)
            let id = nextActionID()
            pending.append((id, .logoff))
            actions += [
                .send(AMIMessage(["Action": "Logoff", "ActionID": id])),
                .startTimer(.response(actionID: id), after: configuration.logoffTimeout), .publish(status),
            ]
            return actions
        case .loggingOff, .stopped:
            return []
        case .idle, .connecting, .awaitingBanner, .loggingIn, .loggedIn, .down:
            return finishStop()
        }
    }

    // MARK: - Requests

    mutating func originateRequested(_ request: OriginateRequest, id: RequestID) -> [Action] {
        guard case .loggedIn = state else {
            let outcome = OriginateOutcome(cause: .amiDown, channelID: request.channelID, actionID: "", wasQueued: false)
            return [.finishOriginate(id, outcome)]
        }
        let actionID = nextActionID()
        let message: AMIMessage
        do {
            message = try request.makeAction(actionID: actionID)
        } catch {
            let outcome = OriginateOutcome(cause: .failed(error.description), channelID: request.channelID, actionID: "", wasQueued: false)
            return [.finishOriginate(id, outcome)]
        }
        let responseLimit = request.dialTimeout + configuration.originateResponseMargin
        calls.append(Call(request: id, actionID: actionID, channelID: request.channelID, responseLimit: responseLimit))
        pending.append((actionID, .originate))
        return [.send(message), .startTimer(.response(actionID: actionID), after: configuration.actionTimeout)]
    }

    /// A call still being dialed is hung up as soon as it has a channel (and ends as
    /// `.cancelled`); any other channel with this Uniqueid (an answered call) at once.
    mutating func hangUpRequested(channelID: UUID, id: RequestID) -> [Action] {
        guard case .loggedIn = state else { return [.finishHangUp(id, .managerDown)] }
        guard let index = calls.firstIndex(where: { $0.channelID == channelID }) else {
            return sendHangUp(channel: channelID.uuidString.lowercased(), channelID: channelID, waiters: [id])
        }
        calls[index].hangUpWanted = true
        calls[index].hangUpWaiters.append(id)
        // Before `queued` the channel cannot exist yet; once settling it is gone.
        guard calls[index].phase == .queued, calls[index].hangUpTarget == nil else { return [] }
        return hangUpCall(at: index)
    }

    /// The caller stopped waiting (its task was cancelled): forget it, send nothing.
    mutating func requestCancelled(_ id: RequestID) -> [Action] {
        if let index = calls.firstIndex(where: { $0.request == id }) {
            let actionID = calls.remove(at: index).actionID
            pending.removeAll { $0.actionID == actionID || $0.action == .probe(originate: actionID) }
        }
        for index in calls.indices { calls[index].hangUpWaiters.removeAll { $0 == id } }
        for index in pending.indices {
            if case .hangUp(let channelID, let waiters) = pending[index].action, waiters.contains(id) {
                pending[index].action = .hangUp(channelID: channelID, waiters: waiters.filter { $0 != id })
            }
        }
        return []
    }

    // MARK: - Responses

    private mutating func responseReceived(_ message: AMIMessage) -> [Action] {
        guard let id = message.actionID, let index = pending.firstIndex(where: { $0.actionID == id }) else { return [] }
        let (actionID, action) = pending.remove(at: index)
        let succeeded = message.isSuccessResponse
        if action != .logoff, !succeeded, Self.isShuttingDownRefusal(message) {
            var actions: [Action] = []
            if case .hangUp(_, let waiters) = action { actions = waiters.map { .finishHangUp($0, .managerDown) } }
            return actions + goDown(AMIError.shuttingDown(restart: nil).description)
        }
        switch action {
        case .login:
            guard case .loggingIn(let number, let version) = state else { return [] }
            guard succeeded else {
                return goDown(AMIError.authenticationFailed(message.message ?? "no message").description)
            }
            state = .loggedIn(connection: number, version: version)
            backoff.reset()
            failedAttempts = 0
            retryDelay = nil
            return [.startTimer(.keepalive(connection: number), after: configuration.pingInterval), .publish(status)]
        case .keepalive:
            guard case .loggedIn(let number, _) = state else { return [] }
            return [.startTimer(.keepalive(connection: number), after: configuration.pingInterval)]
        case .probe(let originate):
            guard let call = calls.firstIndex(where: { $0.actionID == originate }) else { return [] }
            calls[call].probeAnswered = true
            return settleIfReady(call)
        case .originate:
            return originateAnswered(actionID, message, succeeded: succeeded)
        case .hangUp(let channelID, let waiters):
            return hangUpAnswered(channelID: channelID, waiters: waiters, message, succeeded: succeeded)
        case .logoff:
            return finishStop()
        }
    }

    private mutating func responseOverdue(_ overdue: (actionID: String, action: PendingAction)) -> [Action] {
        switch overdue.action {
        case .login:
            return goDown(AMIError.timeout(action: "Login", after: configuration.loginTimeout).description)
        case .keepalive, .probe:
            return goDown(AMIError.keepaliveMissed(after: configuration.pingTimeout).description)
        case .originate:
            guard let index = calls.firstIndex(where: { $0.actionID == overdue.actionID }) else { return [] }
            return finish(calls.remove(at: index), cause: .amiDown, wasQueued: false)
        case .hangUp(let channelID, let waiters):
            if let index = calls.firstIndex(where: { $0.channelID == channelID }) { calls[index].hangUpTarget = nil }
            return waiters.map { .finishHangUp($0, .managerDown) }
        case .logoff:
            return finishStop()
        }
    }

    private mutating func originateAnswered(_ actionID: String, _ message: AMIMessage, succeeded: Bool) -> [Action] {
        guard let index = calls.firstIndex(where: { $0.actionID == actionID }), calls[index].phase == .sent else { return [] }
        guard succeeded else {
            let call = calls.remove(at: index)
            let why = "Asterisk refused the Originate: \(message.message ?? "no message")"
            return finish(call, cause: .failed(why), wasQueued: false)
        }
        calls[index].phase = .queued
        // Counted from here: how long the far end may ring, and a margin.
        var actions: [Action] = [.startTimer(.originateResponse(actionID: actionID), after: calls[index].responseLimit)]
        if calls[index].hangUpWanted { actions += hangUpCall(at: index) }
        return actions
    }

    private mutating func hangUpAnswered(channelID: UUID, waiters: [RequestID], _ message: AMIMessage, succeeded: Bool)
        -> [Action]
    {
        let index = calls.firstIndex { $0.channelID == channelID }
        let triedTarget = index.flatMap { calls[$0].hangUpTarget }
        if let index { calls[index].hangUpTarget = nil }
        if succeeded {
            var waiting = waiters
            if let index {
                waiting += calls[index].hangUpWaiters
                calls[index].hangUpWaiters = []
            }
            return waiting.map { .finishHangUp($0, .hungUp) }
        }
        let text = message.message ?? "no message"
        guard text.lowercased().contains("no such channel") else {
            return waiters.map { .finishHangUp($0, .refused(text)) }
        }
        guard let index else { return waiters.map { .finishHangUp($0, .alreadyEnded) } }
        // The call is still dialed but its channel was not found: not made yet (then
        // `Newchannel` brings it) or just gone (then `OriginateResponse` follows).
        calls[index].hangUpWaiters += waiters
        if let name = calls[index].channelName, name != triedTarget, calls[index].phase == .queued {
            return hangUpCall(at: index)
        }
        return []
    }

    // MARK: - Events

    private mutating func eventReceived(_ event: AMIEvent) -> [Action] {
        switch event {
        case .originateResponse(let response):
            guard let id = response.actionID, let index = calls.firstIndex(where: { $0.actionID == id }) else { return [] }
            return originateResponded(index, response)
        case .newchannel(let channel):
            guard let index = callIndex(uniqueID: channel.uniqueID) else { return [] }
            calls[index].channelName = channel.channel
            guard calls[index].hangUpWanted, calls[index].phase == .queued, calls[index].hangUpTarget == nil else { return [] }
            return hangUpCall(at: index)
        case .hangup(let hangup):
            guard let index = callIndex(uniqueID: hangup.uniqueID) else { return [] }
            calls[index].hangup = hangup
            return settleIfReady(index)
        case .shutdown(let shutdown):
            return goDown(AMIError.shuttingDown(restart: shutdown.restart).description)
        case .fullyBooted, .other:
            return []
        }
    }

    private mutating func originateResponded(_ index: Int, _ response: OriginateResponseEvent) -> [Action] {
        // The event may overtake the action's own response.
        if calls[index].phase == .sent {
            let actionID = calls[index].actionID
            pending.removeAll { $0.actionID == actionID }
        }
        calls[index].phase = .settling(response)
        let call = calls[index]
        if response.succeeded {
            // Answered just before (or despite) a hang-up: hang up the answered channel.
            var actions = call.hangUpWanted ? hangUpCall(at: index, channel: response.channel) : []
            actions += settle(index)
            return actions
        }
        if call.hangUpWanted || AsteriskDialOutcomes.reasonIsSpecific(response.reason) {
            return settle(index)
        }
        let settled = settleIfReady(index)
        if !settled.isEmpty { return settled }
        var actions = sendPing(.probe(originate: call.actionID))
        if call.hangup == nil {
            actions.append(.startTimer(.hangupCauseGrace(actionID: call.actionID), after: configuration.hangupCauseGrace))
        }
        return actions
    }

    // MARK: - Settling calls

    /// A settling call ends once Asterisk has shown it still takes actions (or the Hangup
    /// cause tells by itself) and the Hangup has come (or waiting for it is over).
    private mutating func settleIfReady(_ index: Int) -> [Action] {
        let call = calls[index]
        guard case .settling = call.phase else { return [] }
        let causeTells = AsteriskDialOutcomes.hangupCauseIsSpecific(call.hangup?.cause)
        guard call.probeAnswered || causeTells, call.hangup != nil || call.graceOver else { return [] }
        return settle(index)
    }

    private mutating func settle(_ index: Int) -> [Action] {
        let call = calls.remove(at: index)
        pending.removeAll { $0.action == .probe(originate: call.actionID) }
        guard case .settling(let response) = call.phase else { return [] }
        let cause: DialFailureCause
        if call.hangUpWanted {
            cause = .cancelled
        } else {
            cause = AsteriskDialOutcomes.cause(
                response: response.response, reason: response.reason, hangupCause: call.hangup?.cause,
                hangupCauseText: call.hangup?.causeText)
        }
        return finish(call, cause: cause, wasQueued: true)
    }

    /// The call's outcome, and its hang-up waiters told the call is over.
    private func finish(_ call: Call, cause: DialFailureCause, wasQueued: Bool) -> [Action] {
        var outcome = OriginateOutcome(
            cause: cause, channelID: call.channelID, actionID: call.actionID, wasQueued: wasQueued,
            hangupCause: call.hangup?.cause, hangupCauseText: call.hangup?.causeText, channel: call.channelName)
        if case .settling(let response) = call.phase {
            outcome.reason = response.reason
            outcome.channel = response.channel ?? call.channelName
            outcome.uniqueID = response.uniqueID
        }
        return [.finishOriginate(call.request, outcome)] + call.hangUpWaiters.map { .finishHangUp($0, .alreadyEnded) }
    }

    // MARK: - Helpers

    private mutating func hangUpCall(at index: Int, channel: String? = nil) -> [Action] {
        let target = channel ?? calls[index].channelName ?? calls[index].uniqueID
        calls[index].hangUpTarget = target
        let waiters = calls[index].hangUpWaiters
        calls[index].hangUpWaiters = []
        return sendHangUp(channel: target, channelID: calls[index].channelID, waiters: waiters)
    }

    private mutating func sendHangUp(channel: String, channelID: UUID, waiters: [RequestID]) -> [Action] {
        let id = nextActionID()
        pending.append((id, .hangUp(channelID: channelID, waiters: waiters)))
        // Cause 16, normal clearing: what the far end is told.
        let hangUp = AMIMessage(["Action": "Hangup", "ActionID": id, "Channel": channel, "Cause": "16"])
        return [.send(hangUp), .startTimer(.response(actionID: id), after: configuration.actionTimeout)]
    }

    private mutating func sendPing(_ purpose: PendingAction) -> [Action] {
        let id = nextActionID()
        pending.append((id, purpose))
        return [
            .send(AMIMessage(["Action": "Ping", "ActionID": id])),
            .startTimer(.response(actionID: id), after: configuration.pingTimeout),
        ]
    }

    private mutating func beginConnecting() -> [Action] {
        connectionCount += 1
        state = .connecting(connection: connectionCount)
        retryDelay = nil
        return [.connect, .publish(status)]
    }

    /// Everything waiting on the connection learns it is gone; the next attempt is scheduled.
    private mutating func goDown(_ reason: String) -> [Action] {
        var actions = failEverything()
        if isConnected { actions.append(.close) }
        failedAttempts += 1
        let delay = backoff.nextDelay()
        retryDelay = delay
        state = .down(attempt: failedAttempts, reason: reason)
        actions += [.startTimer(.reconnect(attempt: failedAttempts), after: delay), .publish(status)]
        return actions
    }

    private mutating func finishStop() -> [Action] {
        var actions = failEverything()
        if isConnected { actions.append(.close) }
        state = .stopped
        retryDelay = nil
        actions += [.publish(status), .stop]
        return actions
    }

    private mutating func failEverything() -> [Action] {
        var actions: [Action] = []
        for call in calls {
            actions += finish(call, cause: .amiDown, wasQueued: call.phase != .sent).map { action in
                if case .finishHangUp(let waiter, _) = action { return .finishHangUp(waiter, .managerDown) }
                return action
            }
        }
        calls.removeAll()
        for (_, action) in pending {
            if case .hangUp(_, let waiters) = action { actions += waiters.map { .finishHangUp($0, .managerDown) } }
        }
        pending.removeAll()
        return actions
    }

    private var isConnected: Bool {
        switch state {
        case .awaitingBanner, .loggingIn, .loggedIn, .loggingOff: return true
        case .idle, .connecting, .down, .stopped: return false
        }
    }

    private func callIndex(uniqueID: String) -> Int? {
        guard let id = UUID(uuidString: uniqueID) else { return nil }
        return calls.firstIndex { $0.channelID == id }
    }

    private mutating func nextActionID() -> String {
        actionCount += 1
        return actionIDPrefix + String(actionCount)
    }

    /// `Response: Error` / `Message: Asterisk is shutting down`: every action from
    /// `ast_begin_shutdown` on, Login included (Asterisk 14 and later).
    static func isShuttingDownRefusal(_ message: AMIMessage) -> Bool {
        guard case .response(let value) = message.kind, AMIMessage.keysMatch(value, "Error") else { return false }
        return message.message?.lowercased().contains("shutting down") ?? false
    }
}
