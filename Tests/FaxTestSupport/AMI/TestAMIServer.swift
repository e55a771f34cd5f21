import Foundation
import NIOCore
import NIOPosix
import Telephony

/// A real Asterisk manager server on 127.0.0.1 for tests: banner, Login (checks the
/// credentials), Ping, Logoff, Originate (answered per a script) and Hangup; it can push
/// events, drop every connection, refuse connections for a while, play an Asterisk shutdown
/// the way Asterisk 14 and later do it, and come back on the same port.
public actor TestAMIServer {
    /// What the server does with the next `Originate`. Every script but `unavailable` and
    /// `refuse` makes a channel (`Newchannel`, `Uniqueid` = the action's `ChannelId`).
    public enum OriginateScript: Sendable, Hashable {
        /// Calls the `onAnswer` hook, then sends `OriginateResponse` Success, reason 4. The
        /// channel stays up until `hangUp` or a `Hangup` action.
        case answer
        /// `Hangup` (cause 17), then `OriginateResponse` Failure, reason 5.
        case busy
        /// `Hangup` (cause 19), then `OriginateResponse` Failure, reason 3.
        case noAnswer
        /// `Hangup` (cause 34), then `OriginateResponse` Failure, reason 8.
        case congestion
        /// `Hangup` with this Q.850 cause, then `OriginateResponse` Failure, reason 1.
        case hangup(cause: Int)
        /// `OriginateResponse` Failure, reason 1, and only then the `Hangup` with this cause.
        case hangupAfterResponse(cause: Int)
        /// `OriginateResponse` Failure, reason 0, no channel: Asterisk could not make one
        /// (`Channel` is the dial string, `Uniqueid` the `ChannelId`).
        case unavailable
        /// `Response: Error` with this message instead of queueing the call.
        case refuse(message: String)
        /// Queued, and the far end rings: no `OriginateResponse` until the call is hung up
        /// (a `Hangup` action, or `beginShutdown`).
        case ring
    }

    /// One `Originate` as the server received it.
    public struct RecordedOriginate: Sendable, Hashable {
        public let action: AMIMessage
        public let actionID: String?
        public let channel: String?
        public let context: String?
        public let exten: String?
        public let callerID: String?
        /// `Timeout` in milliseconds.
        public let timeout: Int?
        /// The `Variable:` lines, split into name=value pairs the way Asterisk splits them
        /// (at commas), so a test sees what Asterisk would have set.
        public let variables: [String: String]
        /// Uniqueid (the `ChannelId` when given) and channel name the server gave the call.
        public let uniqueID: String
        public let channelName: String
    }

    /// A channel that exists: ringing (no `OriginateResponse` yet) or answered.
    private struct LiveChannel {
        let call: RecordedOriginate
        var answered: Bool
    }

    private struct ServerConnection {
        let channel: any Channel
        let outgoing: AsyncStream<ByteBuffer>.Continuation
        var loggedIn = false
        /// The event classes asked for with the Login's `Events` (`on`: all).
        var eventClasses: Set<String> = []
    }

    public nonisolated let username: String
    public nonisolated let secret: String
    public nonisolated let version: String
    /// The bound port; the same after `startListening` again.
    public private(set) var port: Int
    public private(set) var originates: [RecordedOriginate] = []
    /// The `Channel` of every `Hangup` action, in order.
    public private(set) var hangupRequests: [String] = []
    public private(set) var loginAttempts = 0
    public private(set) var successfulLogins = 0
    public private(set) var failedLogins = 0
    public private(set) var pingCount = 0
    public private(set) var logoffCount = 0
    public private(set) var connectionsAccepted = 0
    /// Actions refused with "Asterisk is shutting down".
    public private(set) var refusedWhileShuttingDown = 0

    private var onAnswer: @Sendable (RecordedOriginate) async -> Void
    private var scriptQueue: [OriginateScript] = []
    private var defaultScript: OriginateScript = .answer
    private var answersPings = true
    private var permitsHangup = true
    private var isShuttingDown = false
    private var serverChannel: NIOAsyncChannel<NIOAsyncChannel<AMIMessage, ByteBuffer>, Never>?
    private var connections: [Int: ServerConnection] = [:]
    private var liveChannels: [LiveChannel] = []
    private var connectionCounter = 0
    private var callCounter = 0

    /// Starts listening on 127.0.0.1 and an ephemeral port.
    public static func start(
        username: String = "faxline", secret: String = "faxline-secret", version: String = "5.0.1",
        onAnswer: @escaping @Sendable (RecordedOriginate) async -> Void = { _ in }
    ) async throws -> TestAMIServer {
        let server = TestAMIServer(username: username, secret: secret, version: version, onAnswer: onAnswer)
        try await server.startListening()
        return server
    }

    private init(username: String, secret: String, version: String, onAnswer: @escaping @Sendable (RecordedOriginate) async -> Void) {
        self.username = username
        self.secret = secret
        self.version = version
        self.onAnswer = onAnswer
        self.port = 0
    }

    // MARK: - Script

    /// The hook of `.answer`: play the call into the media path here. The
    /// `OriginateResponse` is sent when the hook returns, so it should return once the call
    /// is connected, not when it ends (see `hangUp`).
    public func setOnAnswer(_ hook: @escaping @Sendable (RecordedOriginate) async -> Void) {
        onAnswer = hook
    }

    /// Scripts for the next Originates, in order; after them `defaultScript` applies.
    public func enqueueOriginateScripts(_ scripts: [OriginateScript]) {
        scriptQueue.append(contentsOf: scripts)
    }

    public func setDefaultOriginateScript(_ script: OriginateScript) {
        defaultScript = script
    }

    /// With false, Pings get no answer (a hung Asterisk).
    public func setAnswersPings(_ answers: Bool) {
        answersPings = answers
    }

    /// With false, `Hangup` actions get "Permission denied" (an account without `write = call`).
    public func setPermitsHangup(_ permits: Bool) {
        permitsHangup = permits
    }

    // MARK: - Events

    /// Sends `event` to every logged-in connection that asked for its class (the first
    /// word of its `Privilege`, `call` when it has none).
    public func sendEvent(_ event: AMIMessage) {
        guard let bytes = try? AMIEncoder.encode(event) else { return }
        let eventClass = event["Privilege"]?.split(separator: ",").first.map { String($0).lowercased() } ?? "call"
        for connection in connections.values where connection.loggedIn {
            guard connection.eventClasses.contains(eventClass) || connection.eventClasses.contains("on") else { continue }
            connection.outgoing.yield(bytes)
        }
    }

    /// The far end hangs up an answered call: its `Hangup` event.
    public func hangUp(_ call: RecordedOriginate, cause: Int = 16) {
        liveChannels.removeAll { $0.call.uniqueID == call.uniqueID }
        sendEvent(Self.hangupEvent(call, cause: cause))
    }

    // MARK: - Asterisk shutting down

    /// The first half of `core stop now` / `core restart now` on Asterisk 14 and later
    /// (`ast_begin_shutdown`, then `ast_softhangup_all`): from now on every action, Login
    /// included, gets `Response: Error` / `Message: Asterisk is shutting down`, and every
    /// call still ringing ends — `Hangup` (cause 0: a soft hangup sets none), then
    /// `OriginateResponse` Failure, Reason 0. Answered calls are hung up too.
    public func beginShutdown() {
        isShuttingDown = true
        let channels = liveChannels
        liveChannels.removeAll()
        for channel in channels {
            sendEvent(Self.hangupEvent(channel.call, cause: 0))
            if !channel.answered {
                sendEvent(Self.originateResponse(channel.call, success: false, reason: 0))
            }
        }
    }

    /// The second half (`really_quit`): `Event: Shutdown` (`Shutdown: Cleanly`, `Restart:
    /// True` or `False`, class system), then every connection closes and the port refuses
    /// connections until `startListening`.
    public func finishShutdown(restart: Bool) async {
        sendEvent(AMIMessage([
            "Event": "Shutdown", "Privilege": "system,all", "Shutdown": "Cleanly", "Restart": restart ? "True" : "False",
        ]))
        await stopListening()
        liveChannels.removeAll()
        // Each connection closes once what was sent on it, the event included, is written.
        for connection in connections.values { connection.outgoing.finish() }
        isShuttingDown = false
    }

    // MARK: - Connections

    public var openConnections: Int { connections.count }

    public func startListening() async throws {
        guard serverChannel == nil else { return }
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AMIActionDecoder()))
                    return try NIOAsyncChannel<AMIMessage, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        port = bound.channel.localAddress?.port ?? port
        serverChannel = bound
        Task { await self.acceptLoop(bound) }
    }

    /// Closes the listener: new connections are refused until `startListening`.
    public func stopListening() async {
        guard let serverChannel else { return }
        self.serverChannel = nil
        serverChannel.channel.close(promise: nil)
        try? await serverChannel.channel.closeFuture.get()
    }

    /// Closes every open connection, as a crashing Asterisk would; its calls are gone.
    public func dropAllConnections() {
        liveChannels.removeAll()
        for connection in connections.values {
            connection.outgoing.finish()
            connection.channel.close(promise: nil)
        }
    }

    public func shutdown() async {
        await stopListening()
        dropAllConnections()
    }

    /// Waits until at least `count` Originates arrived.
    public func waitForOriginates(count: Int, timeout: Duration = .seconds(10)) async throws -> [RecordedOriginate] {
        try await waitUntil(timeout: timeout, "\(count) Originates") { $0.originates.count >= count }
        return originates
    }

    /// Waits until at least `count` successful logins happened.
    public func waitForLogins(count: Int, timeout: Duration = .seconds(10)) async throws {
        try await waitUntil(timeout: timeout, "\(count) logins") { $0.successfulLogins >= count }
    }

    /// Waits until `condition` holds, looking again every few milliseconds; `timeout` only
    /// bounds a test that would otherwise hang.
    public func waitUntil(
        timeout: Duration = .seconds(10), _ what: String, _ condition: @Sendable (isolated TestAMIServer) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(self) {
            guard ContinuousClock.now < deadline else { throw TestAMIServerError.timedOut(what) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    private nonisolated func acceptLoop(_ bound: NIOAsyncChannel<NIOAsyncChannel<AMIMessage, ByteBuffer>, Never>) async {
        try? await bound.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in inbound {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    private nonisolated func serve(_ connection: NIOAsyncChannel<AMIMessage, ByteBuffer>) async {
        let (outgoing, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        let id = await register(connection.channel, continuation)
        do {
            try await connection.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await bytes in outgoing { try await outbound.write(bytes) }
                    }
                    group.addTask {
                        for try await action in inbound { await self.handle(action, connection: id) }
                    }
                    defer {
                        connection.channel.close(promise: nil)
                        group.cancelAll()
                    }
                    try await group.next()
                }
            }
        } catch {
            // A connection's error ends that connection only.
        }
        await unregister(id)
    }

    private func register(_ channel: any Channel, _ outgoing: AsyncStream<ByteBuffer>.Continuation) -> Int {
        connectionCounter += 1
        connectionsAccepted += 1
        connections[connectionCounter] = ServerConnection(channel: channel, outgoing: outgoing)
        if let banner = try? AMIEncoder.encodeBanner(version: version) {
            outgoing.yield(banner)
        }
        return connectionCounter
    }

    private func unregister(_ id: Int) {
        connections.removeValue(forKey: id)?.outgoing.finish()
    }

    // MARK: - Actions

    private func handle(_ action: AMIMessage, connection id: Int) {
        guard let name = action["Action"]?.lowercased() else {
            reply(to: id, action, ["Response": "Error", "Message": "Missing action in request"])
            return
        }
        // process_message in main/manager.c: before anything else, even Login.
        if isShuttingDown {
            refusedWhileShuttingDown += 1
            reply(to: id, action, ["Response": "Error", "Message": "Asterisk is shutting down"])
            return
        }
        if name == "login" {
            login(action, connection: id)
            return
        }
        guard connections[id]?.loggedIn == true else {
            reply(to: id, action, ["Response": "Error", "Message": "Permission denied"])
            return
        }
        switch name {
        case "ping":
            pingCount += 1
            if answersPings {
                reply(to: id, action, ["Response": "Success", "Ping": "Pong", "Timestamp": "1700000000.000000"])
            }
        case "logoff":
            logoffCount += 1
            reply(to: id, action, ["Response": "Goodbye", "Message": "Thanks for all the fish."])
            connections[id]?.outgoing.finish()
        case "originate":
            originate(action, connection: id)
        case "hangup":
            hangup(action, connection: id)
        default:
            reply(to: id, action, ["Response": "Error", "Message": "Invalid/unknown command"])
        }
    }

    private func login(_ action: AMIMessage, connection id: Int) {
        loginAttempts += 1
        guard action["Username"] == username && action["Secret"] == secret else {
            failedLogins += 1
            reply(to: id, action, ["Response": "Error", "Message": "Authentication failed"])
            return
        }
        successfulLogins += 1
        connections[id]?.loggedIn = true
        let events = (action["Events"] ?? "on").lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        connections[id]?.eventClasses = Set(events.contains("off") ? [] : events)
        reply(to: id, action, ["Response": "Success", "Message": "Authentication accepted"])
        sendEvent(AMIMessage(["Event": "FullyBooted", "Privilege": "system,all", "Status": "Fully Booted"]))
    }

    private func originate(_ action: AMIMessage, connection id: Int) {
        callCounter += 1
        let call = RecordedOriginate(
            action: action, actionID: action.actionID, channel: action["Channel"], context: action["Context"],
            exten: action["Exten"], callerID: action["CallerID"], timeout: action["Timeout"].flatMap { Int($0) },
            variables: Self.variables(action.values(for: "Variable")),
            uniqueID: action["ChannelId"] ?? "1700000000.\(callCounter)",
            channelName: "\(action["Channel"] ?? "PJSIP/unknown")-\(String(format: "%08x", callCounter))")
        originates.append(call)
        let script = scriptQueue.isEmpty ? defaultScript : scriptQueue.removeFirst()
        if case .refuse(let message) = script {
            reply(to: id, action, ["Response": "Error", "Message": message])
            return
        }
        reply(to: id, action, ["Response": "Success", "Message": "Originate successfully queued"])
        switch script {
        case .unavailable:
            sendEvent(Self.originateResponse(call, success: false, reason: 0, channelCreated: false))
        case .answer:
            liveChannels.append(LiveChannel(call: call, answered: false))
            sendEvent(Self.newchannelEvent(call))
            Task { await self.answer(call) }
        case .ring:
            liveChannels.append(LiveChannel(call: call, answered: false))
            sendEvent(Self.newchannelEvent(call))
        case .busy, .noAnswer, .congestion, .hangup, .hangupAfterResponse:
            sendEvent(Self.newchannelEvent(call))
            fail(call, script)
        case .refuse:
            break
        }
    }

    private func answer(_ call: RecordedOriginate) async {
        await onAnswer(call)
        // Hung up or shut down while the hook ran: that ended the call instead.
        guard let index = liveChannels.firstIndex(where: { $0.call.uniqueID == call.uniqueID }) else { return }
        liveChannels[index].answered = true
        sendEvent(Self.originateResponse(call, success: true, reason: 4))
    }

    private func fail(_ call: RecordedOriginate, _ script: OriginateScript) {
        switch script {
        case .busy:
            sendEvent(Self.hangupEvent(call, cause: 17))
            sendEvent(Self.originateResponse(call, success: false, reason: 5))
        case .noAnswer:
            sendEvent(Self.hangupEvent(call, cause: 19))
            sendEvent(Self.originateResponse(call, success: false, reason: 3))
        case .congestion:
            sendEvent(Self.hangupEvent(call, cause: 34))
            sendEvent(Self.originateResponse(call, success: false, reason: 8))
        case .hangup(let cause):
            sendEvent(Self.hangupEvent(call, cause: cause))
            sendEvent(Self.originateResponse(call, success: false, reason: 1))
        case .hangupAfterResponse(let cause):
            sendEvent(Self.originateResponse(call, success: false, reason: 1))
            sendEvent(Self.hangupEvent(call, cause: cause))
        case .answer, .unavailable, .refuse, .ring:
            break
        }
    }

    /// `ast_manager_hangup_helper`: the channel by name or Uniqueid; a call still ringing
    /// then ends with `OriginateResponse` Failure, Reason 0 (`dial.c` saw its channel go).
    private func hangup(_ action: AMIMessage, connection id: Int) {
        let target = action["Channel"] ?? ""
        hangupRequests.append(target)
        guard permitsHangup else {
            reply(to: id, action, ["Response": "Error", "Message": "Permission denied"])
            return
        }
        guard let index = liveChannels.firstIndex(where: { $0.call.channelName == target || $0.call.uniqueID == target }) else {
            reply(to: id, action, ["Response": "Error", "Message": "No such channel"])
            return
        }
        let channel = liveChannels.remove(at: index)
        reply(to: id, action, ["Response": "Success", "Message": "Channel Hungup"])
        sendEvent(Self.hangupEvent(channel.call, cause: action["Cause"].flatMap { Int($0) } ?? 0))
        if !channel.answered {
            sendEvent(Self.originateResponse(channel.call, success: false, reason: 0))
        }
    }

    private func reply(to id: Int, _ action: AMIMessage, _ fields: KeyValuePairs<String, String>) {
        var response = AMIMessage(fields)
        if let actionID = action.actionID {
            response.fields.insert(AMIMessage.Field(key: "ActionID", value: actionID), at: 1)
        }
        guard let bytes = try? AMIEncoder.encode(response) else { return }
        connections[id]?.outgoing.yield(bytes)
    }

    /// As `fast_originate` in `main/manager.c` writes it.
    private static func originateResponse(
        _ call: RecordedOriginate, success: Bool, reason: Int, channelCreated: Bool = true
    ) -> AMIMessage {
        var event = AMIMessage(["Event": "OriginateResponse", "Privilege": "call,all"])
        if let actionID = call.actionID { event.append("ActionID", actionID) }
        event.append("Response", success ? "Success" : "Failure")
        event.append("Channel", channelCreated ? call.channelName : call.channel ?? "")
        event.append("Context", call.context ?? "")
        event.append("Exten", call.exten ?? "")
        event.append("Reason", String(reason))
        event.append("Uniqueid", channelCreated || call.action["ChannelId"] != nil ? call.uniqueID : "<unknown>")
        event.append("CallerIDNum", "<unknown>")
        event.append("CallerIDName", "<unknown>")
        return event
    }

    static let causeTexts: [Int: String] = [
        0: "Unknown", 1: "Unallocated (unassigned) number", 16: "Normal Clearing", 17: "User busy",
        19: "User alerting, no answer", 21: "Call Rejected", 34: "Circuit/channel congestion",
        38: "Network out of order",
    ]

    private static func newchannelEvent(_ call: RecordedOriginate) -> AMIMessage {
        AMIMessage([
            "Event": "Newchannel", "Privilege": "call,all", "Channel": call.channelName, "ChannelState": "0",
            "ChannelStateDesc": "Down", "CallerIDNum": "<unknown>", "CallerIDName": "<unknown>", "Context": call.context ?? "",
            "Exten": call.exten ?? "", "Priority": "1", "Uniqueid": call.uniqueID, "Linkedid": call.uniqueID,
        ])
    }

    private static func hangupEvent(_ call: RecordedOriginate, cause: Int) -> AMIMessage {
        AMIMessage([
            "Event": "Hangup", "Privilege": "call,all", "Channel": call.channelName, "Uniqueid": call.uniqueID,
            "Linkedid": call.uniqueID, "Cause": String(cause), "Cause-txt": causeTexts[cause] ?? "Unknown",
        ])
    }

    /// Splits `Variable:` values the way Asterisk's manager does: at commas, into name=value.
    public static func variables(_ lines: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for line in lines {
            for item in line.split(separator: ",", omittingEmptySubsequences: true) {
                guard let equals = item.firstIndex(of: "=") else { continue }
                let name = item[..<equals].drop { $0 == " " }
                guard !name.isEmpty else { continue }
                result[String(name)] = String(item[item.index(after: equals)...])
            }
        }
        return result
    }
}

/// The server side reads actions: no banner, and only messages.
struct AMIActionDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = AMIMessage
    private var frames = AMIDecoder(expectsBanner: false)

    mutating func decode(buffer: inout ByteBuffer) throws -> AMIMessage? {
        while let frame = try frames.decode(buffer: &buffer) {
            if case .message(let message) = frame { return message }
        }
        return nil
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> AMIMessage? {
        while let frame = try frames.decodeLast(buffer: &buffer, seenEOF: seenEOF) {
            if case .message(let message) = frame { return message }
        }
        return nil
    }
}

public enum TestAMIServerError: Error, CustomStringConvertible {
    case timedOut(String)

    public var description: String {
        switch self {
        case .timedOut(let what): return "test AMI server: timed out waiting for \(what)"
        }
    }
}
