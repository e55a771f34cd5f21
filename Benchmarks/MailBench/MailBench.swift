import Accounts
import ArgumentParser
import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Logging
import Mail
import ServiceLifecycle
import Store

/// The mail-to-fax gateway under load, in one process: the SMTP listener on loopback, a real
/// store and spool, Ghostscript converting each mail's PDF. Prints mails accepted a second, the
/// time from the end of DATA to the queued job (the 250 reply comes after the job is stored),
/// and the resident memory while a 25 MB message arrives (streamed in 64 KB pieces).
@main
struct MailBench: AsyncParsableCommand {
    @Option(help: "A one-page PDF to attach.") var pdf: String
    @Option(help: "Mails to send.") var mails = 1000
    @Option(help: "SMTP sessions sending at once.") var connections = 4
    @Option(name: .customLong("large-mb"), help: "Size of the large message, in MB.") var largeMegabytes = 25

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-mail-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = try FaxDatabase(path: folder.path + "/faxline.sqlite")
        let spool = Spool(root: folder.path + "/spool")
        try spool.prepare()
        _ = try await database.addDevice(FaxDevice(extensionNumber: "201", name: "Sales", emailAddresses: ["sales@example.com"]))
        _ = try await AccountAdministration(store: database).addUser(
            User(name: "alice", email: "alice@example.com", deviceExtensions: ["201"], createdAt: Date()), password: "bench password",
            actor: "bench")
        var settings = MailInSettings()
        settings.domains = ["fax.example.com"]
        settings.jobsPerHour = 1_000_000
        settings.jobsPerDay = 1_000_000
        settings.maximumMessageBytes = (largeMegabytes + 1) * 1024 * 1024
        var logger = Logger(label: "mail-bench")
        logger.logLevel = .error
        let gateway = MailToFaxGateway(settings: settings, store: database, spool: spool, minimumFreeBytes: 0, resolver: nil, logger: logger)
        var configuration = settings.listenerConfiguration(host: "127.0.0.1", spoolDirectory: MailToFaxGateway.incomingDirectory(of: spool))
        configuration.port = 0
        configuration.maximumConnections = connections + 4
        let listener = SMTPInboundServer(configuration: configuration, policy: gateway, logger: logger)
        let group = ServiceGroup(services: [listener], logger: logger)
        let running = Task { try await group.run() }
        let port = try await listener.localAddress.port ?? 0

        let attachment = try Data(contentsOf: URL(fileURLWithPath: pdf)).base64EncodedString(
            options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        print("mail to fax: \(mails) mails with a one-page PDF over \(connections) SMTP sessions on loopback (load \(Self.loadAverage()))")
        let start = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { tasks in
            for session in 0..<connections {
                let count = mails / connections + (session < mails % connections ? 1 : 0)
                tasks.addTask { try await Self.sendMails(count, session: session, port: port, attachment: attachment) }
            }
            return try await tasks.reduce(into: [Duration]()) { $0 += $1 }
        }
        let elapsed = ContinuousClock.now - start
        let queued = try await database.jobs(JobQuery(limit: mails + 10)).count
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> String { Self.milliseconds(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) }
        print("  accepted \(latencies.count), jobs queued \(queued), in \(Self.seconds(elapsed)) s: "
            + String(format: "%.1f", Double(latencies.count) / Self.secondsValue(elapsed)) + " mails/s")
        print("  end of DATA to queued job: p50 \(percentile(0.5)) ms, p95 \(percentile(0.95)) ms, max \(percentile(1)) ms")
        print("  (load after: \(Self.loadAverage()))")

        let (peak, before) = try await Self.largeMessage(megabytes: largeMegabytes, port: port)
        print("  resident memory while a \(largeMegabytes) MB message arrives: peak \(peak / 1_048_576) MB (before: \(before / 1_048_576) MB); goal under 100 MB")
        await group.triggerGracefulShutdown()
        _ = try? await running.value
    }

    static func sendMails(_ count: Int, session: Int, port: Int, attachment: String) async throws -> [Duration] {
        let client = try await signedIn(port: port)
        var latencies: [Duration] = []
        for index in 0..<count {
            let number = "555\(String(format: "%04d", (session * 1000 + index) % 10_000))"
            _ = try await client.command("MAIL FROM:<alice@example.com>")
            _ = try await client.command("RCPT TO:<\(number)@fax.example.com>")
            _ = try await client.command("DATA")
            let message = "From: alice@example.com\r\nSubject: Invoice \(index)\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\r\n"
                + "--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=invoice.pdf\r\n\r\n\(attachment)\r\n--b--\r\n.\r\n"
            let sent = ContinuousClock.now
            try await client.send(message)
            guard let reply = try await client.reply(), reply.code == 250 else { throw BenchError("mail \(index) refused") }
            latencies.append(ContinuousClock.now - sent)
        }
        _ = try await client.command("QUIT")
        return latencies
    }

    /// Sends a message of `megabytes` (a picture shown in the body, not faxed, and the text) in
    /// 64 KB pieces; returns the peak resident memory while it arrived and the memory before.
    static func largeMessage(megabytes: Int, port: Int) async throws -> (peak: Int, before: Int) {
        let client = try await signedIn(port: port)
        _ = try await client.command("MAIL FROM:<alice@example.com>")
        _ = try await client.command("RCPT TO:<5550100@fax.example.com>")
        _ = try await client.command("DATA")
        // Forget the earlier peak: /proc/self/clear_refs with 5 resets VmHWM.
        try? Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
        let before = resident("VmRSS:")
        try await client.send("From: alice@example.com\r\nSubject: Large\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nSee the picture.\r\n"
            + "--r\r\nContent-Type: image/png\r\nContent-ID: <picture>\r\nContent-Transfer-Encoding: base64\r\n\r\n")
        let line = String(repeating: "QUJD", count: 19) + "\r\n"
        let piece = String(repeating: line, count: 64 * 1024 / line.utf8.count)
        var sent = 0
        while sent + piece.utf8.count < megabytes * 1024 * 1024 - 1024 {
            try await client.send(piece)
            sent += piece.utf8.count
        }
        try await client.send("--r--\r\n.\r\n")
        // The text becomes a page; the picture, shown in the body, is decoded to disk and not faxed.
        guard let reply = try await client.reply(), reply.code == 250 else { throw BenchError("the large message was refused") }
        return (resident("VmHWM:"), before)
    }

    static func signedIn(port: Int) async throws -> SMTPTestClient {
        let client = try await SMTPTestClient.connectAndGreet(port: port)
        let credentials = Data("\0alice\0bench password".utf8).base64EncodedString()
        guard try await client.command("AUTH PLAIN \(credentials)")?.code == 235 else { throw BenchError("AUTH refused") }
        return client
    }

    static func resident(_ key: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) })
        else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func secondsValue(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func seconds(_ duration: Duration) -> String { String(format: "%.1f", secondsValue(duration)) }
    static func milliseconds(_ duration: Duration) -> String { String(format: "%.0f", secondsValue(duration) * 1000) }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
