import NIOCore
import NIOPosix

/// A real SMTP server on 127.0.0.1 for tests: records what it receives and stages failures.
/// It can be stopped and started again on the same port, like a mail server that goes down
/// and comes back.
public actor TestSMTPServer {
    public enum ServerError: Error, CustomStringConvertible {
        case alreadyRunning
        case noBoundPort
        case timedOut(waitingFor: Int, received: Int)

        public var description: String {
            switch self {
            case .alreadyRunning: return "the test SMTP server is already running"
            case .noBoundPort: return "the listening socket has no port"
            case .timedOut(let wanted, let received): return "waited for \(wanted) messages, received \(received)"
            }
        }
    }

    public let hostname: String
    public let limits: SMTPServerSession.Limits
    /// Failures staged for connections accepted from now on.
    public var script: SMTPServerScript
    /// The bound port; 0 until the first start, then kept for restarts.
    public private(set) var port = 0
    public private(set) var messages: [ReceivedSMTPMessage] = []
    public private(set) var connectionCount = 0

    private var listener: Channel?
    private var acceptTask: Task<Void, Never>?

    public init(script: SMTPServerScript = .acceptAll, hostname: String = "faxline-test.invalid", limits: SMTPServerSession.Limits = .init()) {
        self.script = script
        self.hostname = hostname
        self.limits = limits
    }

    public var isRunning: Bool { listener != nil }

    public func setScript(_ script: SMTPServerScript) {
        self.script = script
    }

    /// Listens on 127.0.0.1: on a free port the first time, on the same port after a stop.
    /// Returns the port.
    @discardableResult
    public func start() async throws -> Int {
        guard listener == nil else { throw ServerError.alreadyRunning }
        let serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 32)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        guard let boundPort = serverChannel.channel.localAddress?.port else {
            try? await serverChannel.channel.close()
            throw ServerError.noBoundPort
        }
        port = boundPort
        listener = serverChannel.channel
        acceptTask = Task {
            // One child task per connection; a connection's failure ends only that task.
            await withDiscardingTaskGroup { group in
                do {
                    try await serverChannel.executeThenClose { inbound in
                        for try await connection in inbound {
                            let session = self.acceptedConnection()
                            group.addTask { await Self.serve(connection, session: session, server: self) }
                        }
                    }
                } catch {
                    // The listener was closed by stop(); nothing to report.
                }
                group.cancelAll()
            }
        }
        return boundPort
    }

    /// Closes the listener and every open connection; clients then see "connection refused".
    public func stop() async {
        guard let listener else { return }
        self.listener = nil
        try? await listener.close()
        acceptTask?.cancel()
        await acceptTask?.value
        acceptTask = nil
    }

    public func clearMessages() {
        messages.removeAll()
    }

    /// Waits until at least `count` messages have arrived (polled a bounded number of times:
    /// about `timeout`).
    public func waitForMessages(count: Int, timeout: Duration = .seconds(10)) async throws -> [ReceivedSMTPMessage] {
        let interval = Duration.milliseconds(10)
        guard try await eventually(tries: Int(timeout / interval), every: interval, { self.messages.count >= count }) else {
            throw ServerError.timedOut(waitingFor: count, received: messages.count)
        }
        return messages
    }

    private func acceptedConnection() -> SMTPServerSession {
        connectionCount += 1
        return SMTPServerSession(hostname: hostname, script: script, limits: limits)
    }

    private func record(_ message: ReceivedSMTPMessage) {
        messages.append(message)
    }

    private static func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, session: SMTPServerSession, server: TestSMTPServer) async {
        var session = session
        var framer = SMTPLineFramer()
        do {
            try await connection.executeThenClose { inbound, outbound in
                func perform(_ actions: [SMTPServerSession.Action]) async throws -> Bool {
                    for action in actions {
                        switch action {
                        case .reply(let reply):
                            try await outbound.write(ByteBuffer(bytes: reply.encoded))
                        case .deliver(let message):
                            await server.record(message)
                        case .close:
                            return false
                        }
                    }
                    return true
                }
                guard try await perform(session.start()) else { return }
                for try await buffer in inbound {
                    let lines: [[UInt8]]
                    do {
                        lines = try framer.feed(buffer.readableBytesView)
                    } catch {
                        _ = try await perform(session.framingFailed())
                        return
                    }
                    for line in lines {
                        guard try await perform(session.receive(line: line)) else { return }
                    }
                }
            }
        } catch {
            // A broken connection ends here and never takes the server down.
        }
    }
}
