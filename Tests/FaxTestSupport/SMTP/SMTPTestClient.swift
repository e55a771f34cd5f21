import Foundation
import NIOCore
import NIOPosix
import NIOSSL


/// An SMTP client for tests on loopback: sends raw lines, reads whole replies, and can switch
/// to TLS after STARTTLS the way a mail client does.
public final class SMTPTestClient {
    public struct Reply: CustomStringConvertible {
        public let code: Int
        /// Text lines without the `code-` prefixes.
        public let lines: [String]
        public var description: String { "\(code) " + lines.joined(separator: " / ") }
        public var text: String { lines.joined(separator: "\n") }
    }

    public enum ClientError: Error, CustomStringConvertible {
        case malformedReply(String)
        public var description: String {
            switch self {
            case .malformedReply(let line): return "malformed reply line \(String(reflecting: line))"
            }
        }
    }

    public let channel: any Channel
    private var received: AsyncStream<ByteBuffer>.AsyncIterator
    private var buffer = ByteBuffer()

    private init(channel: any Channel, received: AsyncStream<ByteBuffer>) {
        self.channel = channel
        self.received = received.makeAsyncIterator()
    }

    /// Connects to 127.0.0.1:`port`, from `source` when given (127.0.0.2 plays another machine).
    public static func connect(port: Int, from source: String? = nil) async throws -> SMTPTestClient {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
        let channel = try await bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(continuation: continuation))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return SMTPTestClient(channel: channel, received: stream)
    }

    public func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    public func send(bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// The next whole reply; nil when the server closed the connection first.
    public func reply() async throws -> Reply? {
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
    public func command(_ line: String) async throws -> Reply? {
        try await send(line + "\r\n")
        return try await reply()
    }

    /// Connects, reads the greeting and says EHLO.
    public static func connectAndGreet(port: Int) async throws -> SMTPTestClient {
        let client = try await connect(port: port)
        _ = try await client.reply()
        _ = try await client.command("EHLO client.example")
        return client
    }

    /// MAIL, RCPT to a fax number, DATA: returns DATA's reply code.
    public func openMessage() async throws -> Int? {
        _ = try await command("MAIL FROM:<alice@example.com>")
        _ = try await command("RCPT TO:<5550100@fax.example.com>")
        return try await command("DATA")?.code
    }

    /// Waits until the server closes; returns whatever it still sent.
    public func readUntilClosed() async -> String {
        var rest = String(buffer: buffer)
        buffer.clear()
        while let more = await received.next() { rest += String(buffer: more) }
        return rest
    }

    /// Starts TLS after the server's 220, trusting `certificate` for `localhost`.
    public func startTLS(trusting certificatePath: String) async throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificatePath))
        let context = try NIOSSLContext(configuration: configuration)
        let channel = self.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost"), position: .first)
        }.get()
    }

    public func close() async {
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
public struct TestCertificate {
    public let certificatePath: String
    public let keyPath: String

    public static func make(in directory: String) throws -> TestCertificate {
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
