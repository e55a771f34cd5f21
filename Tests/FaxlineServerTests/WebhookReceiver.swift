import Crypto
import FaxTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A webhook receiver on a loopback port: a real HTTP server (Hummingbird) that records every
/// POST and checks its `Faxline-Signature` with its own HMAC-SHA256, independent of the
/// server's signing code. Each answer's status is scripted (200 unless told); `hold()` keeps
/// answers back until `release()` (a slow receiver).
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let path: String
        let headers: [String: String]
        let body: [UInt8]
        /// The signature header verified with the secret in force when it arrived.
        let signatureValid: Bool

        /// A top-level string or number of the body, as text.
        func field(_ name: String) -> String? {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any], let value = object[name] else { return nil }
            return "\(value)"
        }

        /// The object under `name` (`job`, `fax`).
        func object(_ name: String) -> [String: Any]? {
            ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any])?[name] as? [String: Any]
        }
    }

    private struct State {
        var secrets: [String: String] = [:]
        var statuses: [Int] = []
        var received: [Received] = []
        var gate: AsyncGate?
    }

    private let running: Task<Void, any Error>
    let port: Int

    /// Starts listening on 127.0.0.1 at a port the system picks.
    static func start() async throws -> WebhookReceiver {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let shared = SharedState()
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 4 * 1024 * 1024)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let path = request.uri.path
            let (secret, gate) = shared.state.withLock { ($0.secrets[path], $0.gate) }
            let valid = secret.map { Self.verify(headers["faxline-signature"] ?? "", body: Array(buffer: body), secret: $0) } ?? false
            if let gate { await gate.wait() }
            let status = shared.state.withLock { state -> Int in
                state.received.append(Received(path: path, headers: headers, body: Array(buffer: body), signatureValid: valid))
                return state.statuses.isEmpty ? 200 : state.statuses.removeFirst()
            }
            return Response(status: HTTPResponse.Status(code: status), body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) })
        let running = Task { try await application.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        return WebhookReceiver(shared: shared, running: running, port: port)
    }

    private init(shared: SharedState, running: Task<Void, any Error>, port: Int) {
        self.shared = shared
        self.running = running
        self.port = port
    }

    /// What the router's handler and the test share.
    private final class SharedState: Sendable {
        let state = Mutex(State())
    }

    private let shared: SharedState

    func url(_ path: String = "/hook") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// The secret the signatures to `path` must be made with.
    func expect(secret: String, at path: String = "/hook") {
        shared.state.withLock { $0.secrets[path] = secret }
    }

    /// The next answers' statuses, in order.
    func answer(_ statuses: [Int]) {
        shared.state.withLock { $0.statuses += statuses }
    }

    /// Forgets the scripted answers not used yet: from now on every answer is 200.
    func drainScriptedAnswers() {
        shared.state.withLock { $0.statuses.removeAll() }
    }

    /// Answers wait until `release()`.
    func hold() {
        shared.state.withLock { $0.gate = AsyncGate() }
    }

    func release() {
        let gate = shared.state.withLock { state -> AsyncGate? in
            defer { state.gate = nil }
            return state.gate
        }
        gate?.open()
    }

    var received: [Received] { shared.state.withLock { $0.received } }

    func stop() async {
        release()
        running.cancel()
        _ = await running.result
    }

    /// `t=<seconds>,v1=<hex>` checked as a receiver would: HMAC-SHA256 of "<t>.<body>".
    static func verify(_ header: String, body: [UInt8], secret: String) -> Bool {
        var timestamp: String?
        var signature: String?
        for part in header.split(separator: ",") {
            if part.hasPrefix("t=") { timestamp = String(part.dropFirst(2)) }
            if part.hasPrefix("v1=") { signature = String(part.dropFirst(3)) }
        }
        guard let timestamp, let signature else { return false }
        let mac = HMAC<SHA256>.authenticationCode(for: Array(timestamp.utf8) + [UInt8(ascii: ".")] + body, using: SymmetricKey(data: Array(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined() == signature
    }
}
