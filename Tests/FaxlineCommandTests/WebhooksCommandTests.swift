import FaxCore
import Foundation
import Store
import StoreTestSupport
import Testing

/// `faxline webhooks` and `faxline send --callback-url` as the real program, against a
/// temporary data folder.
@Suite struct WebhooksCommandTests {
    let folder: TemporaryFolder

    init() async throws {
        folder = try TemporaryFolder()
        let database = try folder.openDatabase()
        _ = try await database.addDevice(Sample.device("200"))
        _ = try await database.addUser(User(name: "alice", email: "alice@example.com", deviceExtensions: ["200"], createdAt: Date()), passwordHash: nil)
    }

    func faxline(_ arguments: [String], input: String = "") throws -> FaxlineProgram.Output {
        try FaxlineProgram.run(arguments + ["--data", folder.path], input: input)
    }

    var database: FaxDatabase { get throws { try folder.openDatabase() } }

    @Test func addListDeliveriesReplayRemove() async throws {
        try #require(FaxlineProgram.isBuilt, "faxline is built next to the tests")
        let added = try faxline(["webhooks", "add", "https://hooks.example.com/fax", "--events", "job.done,fax.received"])
        #expect(added.status == 0, "\(added.standardError)")
        let secret = String(try #require(added.standardOutput.split(separator: "\n").last))
        let webhook = try #require(try await database.webhooks(userID: nil).first)
        #expect(secret == webhook.secret.revealed && secret.hasPrefix("whsec_"))
        #expect(webhook.isGlobal && webhook.events == [.jobDone, .faxReceived])

        let given = try faxline(["webhooks", "add", "https://erp.example.com/in", "--user", "alice", "--secret-stdin"], input: "my-own-secret-0123456789\n")
        #expect(given.status == 0, "\(given.standardError)")
        #expect(!given.standardOutput.contains("my-own-secret") && given.standardOutput.contains(Secret.redacted))
        #expect(try await database.webhooks(userID: nil).count == 2)

        let list = try faxline(["webhooks", "list"])
        #expect(list.status == 0 && list.standardOutput.contains("(global)") && list.standardOutput.contains("alice"))
        #expect(!list.standardOutput.contains(secret) && !list.standardOutput.contains("my-own-secret"))

        // Events for alice's device reach both; the global one hears only its events.
        var job = try await database.submitJob(try Job(
            number: "5550100", document: SpoolPath("out/a.tif"), pageCount: 1, sender: JobSender(deviceExtension: "200")))
        job.state = .done
        try await database.saveJob(job, expecting: .queued)
        let deliveries = try faxline(["webhooks", "deliveries"])
        #expect(deliveries.status == 0 && deliveries.standardOutput.contains("job.done") && deliveries.standardOutput.contains("job.queued"))
        let queued = try #require(try await database.webhookDeliveries(WebhookDeliveryQuery(state: .pending)).first)
        let onlyGlobal = try faxline(["webhooks", "deliveries", "--webhook", String(webhook.id.prefix(8))])
        #expect(onlyGlobal.standardOutput.split(separator: "\n").count == 2, "\(onlyGlobal.standardOutput)")

        let replay = try faxline(["webhooks", "replay", String(queued.id.prefix(8))])
        #expect(replay.status == 0 && replay.standardOutput.contains("is due again"), "\(replay.standardError)")
        #expect(try faxline(["webhooks", "replay", "zz"]).status != 0)
        #expect(try faxline(["webhooks", "remove", "0000"]).standardError.contains("no webhook 0000"))

        let removed = try faxline(["webhooks", "remove", String(webhook.id.prefix(6))])
        #expect(removed.status == 0, "\(removed.standardError)")
        #expect(try await database.webhooks(userID: nil).count == 1)
        #expect(try await database.webhookDeliveries(WebhookDeliveryQuery(webhookID: webhook.id)).isEmpty)
    }

    @Test func badURLsEventsAndDestinationsAreRefusedWithTheReason() async throws {
        try #require(FaxlineProgram.isBuilt, "faxline is built next to the tests")
        let ftp = try faxline(["webhooks", "add", "ftp://example.com/x"])
        #expect(ftp.status != 0 && ftp.standardError.contains("http:// or https://"))
        let event = try faxline(["webhooks", "add", "https://example.com/x", "--events", "job.exploded"])
        #expect(event.status != 0 && event.standardError.contains("not an event"))
        let inside = try faxline(["webhooks", "add", "http://192.168.1.10/x", "--user", "alice"])
        #expect(inside.status != 0 && inside.standardError.contains("not a public address"), "\(inside.standardError)")
        try "[webhooks]\nallow = 192.168.1.0/24\n".write(toFile: folder.path + "/faxline.conf", atomically: true, encoding: .utf8)
        #expect(try faxline(["webhooks", "add", "http://192.168.1.10/x", "--user", "alice"]).status == 0)
        #expect(try faxline(["webhooks", "add", "http://127.0.0.1:9/x"]).status == 0, "administrators' (global) URLs go anywhere")
        #expect(try await database.webhooks(userID: nil).count == 2)
    }

    @Test func sendTakesACallbackURL() async throws {
        try #require(FaxlineProgram.isBuilt, "faxline is built next to the tests")
        let letter = try TestText.write(in: folder)
        let bad = try faxline(["send", "-d", "5550100", "--callback-url", "gopher://example.com", letter])
        #expect(bad.status != 0 && bad.standardError.contains("callback URL"))
        let sent = try faxline(["send", "-d", "5550100", "--callback-url", "https://erp.example.com/fax?job=1", letter])
        #expect(sent.status == 0, "\(sent.standardError)")
        let job = try #require(try await database.jobs(JobQuery()).first)
        #expect(job.callbackURL == "https://erp.example.com/fax?job=1")
        let callback = try #require(try await database.webhookDeliveries(WebhookDeliveryQuery()).first)
        #expect(callback.webhookID == nil && callback.event == .jobQueued && callback.jobID == job.id)
    }
}

/// A small text document to send.
enum TestText {
    static func write(in folder: TemporaryFolder) throws -> String {
        let path = folder.path + "/letter.txt"
        try "Dear Sir,\nplease find our order attached.\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
