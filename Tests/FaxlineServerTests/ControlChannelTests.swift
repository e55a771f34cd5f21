import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Store
import Telephony
import Testing

@Suite("Control channel", .serialized)
struct ControlChannelTests {
    static let requests: [ControlRequest] = [.kill(jobID: 42, by: "alice"), .wake, .kill(jobID: 7, by: "ops.team-1@example")]

    @Test("requests survive every split of their bytes, one line each")
    func requestsOnEverySplit() throws {
        let bytes = Array(Self.requests.map { $0.line + "\n" }.joined().utf8)
        for chunks in Chunkings.of(bytes) {
            let lines = try Chunkings.decode(AGILineDecoder(maximumLineLength: ControlRequest.maximumLineLength), chunks: chunks)
            #expect(try lines.map { try ControlRequest(parsing: $0) } == Self.requests)
        }
    }

    @Test("bad requests get a clear error", arguments: [
        ("kill", "kill takes a job id and an optional name"),
        ("kill x", "kill takes a job id (a positive number)"),
        ("kill -3", "kill takes a job id (a positive number)"),
        ("kill 3 bob smith", "kill takes a job id and an optional name"),
        ("kill 3 b\u{1b}[31mob", "the name after the job id is not a user name"),
        ("wake up", "wake takes nothing"),
        ("shutdown", "unknown control command \"shutdown\""),
        (String(repeating: "k", count: 300), "control line longer than 256 bytes"),
    ])
    func badRequests(line: String, message: String) {
        #expect(throws: ControlProtocolError.self) { try ControlRequest(parsing: line) }
        do {
            _ = try ControlRequest(parsing: line)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("replies are one line whatever the message holds")
    func replies() throws {
        #expect(try ControlReply(parsing: ControlReply.ok("killed").line) == .ok("killed"))
        #expect(try ControlReply(parsing: ControlReply.ok("").line) == .ok(""))
        let forged = ControlReply.error("no job 4\nok killed")
        #expect(!forged.line.contains("\n"))
        #expect(try ControlReply(parsing: forged.line) == .error("no job 4 ok killed"))
        #expect(throws: ControlProtocolError.self) { try ControlReply(parsing: "maybe") }
        // A name that is not a user name is not sent.
        #expect(ControlRequest.kill(jobID: 5, by: "x y").line == "kill 5")
    }

    @Test("faxline jobs kill asks the running server: the call is hung up at once; the socket is private")
    func killThroughTheSocket() async throws {
        let harness = try await OutboundHarness.start()
        let data = harness.server.configuration.dataDirectory
        let socket = ControlSocket.path(dataDirectory: data)
        #expect(try await eventually { FileManager.default.fileExists(atPath: socket) })
        let folderMode = try FileManager.default.attributesOfItem(atPath: ControlSocket.folder(dataDirectory: data))[.posixPermissions] as? Int
        let socketMode = try FileManager.default.attributesOfItem(atPath: socket)[.posixPermissions] as? Int
        #expect(folderMode == 0o700 && socketMode == 0o600)

        let submitted = try #require(try await harness.submit(["5550601"]).first)
        let id = try #require(submitted.id)
        _ = try await harness.waitForJob(id, in: [.done, .failed], or: { $0.nextPage >= 2 })
        let client = ControlClient(dataDirectory: data)
        #expect(try await client.send(.kill(jobID: id, by: "alice")) == .ok("killed"))
        let job = try await harness.waitForJob(id, in: [], or: { $0.attempts.count == 1 })
        #expect(job.state == .killed && job.reason == "killed by alice")
        #expect(try await eventually { harness.server.lines.snapshot().lines.allSatisfy { $0.state == .idle } })
        #expect(try await client.send(.kill(jobID: id, by: "alice")) == .error("job \(id) has already ended (killed)"))
        #expect(try await client.send(.kill(jobID: 999_999, by: "alice")) == .error("no job 999999"))
        #expect(try await client.send(.wake) == .ok(""))
        await harness.stop()
        #expect(!FileManager.default.fileExists(atPath: socket))
    }

    @Test("a waiting job killed through the socket never gets dialed")
    func killAWaitingJob() async throws {
        let harness = try await OutboundHarness.start()
        let later = try #require(try await harness.submit(["5550602"], document: try onePage()) {
            $0.notBefore = Date().addingTimeInterval(3600)
        }.first)
        let id = try #require(later.id)
        #expect(try await ControlClient(dataDirectory: harness.server.configuration.dataDirectory).send(.kill(jobID: id, by: "bob"))
                == .ok("killed"))
        let job = try #require(try await harness.database.job(id: id))
        #expect(job.state == .killed && job.attempts.isEmpty)
        #expect(await harness.ami.originates.isEmpty)
        await harness.stop()
    }

    @Test("without a server, nothing answers: the client says so")
    func noServer() async throws {
        let folder = try TestDocuments.makeTemporaryDirectory("no-server")
        await #expect(throws: ControlClientError.self) { try await ControlClient(dataDirectory: folder.path).send(.wake) }
    }

    @Test("a second server on the same data folder refuses to start; a stale socket file does not stop one")
    func oneServerPerDataFolder() async throws {
        let first = try await ServerHarness.start()
        let data = first.configuration.dataDirectory
        #expect(try await eventually { FileManager.default.fileExists(atPath: ControlSocket.path(dataDirectory: data)) })
        var configuration = first.configuration
        configuration.agi = .init(host: "127.0.0.1", port: 0)
        configuration.audioSocket = .init(host: "127.0.0.1", port: 0)
        // A call of the first server, on the line: the second must not "recover" it.
        let onTheLine = FaxRecord(deviceExtensions: ["201"], callerNumber: "5550100", lineName: "line0", status: .receiving)
        try await first.database.insertFax(onTheLine)
        let second = try FaxlineServer(configuration: configuration, logger: .init(label: "second"), store: first.database)
        await #expect(throws: ControlServiceError.self) { try await second.run(signals: []) }
        #expect(try await first.database.fax(id: onTheLine.id)?.status == .receiving)
        await first.stop()

        // A socket file left by a server that died is not another server.
        try Self.leaveStaleSocket(at: ControlSocket.path(dataDirectory: data))
        let stale = try await ServerHarness.start(devices: []) { $0.dataDirectory = data }
        #expect(try await eventually { (try? await ControlClient(dataDirectory: data).send(.wake)) == .ok("") })
        await stale.stop()
    }

    /// A bound Unix socket whose process is gone: the file stays, nobody listens.
    static func leaveStaleSocket(at path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8.prefix(raw.count - 1)) + [0])
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        #expect(FileManager.default.fileExists(atPath: path))
    }
}
