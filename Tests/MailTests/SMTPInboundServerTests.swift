import FaxTestSupport
import Foundation
import Logging
import Mail
import NIOCore
import NIOPosix
import ServerSupport
import ServiceLifecycle
import Testing

@Suite("SMTP listener", .timeLimit(.minutes(1)))
struct SMTPInboundServerTests {
    /// A temporary folder for one test: the spool and the certificate live in it.
    final class Folder {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-smtp-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        var spool: String { path + "/spool" }

        func spoolFiles() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []).sorted()
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "smtp-test")
        logger.logLevel = .critical
        return logger
    }()

    static func configuration(_ folder: Folder, _ change: (inout SMTPInboundServer.Configuration) -> Void = { _ in }) -> SMTPInboundServer.Configuration {
        var configuration = SMTPInboundServer.Configuration(port: 0, hostname: "fax.test", spoolDirectory: folder.spool, shutdownGracePeriod: .seconds(5))
        change(&configuration)
        return configuration
    }

    /// Runs a listener in a service group for the duration of `body`, then shuts it down.
    static func withServer(
        _ configuration: SMTPInboundServer.Configuration,
        policy: TestMailGatewayPolicy = TestMailGatewayPolicy(),
        _ body: (Int, ServiceGroup) async throws -> Void
    ) async throws {
        let server = SMTPInboundServer(configuration: configuration, policy: policy, logger: logger)
        let group = ServiceGroup(services: [server], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try #require(try await server.localAddress.port)
            do {
                try await body(port, group)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Waits for `condition`, checking every few milliseconds, at most 5 seconds.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    static let message = "From: Alice <alice@example.com>\r\nSubject: Fax\r\n\r\nHello\r\n..dot\r\n"

    @Test func fullSessionHandsTheMessageOverAndLeavesNothingBehind() async throws {
        let folder = try Folder()
        let policy = TestMailGatewayPolicy()
        try await Self.withServer(Self.configuration(folder), policy: policy) { port, _ in
            let client = try await SMTPTestClient.connect(port: port)
            #expect(try await client.reply()?.text == "fax.test ESMTP Faxline mail-to-fax gateway ready")
            let ehlo = try #require(try await client.command("EHLO client.example"))
            #expect(ehlo.code == 250)
            #expect(ehlo.lines.contains("PIPELINING") && ehlo.lines.contains("AUTH PLAIN LOGIN") && !ehlo.lines.contains("STARTTLS"))
            #expect(try await client.command("AUTH PLAIN AGFsaWNlAHNlY3JldA==")?.code == 235)
            #expect(try await client.command("MAIL FROM:<alice@example.com> SIZE=60")?.code == 250)
            #expect(try await client.command("RCPT TO:<+1 555 010 0100@fax.example.com>")?.code == 501)
            #expect(try await client.command("RCPT TO:<\"+1 555 010 0100\"@fax.example.com>")?.code == 250)
            #expect(try await client.command("DATA")?.code == 354)
            try await client.send("From: Alice <alice@example.com>\r\nSubject: Fax\r\n\r\nHello\r\n...dot\r\n.\r\n")
            #expect(try await client.reply()?.text == "2.0.0 message accepted for faxing, queued as Q1")
            #expect(try await client.command("QUIT")?.code == 221)
            #expect(await client.readUntilClosed() == "")
        }
        let accepted = try #require(policy.messages.first)
        #expect(policy.messages.count == 1)
        #expect(accepted.text == "From: Alice <alice@example.com>\r\nSubject: Fax\r\n\r\nHello\r\n..dot\r\n")
        #expect(accepted.envelope.recipients == [SMTPMailbox(localPart: "+1 555 010 0100", domain: "fax.example.com")])
        #expect(accepted.session.authenticatedUser == "alice")
        #expect(accepted.session.isLoopbackPeer)
        #expect(accepted.fileMode == 0o600)
        #expect(folder.spoolFiles().isEmpty)
        let spoolMode = try FileManager.default.attributesOfItem(atPath: folder.spool)[.posixPermissions] as? Int
        #expect(spoolMode == 0o700)
    }

    @Test func pipelinedCommandsAreAnsweredInOrder() async throws {
        let folder = try Folder()
        let policy = TestMailGatewayPolicy()
        try await Self.withServer(Self.configuration(folder), policy: policy) { port, _ in
            let client = try await SMTPTestClient.connectAndGreet(port: port)
            try await client.send(
                "MAIL FROM:<alice@example.com>\r\nRCPT TO:<5550100@fax.example.com>\r\nRCPT TO:<someone@gmail.com>\r\n"
                + "RCPT TO:<bob@5550101.fax>\r\nDATA\r\n")
            var codes: [Int] = []
            for _ in 0..<5 { codes.append(try #require(try await client.reply()).code) }
            #expect(codes == [250, 250, 550, 250, 354])
            try await client.send("Subject: one\r\n\r\n1\r\n.\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<5550102@fax.example.com>\r\nDATA\r\n")
            codes = []
            for _ in 0..<4 { codes.append(try #require(try await client.reply()).code) }
            #expect(codes == [250, 250, 250, 354])
            try await client.send("Subject: two\r\n\r\n2\r\n.\r\nQUIT\r\n")
            #expect(try await client.reply()?.code == 250)
            #expect(try await client.reply()?.code == 221)
        }
        #expect(policy.messages.map(\.text) == ["Subject: one\r\n\r\n1\r\n", "Subject: two\r\n\r\n2\r\n"])
        #expect(policy.messages.first?.envelope.recipients.map(\.description) == ["5550100@fax.example.com", "bob@5550101.fax"])
    }

    @Test func relayingIsDenied() async throws {
        let folder = try Folder()
        try await Self.withServer(Self.configuration(folder)) { port, _ in
            let client = try await SMTPTestClient.connect(port: port)
            _ = try await client.reply()
            _ = try await client.command("HELO client.example")
            _ = try await client.command("MAIL FROM:<alice@example.com>")
            let refused = try #require(try await client.command("RCPT TO:<someone@gmail.com>"))
            #expect(refused.description == "550 5.7.1 relaying denied: this server only accepts mail to fax numbers")
            #expect(try await client.command("DATA")?.code == 554)
        }
    }

    @Test func startTLSThenAuthentication() async throws {
        let folder = try Folder()
        let certificate = try TestCertificate.make(in: folder.path)
        let policy = TestMailGatewayPolicy()
        let configuration = Self.configuration(folder) {
            $0.tls = .init(certificateChainPath: certificate.certificatePath, privateKeyPath: certificate.keyPath)
            $0.requiresTLS = true
        }
        try await Self.withServer(configuration, policy: policy) { port, _ in
            let client = try await SMTPTestClient.connect(port: port)
            _ = try await client.reply()
            let plain = try #require(try await client.command("EHLO client.example"))
            #expect(plain.lines.contains("STARTTLS") && !plain.lines.contains("AUTH PLAIN LOGIN"))
            #expect(try await client.command("STARTTLS")?.description == "220 2.0.0 ready to start TLS")
            try await client.startTLS(trusting: certificate.certificatePath)
            let secure = try #require(try await client.command("EHLO client.example"))
            #expect(secure.lines.contains("AUTH PLAIN LOGIN") && !secure.lines.contains("STARTTLS"))
            #expect(try await client.command("AUTH LOGIN")?.text == "VXNlcm5hbWU6")
            #expect(try await client.command("YWxpY2U=")?.text == "UGFzc3dvcmQ6")
            #expect(try await client.command("c2VjcmV0")?.code == 235)
            #expect(try await client.command("MAIL FROM:<alice@example.com>")?.code == 250)
            #expect(try await client.command("RCPT TO:<5550100@fax.example.com>")?.code == 250)
            #expect(try await client.command("DATA")?.code == 354)
            #expect(try await client.command("Subject: secret\r\n\r\nbody\r\n.")?.code == 250)
            #expect(try await client.command("QUIT")?.code == 221)
        }
        #expect(policy.messages.first?.session.isTLSActive == true)
        #expect(policy.messages.first?.text == "Subject: secret\r\n\r\nbody\r\n")
    }

    @Test func authenticationIsRefusedBeforeStartTLSWhenTLSIsRequired() async throws {
        let folder = try Folder()
        let certificate = try TestCertificate.make(in: folder.path)
        let configuration = Self.configuration(folder) {
            $0.tls = .init(certificateChainPath: certificate.certificatePath, privateKeyPath: certificate.keyPath)
            $0.requiresTLS = true
        }
        try await Self.withServer(configuration) { port, _ in
            let client = try await SMTPTestClient.connectAndGreet(port: port)
            #expect(try await client.command("AUTH PLAIN AGFsaWNlAHNlY3JldA==")?.description
                == "538 5.7.11 encryption required: issue STARTTLS before AUTH")
            #expect(try await client.command("MAIL FROM:<alice@example.com>")?.description == "530 5.7.0 must issue a STARTTLS command first")
        }
    }

    @Test func listenerOthersCanReachDoesNotStartWithoutACertificate() async throws {
        let folder = try Folder()
        let server = SMTPInboundServer(
            configuration: Self.configuration(folder) { $0.host = "0.0.0.0" }, policy: TestMailGatewayPolicy(), logger: Self.logger)
        await #expect(throws: SMTPInboundServerError.self) { try await server.run() }
        await #expect(throws: SMTPInboundServerError.self) { try await server.localAddress }
        let badCertificate = SMTPInboundServer(
            configuration: Self.configuration(folder) { $0.tls = .init(certificateChainPath: folder.path + "/none.pem", privateKeyPath: folder.path + "/none.key") },
            policy: TestMailGatewayPolicy(), logger: Self.logger)
        do {
            try await badCertificate.run()
            Issue.record("a listener with a missing certificate started")
        } catch {
            #expect("\(error)".contains("none.pem"))
        }
    }

    @Test func oversizeMessageIsRefusedAndItsFileRemoved() async throws {
        let folder = try Folder()
        let policy = TestMailGatewayPolicy()
        let configuration = Self.configuration(folder) { $0.limits.maximumMessageBytes = 10_000 }
        try await Self.withServer(configuration, policy: policy) { port, _ in
            let client = try await SMTPTestClient.connectAndGreet(port: port)
            #expect(try await client.command("MAIL FROM:<alice@example.com> SIZE=20000")?.code == 552)
            #expect(try await client.openMessage() == 354)
            #expect(folder.spoolFiles().count == 1)
            let line = String(repeating: "x", count: 98) + "\r\n"
            try await client.send(String(repeating: line, count: 150))
            #expect(try await client.command(".")?.description == "552 5.3.4 message exceeds the limit of 10000 bytes")
            #expect(folder.spoolFiles().isEmpty)
            #expect(try await client.command("NOOP")?.code == 250)
        }
        #expect(policy.messages.isEmpty)
    }

    @Test func clientThatDisconnectsMidMessageLeavesNothing() async throws {
        let folder = try Folder()
        let policy = TestMailGatewayPolicy()
        try await Self.withServer(Self.configuration(folder), policy: policy) { port, _ in
            let client = try await SMTPTestClient.connectAndGreet(port: port)
            #expect(try await client.openMessage() == 354)
            try await client.send("Subject: cut off\r\n\r\nhalf a mess")
            #expect(folder.spoolFiles().count == 1)
            await client.close()
            #expect(try await Self.eventually { folder.spoolFiles().isEmpty })
        }
        #expect(policy.messages.isEmpty)
    }

    @Test func policyFailureIsATemporaryRefusalAndRemovesTheFile() async throws {
        let folder = try Folder()
        try await Self.withServer(Self.configuration(folder), policy: TestMailGatewayPolicy(failsAcceptance: true)) { port, _ in
            let client = try await SMTPTestClient.connectAndGreet(port: port)
            #expect(try await client.openMessage() == 354)
            #expect(try await client.command("Subject: x\r\n\r\nx\r\n.")?.description == "451 4.3.0 temporary local problem; please try again later")
            #expect(folder.spoolFiles().isEmpty)
        }
    }

    @Test func tooManyConnectionsAreRefusedWith421() async throws {
        let folder = try Folder()
        try await Self.withServer(Self.configuration(folder) { $0.maximumConnections = 1 }) { port, _ in
            let first = try await SMTPTestClient.connect(port: port)
            #expect(try await first.reply()?.code == 220)
            let second = try await SMTPTestClient.connect(port: port)
            #expect(try await second.reply()?.description == "421 4.3.2 fax.test too many connections; please try again later")
            #expect(await second.readUntilClosed() == "")
            // The first session is unaffected, and once it ends there is room again.
            #expect(try await first.command("QUIT")?.code == 221)
            _ = await first.readUntilClosed()
            // The server frees the slot when it has finished the session: try until it has.
            var greeted = false
            for _ in 0..<200 where !greeted {
                let third = try await SMTPTestClient.connect(port: port)
                greeted = try await third.reply()?.code == 220
                await third.close()
            }
            #expect(greeted)
        }
    }

    @Test func aPeerOutsideTheAllowListIsRefusedWith554() async throws {
        let folder = try Folder()
        let allowed = try PeerAllowList(parsing: "127.0.0.2")
        try await Self.withServer(Self.configuration(folder) { $0.allowList = allowed }) { port, _ in
            let outsider = try await SMTPTestClient.connect(port: port, from: "127.0.0.1")
            #expect(try await outsider.reply()?.description == "554 5.7.1 fax.test no SMTP service for you here")
            #expect(await outsider.readUntilClosed() == "")
            let neighbour = try await SMTPTestClient.connect(port: port, from: "127.0.0.2")
            #expect(try await neighbour.reply()?.code == 220)
            #expect(try await neighbour.command("QUIT")?.code == 221)
            _ = await neighbour.readUntilClosed()
        }
    }

    @Test func brokenTLSEndsOnlyThatConnection() async throws {
        let folder = try Folder()
        let certificate = try TestCertificate.make(in: folder.path)
        let configuration = Self.configuration(folder) {
            $0.tls = .init(certificateChainPath: certificate.certificatePath, privateKeyPath: certificate.keyPath)
        }
        try await Self.withServer(configuration) { port, _ in
            let broken = try await SMTPTestClient.connect(port: port)
            _ = try await broken.reply()
            _ = try await broken.command("EHLO client.example")
            #expect(try await broken.command("STARTTLS")?.code == 220)
            try await broken.send("EHLO this is not a TLS handshake\r\n")
            _ = await broken.readUntilClosed()
            let next = try await SMTPTestClient.connect(port: port)
            #expect(try await next.reply()?.code == 220)
            #expect(try await next.command("NOOP")?.code == 250)
        }
    }

    @Test func idleClientIsToldAndDisconnected() async throws {
        let folder = try Folder()
        try await Self.withServer(Self.configuration(folder) { $0.idleTimeout = .milliseconds(200) }) { port, _ in
            let client = try await SMTPTestClient.connect(port: port)
            _ = try await client.reply()
            #expect(try await client.reply()?.description == "421 4.4.2 fax.test idle for too long, closing connection")
            #expect(await client.readUntilClosed() == "")
        }
    }

    @Test func shutdownEndsSessionsAfterTheGracePeriodWith421() async throws {
        let folder = try Folder()
        try await Self.withServer(Self.configuration(folder) { $0.shutdownGracePeriod = .milliseconds(100) }) { port, group in
            let client = try await SMTPTestClient.connect(port: port)
            _ = try await client.reply()
            #expect(try await client.command("EHLO client.example")?.code == 250)
            await group.triggerGracefulShutdown()
            #expect(try await client.reply()?.description == "421 4.3.2 fax.test shutting down; please try again later")
            #expect(await client.readUntilClosed() == "")
        }
    }
}
