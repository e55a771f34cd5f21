import NIOCore
import NIOPosix
import Telephony

/// A real Asterisk manager server on 127.0.0.1 for tests: banner, Login (checks the
/// credentials), Ping, Logoff and Originate, answered per a script; it can push events,
/// drop every connection, refuse connections for a while (an Asterisk restart) and come
/// back on the same port.
public actor TestAMIServer {
    /// What the server does with the next `Originate`.
    public enum OriginateScript: Sendable, Hashable {
        /// Calls the `onAnswer` hook, then sends `OriginateResponse` Success, reason 4.
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
        /// `OriginateResponse` Failure, reason 0, Uniqueid `<null>`: no channel could be made.
        case unavailable
        /// `Response: Error` with this message instead of queueing the call.
        case refuse(message: String)
        /// Queued, then nothing: no `OriginateResponse` ever comes.
        case noResponse
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
        /// Uniqueid and channel name the server gave the call.
        public let uniqueID: String
        public let channelName: String
    }

    private struct ServerConnection {
        let channel: any Channel
        let outgoing: AsyncStream<ByteBuffer>.Continuation
        var loggedIn = false
    }

    public nonisolated let username: String
    public nonisolated let secret: String
    public nonisolated let version: String
    /// The bound port; the same after `restart` and `startListening`.
    public private(set) var port: Int
    public private(set) var originates: [RecordedOriginate] = []
    public private(set) var loginAttempts = 0
    public private(set) var successfulLogins = 0
    public private(set) var failedLogins = 0
    public private(set) var pingCount = 0
    public private(set) var logoffCount = 0
    public private(set) var connectionsAccepted = 0

    private var onAnswer: @Sendable (RecordedOriginate) async -> Void
    private var scriptQueue: [OriginateScript] = []
    private var defaultScript: OriginateScript = .answer
    private var answersPings = true
    private var serverChannel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>?
    private var connections: [Int: ServerConnection] = [:]
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

    // MARK: - Events

    /// Sends `event` to every logged-in connection.
    public func sendEvent(_ event: AMIMessage) {
        guard let bytes = try? AMIEncoder.encode(event) else { return }
        for connection in connections.values where connection.loggedIn {
            connection.outgoing.yield(bytes)
        }
    }

    /// Sends the `Hangup` event of an answered call.
    public func hangUp(_ call: RecordedOriginate, cause: Int = 16) {
        sendEvent(Self.hangupEvent(call, cause: cause))
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
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
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

    /// Closes every open connection, as a crashing Asterisk would.
    public func dropAllConnections() {
        for connection in connections.values {
            connection.outgoing.finish()
            connection.channel.close(promise: nil)
        }
    }

    /// An Asterisk restart: drops every connection, refuses new ones for `downtime`, then
    /// listens again on the same port.
    public func restart(downtime: Duration) async throws {
        await stopListening()
        dropAllConnections()
        try await Task.sleep(for: downtime)
        try await startListening()
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

    private func waitUntil(timeout: Duration, _ what: String, _ condition: (isolated TestAMIServer) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(self) {
            guard ContinuousClock.now < deadline else { throw TestAMIServerError.timedOut(what) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    private nonisolated func acceptLoop(_ bound: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>) async {
        try? await bound.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in inbound {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    private nonisolated func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let (outgoing, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        let id = await register(connection.channel, continuation)
        do {
            try await connection.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await bytes in outgoing { try await outbound.write(bytes) }
                    }
                    group.addTask {
                        var decoder = AMIDecoder(expectsBanner: false)
                        for try await bytes in inbound {
                            decoder.append(bytes)
                            for case .message(let action) in try decoder.drain() {
                                await self.handle(action, connection: id)
                            }
                        }
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
        default:
            reply(to: id, action, ["Response": "Error", "Message": "Invalid/unknown command"])
        }
    }

    private func login(_ action: AMIMessage, connection id: Int) {
        loginAttempts += 1
        if action["Username"] == username && action["Secret"] == secret {
            successfulLogins += 1
            connections[id]?.loggedIn = true
            reply(to: id, action, ["Response": "Success", "Message": "Authentication accepted"])
            sendEvent(AMIMessage(["Event": "FullyBooted", "Privilege": "system,all", "Status": "Fully Booted"]))
        } else {
            failedLogins += 1
            reply(to: id, action, ["Response": "Error", "Message": "Authentication failed"])
        }
    }

    private func originate(_ action: AMIMessage, connection id: Int) {
        callCounter += 1
        let call = RecordedOriginate(
            action: action, actionID: action.actionID, channel: action["Channel"], context: action["Context"],
            exten: action["Exten"], callerID: action["CallerID"], timeout: action["Timeout"].flatMap { Int($0) },
            variables: Self.variables(action.values(for: "Variable")),
            uniqueID: "1700000000.\(callCounter)",
            channelName: "\(action["Channel"] ?? "PJSIP/unknown")-\(String(callCounter, radix: 16))")
        originates.append(call)
        let script = scriptQueue.isEmpty ? defaultScript : scriptQueue.removeFirst()
        if case .refuse(let message) = script {
            reply(to: id, action, ["Response": "Error", "Message": message])
            return
        }
        reply(to: id, action, ["Response": "Success", "Message": "Originate successfully queued"])
        Task { await self.play(script, call) }
    }

    private func play(_ script: OriginateScript, _ call: RecordedOriginate) async {
        switch script {
        case .answer:
            await onAnswer(call)
            sendEvent(Self.originateResponse(call, success: true, reason: 4))
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
            try? await Task.sleep(for: .milliseconds(50))
            sendEvent(Self.hangupEvent(call, cause: cause))
        case .unavailable:
            sendEvent(Self.originateResponse(call, success: false, reason: 0, channelCreated: false))
        case .refuse, .noResponse:
            break
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
        event.append("Uniqueid", channelCreated ? call.uniqueID : "<null>")
        event.append("CallerIDNum", "<unknown>")
        event.append("CallerIDName", "<unknown>")
        return event
    }

    static let causeTexts: [Int: String] = [
        1: "Unallocated (unassigned) number", 16: "Normal Clearing", 17: "User busy",
        19: "User alerting, no answer", 21: "Call Rejected", 34: "Circuit/channel congestion",
        38: "Network out of order",
    ]

    private static func hangupEvent(_ call: RecordedOriginate, cause: Int) -> AMIMessage {
        AMIMessage([
            "Event": "Hangup", "Privilege": "call,all", "Channel": call.channelName, "Uniqueid": call.uniqueID,
            "Linkedid": call.uniqueID, "Cause": String(cause), "Cause-txt": causeTexts[cause] ?? "Unknown",
        ])
    }

    /// Splits `Variable:` values the way Asterisk's manager does: at commas, into name=value.
    static func variables(_ lines: [String]) -> [String: String] {
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

public enum TestAMIServerError: Error, CustomStringConvertible {
    case timedOut(String)

    public var description: String {
        switch self {
        case .timedOut(let what): return "test AMI server: timed out waiting for \(what)"
        }
    }
}
