import FaxCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Telephony

/// Where a data folder's control socket is: `<data>/run/control.sock`, in a folder only the
/// server's user may enter (0700), the socket itself 0600.
public enum ControlSocket {
    public static func folder(dataDirectory: String) -> String { dataDirectory + "/run" }
    public static func path(dataDirectory: String) -> String { folder(dataDirectory: dataDirectory) + "/control.sock" }
}

/// What the control channel can do to the server.
struct JobControl: Sendable {
    /// The dispatcher, when outbound faxing is on: it is the writer of the jobs on the line.
    let dispatcher: OutboundDispatcher?
    let commands: JobCommands

    func kill(_ id: Int64, by who: String) async throws -> JobState {
        if let dispatcher { return try await dispatcher.kill(jobID: id, by: who) }
        return try await commands.kill(id, by: who).state
    }

    func wake() {
        dispatcher?.wake()
    }
}

/// The server's end of the control channel (`faxline serve`): a Unix socket in the data folder,
/// one request line in, one reply line out. Only one server may serve a data folder: a socket
/// that still answers means another server runs, and this one refuses to start.
public final class ControlService: Service, Sendable {
    typealias Listener = NIOAsyncChannel<NIOAsyncChannel<String, ByteBuffer>, Never>

    let path: String
    let control: JobControl
    let logger: Logger
    private let listener = Mutex<Listener?>(nil)

    init(dataDirectory: String, control: JobControl, logger: Logger) {
        path = ControlSocket.path(dataDirectory: dataDirectory)
        self.control = control
        self.logger = logger
    }

    /// Takes the data folder: binds the socket, or throws when another server answers on it.
    /// The server does this first, before it recovers anything of the folder's last run.
    func bind() async throws {
        guard listener.withLock({ $0 == nil }) else { return }
        try await prepareSocketFile()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(AGILineDecoder(maximumLineLength: ControlRequest.maximumLineLength)))
                    return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        chmod(path, 0o600)
        listener.withLock { $0 = server }
        logger.info("control socket listening", metadata: ["path": "\(path)"])
    }

    /// Gives the data folder back without serving (the server did not get to run).
    func close() async {
        guard let server = listener.withLock({ listener in defer { listener = nil }; return listener }) else { return }
        try? await server.executeThenClose { _ in }
        unlink(path)
    }

    public func run() async throws {
        try await bind()
        guard let server = listener.withLock({ listener in defer { listener = nil }; return listener }) else { return }
        defer { unlink(path) }
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    /// The folder (0700) and no stale socket file; refuses when another server answers.
    private func prepareSocketFile() async throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chmod(folder, 0o700)
        guard FileManager.default.fileExists(atPath: path) else { return }
        if (try? await ControlClient(path: path).send(.wake)) != nil {
            throw ControlServiceError.anotherServerRuns(path: path)
        }
        unlink(path)  // left by a server that did not stop cleanly
    }

    private func serve(_ connection: NIOAsyncChannel<String, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { lines, replies in
                for try await line in lines {
                    let reply = await answer(line)
                    try await replies.write(ByteBuffer(string: reply.line + "\n"))
                }
            }
        } catch {
            logger.debug("control connection ended", metadata: ["error": "\(error)"])
        }
    }

    func answer(_ line: String) async -> ControlReply {
        let request: ControlRequest
        do {
            request = try ControlRequest(parsing: line)
        } catch {
            return .error("\(error)")
        }
        switch request {
        case .wake:
            control.wake()
            return .ok("")
        case .kill(let id, let who):
            do {
                let state = try await control.kill(id, by: who)
                logger.notice("job killed", metadata: ["job.id": "\(id)", "by": "\(who)"])
                return .ok(state.rawValue)
            } catch let error as JobTransitionError {
                return .error("job \(id) has already ended (\(error.from.rawValue))")
            } catch RepositoryError.notFound {
                return .error("no job \(id)")
            } catch {
                return .error("\(error)")
            }
        }
    }
}

public enum ControlServiceError: Error, CustomStringConvertible {
    case anotherServerRuns(path: String)

    public var description: String {
        switch self {
        case .anotherServerRuns(let path): "another faxline serve runs on this data folder (it answers on \(path))"
        }
    }
}

/// The other end: the CLI asks the running server.
public struct ControlClient: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public init(dataDirectory: String) {
        self.init(path: ControlSocket.path(dataDirectory: dataDirectory))
    }

    /// Sends one request and returns the reply. Throws `ControlClientError.notRunning` when no
    /// server listens.
    public func send(_ request: ControlRequest) async throws -> ControlReply {
        let channel: NIOAsyncChannel<String, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(AGILineDecoder(maximumLineLength: ControlRequest.maximumLineLength * 4)))
                        return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw ControlClientError.notRunning(path: path)
        }
        return try await channel.executeThenClose { lines, requests in
            try await requests.write(ByteBuffer(string: request.line + "\n"))
            var iterator = lines.makeAsyncIterator()
            guard let line = try await iterator.next() else { throw ControlClientError.noReply }
            return try ControlReply(parsing: line)
        }
    }
}

public enum ControlClientError: Error, Equatable, CustomStringConvertible {
    case notRunning(path: String)
    case noReply

    public var description: String {
        switch self {
        case .notRunning(let path): "no faxline serve answers on \(path)"
        case .noReply: "the server closed the control connection without a reply"
        }
    }
}
