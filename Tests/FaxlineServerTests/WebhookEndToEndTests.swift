import Accounts
import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Store
import Testing
import Webhooks

/// Webhooks from a running server: a fax received from the Asterisk emulator, and a fax sent
/// through the REST API with a callback URL, each reaching a real receiver on loopback.
@Suite("Webhooks end to end", .serialized)
struct WebhookEndToEndTests {
    static func allowLoopback(_ configuration: inout FaxlineConfiguration) {
        configuration.webhooks.destinations = try! WebhookDestinationPolicy(parsing: "loopback")
        configuration.webhooks.pollInterval = .milliseconds(100)
    }

    @Test("a fax received on device 201 is posted to a global webhook as fax.received, signed, with the fax as the API shows it")
    func faxReceived() async throws {
        let receiver = try await WebhookReceiver.start()
        receiver.expect(secret: "whsec_end_to_end_secret_01")
        let harness = try await ServerHarness.start(configure: Self.allowLoopback)
        _ = try await harness.database.addWebhook(
            try Webhook(url: receiver.url(), secret: Secret("whsec_end_to_end_secret_01"), events: [.faxReceived], createdAt: Date()))
        let outcome = try await harness.emulator.placeInboundCall(try ServerHarness.call())
        #expect(outcome.variables["FAXSTATUS"] == "SUCCESS")
        let fax = try await harness.onlyFax()

        try await waitUntil { !receiver.received.isEmpty }
        let post = try #require(receiver.received.first)
        #expect(post.signatureValid && post.field("event") == "fax.received" && post.field("faxId") == fax.id)
        #expect(post.object("fax")?["pages"] as? Int == 3 && post.object("fax")?["status"] as? String == "received")
        #expect(post.object("fax")?["devices"] as? [String] == ["201"])
        try await waitUntil { try await harness.database.webhookDeliveries(WebhookDeliveryQuery(state: .delivered)).count == 1 }
        #expect(receiver.received.count == 1)
        await harness.stop()
        await receiver.stop()
    }

    @Test("POST /api/v1/faxes with a callbackUrl: the job's events reach it signed with the callback secret; a global webhook hears them too")
    func callbackThroughTheAPI() async throws {
        let receiver = try await WebhookReceiver.start()
        let harness = try await OutboundHarness.start(configure: Self.allowLoopback)
        let database = harness.database
        receiver.expect(secret: try await database.storedCallbackSecret().revealed, at: "/callback")
        receiver.expect(secret: "whsec_global_secret_0123", at: "/all")
        _ = try await database.addWebhook(
            try Webhook(url: receiver.url("/all"), secret: Secret("whsec_global_secret_0123"), events: [.jobDone], createdAt: Date()))
        let accounts = AccountAdministration(store: database)
        _ = try await accounts.addUser(
            User(name: "alice", email: "alice@example.com", deviceExtensions: ["201"], createdAt: Date()), password: nil, actor: "test")
        let token = try await accounts.createToken(userName: "alice", scope: .send, expiresAt: nil, actor: "test", at: Date()).text
        let port = try #require(await harness.server.server.web?.localAddress?.port)
        let http = LoopbackHTTP(base: "http://127.0.0.1:\(port)", token: token)

        let boundary = "e2e-\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"number\"\r\n\r\n5550101\r\n".utf8)
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"options\"\r\nContent-Type: application/json\r\n\r\n".utf8))
        body.append(Data(#"{"callbackUrl":"\#(receiver.url("/callback"))"}"#.utf8))
        body.append(Data("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"letter.tif\"\r\nContent-Type: image/tiff\r\n\r\n".utf8))
        body.append(try Data(contentsOf: try TestDocuments.letter()))
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        let (status, submission) = try await http.json(
            "/api/v1/faxes", method: "POST", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        #expect(status == 202, "\(submission)")
        let jobID = Int64(try #require((submission["jobs"] as? [[String: Any]])?.first?["id"] as? Int))

        let job = try await harness.waitForJob(jobID, in: [.done, .failed])
        #expect(job.state == .done && job.callbackURL == receiver.url("/callback"))
        try await waitUntil { receiver.received.count == 3 }
        let callbacks = receiver.received.filter { $0.path == "/callback" }
        #expect(callbacks.map { $0.field("event") } == ["job.queued", "job.done"])
        #expect(callbacks.allSatisfy { $0.signatureValid && $0.field("jobId") == String(jobID) })
        #expect(callbacks.last?.object("job")?["state"] as? String == "done")
        let global = try #require(receiver.received.first { $0.path == "/all" })
        #expect(global.signatureValid && global.field("event") == "job.done")
        await harness.stop()
        await receiver.stop()
    }
}
