import Accounts
import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Logging
import Mail
import ServiceLifecycle
import Store
import Synchronization
import Testing

/// The mail-to-fax gateway behind a real SMTP listener on loopback, on a real store and spool:
/// devices 201 (Sales, sales@example.com) and 202 (Legal, disabled); users alice (device 201,
/// password "correct horse battery") and carol (no device).
final class MailGatewayFixture: Sendable {
    let folder: URL
    let database: FaxDatabase
    let spool: Spool
    let listener: SMTPInboundServer
    let port: Int
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    static let password = "correct horse battery"

    static func start(
        resolver: InMemoryDNS? = nil, tls: TestCertificate? = nil, requiresTLS: Bool? = nil,
        configure: (inout MailInSettings) -> Void = { _ in }
    ) async throws -> MailGatewayFixture {
        let folder = try TestDocuments.makeTemporaryDirectory("mail-in")
        let database = try FaxDatabase(path: folder.path + "/faxline.sqlite")
        let spool = Spool(root: folder.path + "/spool")
        try spool.prepare()
        _ = try await database.addDevice(FaxDevice(
            extensionNumber: "201", name: "Sales", emailAddresses: ["sales@example.com"], stationID: "+1 555 0201"))
        _ = try await database.addDevice(FaxDevice(
            extensionNumber: "202", name: "Legal", emailAddresses: ["legal@example.com"], isEnabled: false))
        let accounts = AccountAdministration(store: database)
        _ = try await accounts.addUser(
            User(name: "alice", email: "alice@example.com", deviceExtensions: ["201"], createdAt: Date()), password: password, actor: "test")
        _ = try await accounts.addUser(User(name: "carol", email: "carol@example.com", createdAt: Date()), password: password, actor: "test")

        var settings = MailInSettings()
        settings.domains = ["fax.example.com", "fax.example.net"]
        settings.notify = true
        if let tls {
            settings.tlsCertificatePath = tls.certificatePath
            settings.tlsKeyPath = tls.keyPath
        }
        configure(&settings)
        var logger = Logger(label: "faxline.mail-in.test")
        logger.logLevel = ProcessInfo.processInfo.environment["FAXLINE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        let gateway = MailToFaxGateway(
            settings: settings, store: database, spool: spool, minimumFreeBytes: 0, resolver: resolver, logger: logger)
        var configuration = settings.listenerConfiguration(host: "127.0.0.1", spoolDirectory: MailToFaxGateway.incomingDirectory(of: spool))
        configuration.port = 0
        configuration.requiresTLS = requiresTLS
        configuration.shutdownGracePeriod = .seconds(5)
        let listener = SMTPInboundServer(configuration: configuration, policy: gateway, logger: logger)
        let group = ServiceGroup(services: [listener], logger: logger)
        let running = Task { try await group.run() }
        let port = try #require(try await listener.localAddress.port)
        return MailGatewayFixture(folder: folder, database: database, spool: spool, listener: listener, port: port, group: group, running: running)
    }

    private init(folder: URL, database: FaxDatabase, spool: Spool, listener: SMTPInboundServer, port: Int, group: ServiceGroup,
                 running: Task<Void, any Error>) {
        self.folder = folder
        self.database = database
        self.spool = spool
        self.listener = listener
        self.port = port
        self.group = group
        self.running = running
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        try? FileManager.default.removeItem(at: folder)
    }

    /// A client that has said EHLO, from `source` (127.0.0.2 plays another machine).
    func client(from source: String? = nil) async throws -> SMTPTestClient {
        let client = try await SMTPTestClient.connect(port: port, from: source)
        _ = try await client.reply()
        _ = try await client.command("EHLO client.example")
        return client
    }

    /// A client signed in as `user` with AUTH PLAIN.
    func signedIn(_ user: String = "alice", password: String = MailGatewayFixture.password) async throws -> SMTPTestClient {
        let client = try await client()
        let credentials = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
        let reply = try await client.command("AUTH PLAIN \(credentials)")
        #expect(reply?.code == 235, "\(String(describing: reply))")
        return client
    }

    func send(_ client: SMTPTestClient, from sender: String, to recipients: [String], message: String) async throws -> [SMTPTestClient.Reply] {
        try await client.sendMail(from: sender, to: recipients, message: message)
    }

    func jobs() async throws -> [Job] {
        try await database.jobs(JobQuery(limit: 1000)).sorted { ($0.id ?? 0) < ($1.id ?? 0) }
    }
}

extension SMTPTestClient {
    /// MAIL, RCPT for each recipient, DATA and the message: every reply, the last one DATA's end.
    func sendMail(from sender: String, to recipients: [String], message: String) async throws -> [SMTPTestClient.Reply] {
        var replies: [SMTPTestClient.Reply] = []
        if let reply = try await command("MAIL FROM:<\(sender)>") { replies.append(reply) }
        for recipient in recipients {
            if let reply = try await command("RCPT TO:<\(recipient)>") { replies.append(reply) }
        }
        guard let data = try await command("DATA") else { return replies }
        replies.append(data)
        guard data.code == 354 else { return replies }
        try await send(TestMail.dotStuffed(message) + ".\r\n")
        if let end = try await reply() { replies.append(end) }
        return replies
    }
}

/// Mail messages for the gateway's tests.
enum TestMail {
    struct Attachment {
        var name: String
        var type: String
        var bytes: Data
        var inline = false
    }

    static func message(
        from: String = "Alice <alice@example.com>", to: String = "5550100@fax.example.com", subject: String = "Letter",
        headers: [String] = [], body: String = "", html: String? = nil, attachments: [Attachment] = []
    ) -> String {
        let boundary = "b-\(UUID().uuidString)"
        var text = "From: \(from)\r\nTo: \(to)\r\nSubject: \(subject)\r\nDate: Wed, 2 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        for header in headers { text += header + "\r\n" }
        text += "Content-Type: multipart/mixed; boundary=\"\(boundary)\"\r\n\r\n--\(boundary)\r\n"
        let bodyPart = html.map { "Content-Type: text/html; charset=utf-8\r\n\r\n\($0)\r\n" }
            ?? "Content-Type: text/plain; charset=utf-8\r\n\r\n\(body)\r\n"
        let pictures = attachments.filter(\.inline)
        if pictures.isEmpty {
            text += bodyPart
        } else {
            // Pictures shown in the body: multipart/related, as mail clients write it.
            let related = "r-\(UUID().uuidString)"
            text += "Content-Type: multipart/related; boundary=\"\(related)\"\r\n\r\n--\(related)\r\n" + bodyPart
            for picture in pictures {
                text += "--\(related)\r\nContent-Type: \(picture.type)\r\nContent-ID: <\(picture.name)>\r\n"
                    + "Content-Transfer-Encoding: base64\r\n\r\n" + encoded(picture.bytes) + "\r\n"
            }
            text += "--\(related)--\r\n"
        }
        for attachment in attachments where !attachment.inline {
            text += "--\(boundary)\r\nContent-Type: \(attachment.type); name=\"\(attachment.name)\"\r\n"
                + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"\(attachment.name)\"\r\n\r\n"
                + encoded(attachment.bytes) + "\r\n"
        }
        return text + "--\(boundary)--\r\n"
    }

    static func encoded(_ bytes: Data) -> String {
        bytes.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    static func letter() throws -> Attachment {
        Attachment(name: "letter.tif", type: "image/tiff", bytes: try Data(contentsOf: TestDocuments.letter()))
    }

    /// SMTP's transparency (RFC 5321 4.5.2): a line starting with a dot gets another.
    static func dotStuffed(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n.", with: "\r\n..")
    }
}
