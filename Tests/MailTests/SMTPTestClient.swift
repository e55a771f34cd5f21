import Foundation
import Mail
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// An SMTP client for tests on loopback: sends raw lines, reads whole replies, and can switch
/// to TLS after STARTTLS the way a mail client does.
final class SMTPTestClient {
    struct Reply: CustomStringConvertible {
        let code: Int
        /// Text lines without the `code-` prefixes.
        let lines: [String]
        var description: String { "\(code) " + lines.joined(separator: " / ") }
        var text: String { lines.joined(separator: "\n") }
    }

    enum ClientError: Error, CustomStringConvertible {
        case malformedReply(String)
        var description: String {
            switch self {
            case .malformedReply(let line): return "malformed reply line \(String(reflecting: line))"
            }
        }
    }

    let channel: any Channel
    private var received: AsyncStream<ByteBuffer>.AsyncIterator
    private var buffer = ByteBuffer()

    private init(channel: any Channel, received: AsyncStream<ByteBuffer>) {
        self.channel = channel
        self.received = received.makeAsyncIterator()
    }

    static func connect(port: Int) async throws -> SMTPTestClient {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(continuation: continuation))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return SMTPTestClient(channel: channel, received: stream)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    func send(bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// The next whole reply; nil when the server closed the connection first.
    func reply() async throws -> Reply? {
        var lines: [String] = []
        while true {
            guard let line = await readLine() else { return nil }
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw ClientError.malformedReply(line) }
            let separator = line.dropFirst(3).first
            lines.append(String(line.dropFirst(4)))
            if separator == "-" { continue }
            return Reply(code: code, lines: lines)
        }
    }

    /// Sends a command and returns its reply.
    func command(_ line: String) async throws -> Reply? {
        try await send(line + "\r\n")
        return try await reply()
    }

    /// Connects, reads the greeting and says EHLO.
    static func connectAndGreet(port: Int) async throws -> SMTPTestClient {
        let client = try await connect(port: port)
        _ = try await client.reply()
        _ = try await client.command("EHLO client.example")
        return client
    }

    /// MAIL, RCPT to a fax number, DATA: returns DATA's reply code.
    func openMessage() async throws -> Int? {
        _ = try await command("MAIL FROM:<alice@example.com>")
        _ = try await command("RCPT TO:<5550100@fax.example.com>")
        return try await command("DATA")?.code
    }

    /// Waits until the server closes; returns whatever it still sent.
    func readUntilClosed() async -> String {
        var rest = String(buffer: buffer)
        buffer.clear()
        while let more = await received.next() { rest += String(buffer: more) }
        return rest
    }

    /// Starts TLS after the server's 220, trusting `certificate` for `localhost`.
    func startTLS(trusting certificatePath: String) async throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificatePath))
        let context = try NIOSSLContext(configuration: configuration)
        let channel = self.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost"), position: .first)
        }.get()
    }

    func close() async {
        try? await channel.close()
    }

    deinit {
        channel.close(promise: nil)
    }

    private func readLine() async -> String? {
        while true {
            let view = buffer.readableBytesView
            if let lineFeed = view.firstIndex(of: UInt8(ascii: "\n")) {
                var line = buffer.readString(length: lineFeed - view.startIndex)!
                buffer.moveReaderIndex(forwardBy: 1)
                if line.hasSuffix("\r") { line.removeLast() }
                return line
            }
            guard var more = await received.next() else { return nil }
            buffer.writeBuffer(&more)
        }
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let continuation: AsyncStream<ByteBuffer>.Continuation

        init(continuation: AsyncStream<ByteBuffer>.Continuation) {
            self.continuation = continuation
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            continuation.yield(unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            continuation.finish()
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            continuation.finish()
            context.close(promise: nil)
        }
    }
}

/// A self-signed certificate for `localhost`, made with the `openssl` command.
struct TestCertificate {
    let certificatePath: String
    let keyPath: String

    static func make(in directory: String) throws -> TestCertificate {
        let certificate = directory + "/cert.pem"
        let key = directory + "/key.pem"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "openssl could not make a test certificate"])
        }
        return TestCertificate(certificatePath: certificate, keyPath: key)
    }
}

/// The gateway policy tests use: users alice/secret, fax numbers at fax.example.com (and the
/// other addressing forms), everything else refused as relaying. Accepted messages are read
/// and recorded; their spool files are removed as the real gateway's queue would take them.
final class TestMailGatewayPolicy: MailGatewayPolicy {
    struct Accepted: Sendable {
        let envelope: SMTPEnvelope
        let text: String
        let session: MailGatewaySession
        /// Permission bits of the spooled file when it was handed over.
        let fileMode: Int
    }

    private let parser = FaxAddressParser(domains: ["fax.example.com"])
    private let accepted = Mutex<[Accepted]>([])
    private let failsAcceptance: Bool

    init(failsAcceptance: Bool = false) {
        self.failsAcceptance = failsAcceptance
    }

    var messages: [Accepted] { accepted.withLock { $0 } }

    func authenticate(_ credentials: SMTPAuthenticationCredentials, session: MailGatewaySession) async throws -> SMTPPolicyDecision {
        credentials.username == "alice" && credentials.password == "secret" ? .accept : .invalidCredentials
    }

    func checkSender(_ sender: SMTPReversePath, parameters: SMTPMailParameters, session: MailGatewaySession) async throws -> SMTPPolicyDecision {
        .accept
    }

    func checkRecipient(_ recipient: SMTPMailbox, envelope: SMTPEnvelope, session: MailGatewaySession) async throws -> SMTPPolicyDecision {
        parser.parse(recipient) == .notFax ? .relayDenied : .accept
    }

    struct QueueUnavailable: Error {}

    func acceptMessage(_ message: SpooledMailMessage, session: MailGatewaySession) async throws -> SMTPMessageDecision {
        if failsAcceptance { throw QueueUnavailable() }
        let text = try String(contentsOfFile: message.path, encoding: .utf8)
        let mode = (try FileManager.default.attributesOfItem(atPath: message.path)[.posixPermissions] as? Int) ?? -1
        try FileManager.default.removeItem(atPath: message.path)
        let count = accepted.withLock { list in
            list.append(Accepted(envelope: message.envelope, text: text, session: session, fileMode: mode))
            return list.count
        }
        return .accepted(queueID: "Q\(count)")
    }
}
