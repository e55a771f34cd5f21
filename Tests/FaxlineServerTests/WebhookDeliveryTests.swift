import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Logging
import Store
import Synchronization
import Testing
import Webhooks

/// The time the webhook service decides by; a test moves it instead of waiting.
final class MovableTime: Sendable {
    /// Whole seconds: the store keeps times to the millisecond, and the test compares them.
    private let time = Mutex(Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))

    var now: Date { time.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        time.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// The webhook queue against a real receiver on loopback: signing, retries on the injected
/// time, giving up, replay, timeouts, refused destinations, and a restart.
@Suite("Webhook deliveries", .serialized)
struct WebhookDeliveryTests {
    let folder: URL
    let database: FaxDatabase
    let time: MovableTime

    init() throws {
        let time = MovableTime()
        self.time = time
        folder = try TestDocuments.makeTemporaryDirectory("webhooks")
        // The store dates a job's events by the same time as the service, so a slow run cannot
        // put an event in the service's future.
        database = try FaxDatabase(path: folder.appendingPathComponent("faxline.sqlite").path, clock: { time.now })
    }

    func service(
        on database: FaxDatabase? = nil, destinations: WebhookDestinationPolicy = .publicOnly, timeout: Duration = .seconds(5),
        configure: (inout WebhookSettings) -> Void = { _ in }
    ) -> WebhookDeliveryService {
        var settings = WebhookSettings()
        settings.destinations = destinations
        settings.pollInterval = .milliseconds(50)
        configure(&settings)
        let time = self.time
        return WebhookDeliveryService(
            store: database ?? self.database, poster: CurlWebhookPoster(destinations: destinations, totalTimeout: timeout),
            settings: settings, now: { time.now }, logger: Logger(label: "faxline.test.webhooks"))
    }

    /// A job for device 201, submitted now.
    func submitJob(callbackURL: String? = nil, owner: String = "") async throws -> Job {
        try await database.submitJob(try Job(
            number: "5550101", document: SpoolPath("out/letter.tif"), pageCount: 3, submittedAt: time.now,
            sender: JobSender(deviceExtension: "201"), owner: owner, callbackURL: callbackURL))
    }

    func globalWebhook(_ url: String, secret: String = "whsec_test_secret_0123456789", events: Set<WebhookEvent> = []) async throws -> Webhook {
        try await database.addWebhook(try Webhook(url: url, secret: Secret(secret), events: events, createdAt: time.now))
    }

    @Test("a job's events reach a global webhook: signed, the job as the API shows it, one delivery per event")
    func signedJobEvents() async throws {
        let receiver = try await WebhookReceiver.start()
        receiver.expect(secret: "whsec_test_secret_0123456789")
        let webhook = try await globalWebhook(receiver.url())
        var job = try await submitJob()
        let service = service()
        #expect(await service.deliverDue() == 1)

        job.state = .dialing
        try await database.saveJob(job, expecting: .queued)
        job.state = .done
        job.nextPage = 4
        try await database.saveJob(job, expecting: .dialing)
        #expect(await service.deliverDue() == 1)

        let received = receiver.received
        #expect(received.map { $0.field("event") } == ["job.queued", "job.done"])
        #expect(received.allSatisfy { $0.signatureValid })
        #expect(received.allSatisfy { $0.headers["content-type"] == "application/json" })
        let done = try #require(received.last)
        #expect(done.field("jobId") == String(try #require(job.id)))
        #expect(done.object("job")?["state"] as? String == "done")
        #expect(done.object("job")?["pagesConfirmed"] as? Int == 3)
        #expect(done.headers["faxline-event"] == "job.done")
        let deliveries = try await database.webhookDeliveries(WebhookDeliveryQuery(webhookID: webhook.id))
        #expect(deliveries.count == 2 && deliveries.allSatisfy { $0.state == .delivered && $0.lastStatus == 200 && $0.attempts == 1 })
        #expect(done.field("id") == deliveries.first { $0.event == .jobDone }?.id)
        // A wrong secret does not verify: the receiver's check is a real one.
        #expect(!WebhookReceiver.verify(try #require(done.headers["faxline-signature"]), body: done.body, secret: "whsec_other_secret_0000"))
        await receiver.stop()
    }

    @Test("500s are retried on the backoff of the injected time, give up after a day, and a replay delivers the same body")
    func retriesGiveUpAndReplay() async throws {
        let receiver = try await WebhookReceiver.start()
        receiver.expect(secret: "whsec_test_secret_0123456789")
        receiver.answer(Array(repeating: 500, count: 40))
        _ = try await globalWebhook(receiver.url(), events: [.jobQueued])
        _ = try await submitJob()
        let service = service()

        #expect(await service.deliverDue() == 0)
        var delivery = try #require(try await database.webhookDeliveries(WebhookDeliveryQuery()).first)
        #expect(delivery.state == .pending && delivery.attempts == 1 && delivery.lastStatus == 500)
        #expect(delivery.lastError?.contains("HTTP 500") == true)
        #expect(delivery.nextAttemptAt == time.now.addingTimeInterval(30))

        // Not due yet: nothing is posted.
        #expect(await service.deliverDue() == 0)
        #expect(receiver.received.count == 1)
        time.advance(by: 30)
        #expect(await service.deliverDue() == 0)
        delivery = try #require(try await database.webhookDelivery(id: delivery.id))
        #expect(delivery.attempts == 2 && delivery.nextAttemptAt == time.now.addingTimeInterval(60))

        // Keep failing until the day is over.
        var passes = 0
        while delivery.state == .pending, passes < 40 {
            time.advance(by: try #require(delivery.nextAttemptAt).timeIntervalSince(time.now))
            await service.deliverDue()
            delivery = try #require(try await database.webhookDelivery(id: delivery.id))
            passes += 1
        }
        #expect(delivery.state == .failed && delivery.nextAttemptAt == nil)
        #expect(time.now.timeIntervalSince(delivery.createdAt) == 24 * 3600)
        #expect(delivery.attempts == receiver.received.count)
        #expect(receiver.received.allSatisfy { $0.signatureValid })
        let firstBody = try #require(receiver.received.first?.body)

        let service2 = self.service()
        let replayed = try await WebhookCommands(store: database, destinations: .publicOnly).replay(delivery, actor: "test", at: time.now)
        #expect(replayed.state == .pending && replayed.attempts == 0)
        // Drain the scripted 500s that are left, then the replay is answered 200.
        receiver.drainScriptedAnswers()
        #expect(await service2.deliverDue() == 1)
        #expect(receiver.received.last?.body == firstBody)
        #expect(try await database.webhookDelivery(id: delivery.id)?.state == .delivered)
        await receiver.stop()
    }

    @Test("an unreachable receiver and a slow one (timeout) are retried later, with the reason")
    func unreachableAndSlowReceivers() async throws {
        let closedPort = try await WebhookReceiver.start()
        let unreachable = closedPort.url()
        await closedPort.stop()
        let slow = try await WebhookReceiver.start()
        slow.hold()
        _ = try await globalWebhook(unreachable)
        _ = try await globalWebhook(slow.url("/slow"))
        _ = try await submitJob()

        #expect(await service(timeout: .milliseconds(300)).deliverDue() == 0)
        let deliveries = try await database.webhookDeliveries(WebhookDeliveryQuery())
        let byURL = Dictionary(uniqueKeysWithValues: deliveries.map { ($0.url, $0) })
        let refused = try #require(byURL[unreachable])
        #expect(refused.state == .pending && refused.lastStatus == nil)
        #expect(refused.lastError?.contains("cannot connect") == true, "\(refused.lastError ?? "")")
        let timedOut = try #require(byURL[slow.url("/slow")])
        #expect(timedOut.state == .pending && timedOut.lastError?.contains("timed out") == true, "\(timedOut.lastError ?? "")")
        await slow.stop()
    }

    @Test("a user's URL may not reach the local network, checked on the address connected to; [webhooks] allow opens it")
    func restrictedDestinations() async throws {
        let receiver = try await WebhookReceiver.start()
        _ = try await database.addDevice(try FaxDevice(extensionNumber: "201", name: "Sales", emailAddresses: ["sales@example.com"]))
        let alice = try await database.addUser(
            User(name: "alice", email: "alice@example.com", deviceExtensions: ["201"], createdAt: time.now), passwordHash: nil)
        let commands = WebhookCommands(store: database, destinations: .publicOnly)
        for url in [receiver.url(), "http://10.0.0.7/hook", "http://[::1]:8080/x", "http://localhost:9/x"] {
            await #expect(throws: FaxValidationError.self) {
                _ = try await commands.add(url: url, events: [], secret: nil, owner: alice, actor: "test")
            }
        }
        // A name is checked when the connection is made: localhost leads to 127.0.0.1.
        let named = "http://localhost:\(receiver.port)/hook"
        _ = try await database.addWebhook(try Webhook(url: named, secret: Secret("whsec_test_secret_0123456789"), userID: alice.id, createdAt: time.now))
        _ = try await submitJob()
        #expect(await service().deliverDue() == 0)
        let refused = try #require(try await database.webhookDeliveries(WebhookDeliveryQuery(userID: alice.id)).first)
        #expect(refused.isRestricted && refused.state == .pending)
        #expect(refused.lastError?.contains("not a public address") == true, "\(refused.lastError ?? "")")
        #expect(receiver.received.isEmpty)

        let allowed = try WebhookDestinationPolicy(parsing: "loopback")
        time.advance(by: 30)
        #expect(await service(destinations: allowed).deliverDue() == 1)
        #expect(receiver.received.count == 1)
        // Administrators' URLs are not restricted.
        #expect(try await commands.add(url: receiver.url(), events: [], secret: nil, owner: nil, actor: "test").isGlobal)
        await receiver.stop()
    }

    @Test("deliveries survive a restart: a new service on the same database file posts them, one cut mid-post too")
    func durableAcrossRestart() async throws {
        let receiver = try await WebhookReceiver.start()
        receiver.expect(secret: "whsec_test_secret_0123456789")
        _ = try await globalWebhook(receiver.url())
        _ = try await submitJob()
        let second = try await submitJob()
        // The first process died while posting this one.
        let cut = try #require(try await database.webhookDeliveries(WebhookDeliveryQuery()).first { $0.jobID == second.id })
        #expect(try await database.markWebhookSending(id: cut.id, at: time.now) != nil)

        let time = self.time
        let reopened = try FaxDatabase(path: folder.appendingPathComponent("faxline.sqlite").path, clock: { time.now })
        let service = service(on: reopened)
        let running = Task { try await service.run() }
        try await waitUntil { receiver.received.count == 2 }
        running.cancel()
        _ = await running.result
        #expect(Set(receiver.received.compactMap { $0.field("jobId") }).count == 2)
        #expect(try await reopened.webhookDeliveries(WebhookDeliveryQuery()).allSatisfy { $0.state == .delivered })
        await receiver.stop()
    }

    @Test("a job's callback URL gets that job's events, signed with the callback secret (configured, or the stored one)")
    func jobCallbacks() async throws {
        let receiver = try await WebhookReceiver.start()
        let stored = try await database.storedCallbackSecret()
        #expect(stored.revealed.hasPrefix("whsec_") && stored.revealed.count == 70)
        receiver.expect(secret: stored.revealed, at: "/job")
        receiver.expect(secret: "configured-callback-secret", at: "/configured")
        _ = try await submitJob(callbackURL: receiver.url("/job"))
        _ = try await submitJob()
        #expect(await service().deliverDue() == 1)
        _ = try await submitJob(callbackURL: receiver.url("/configured"))
        #expect(await service { $0.callbackSecret = Secret("configured-callback-secret") }.deliverDue() == 1)
        #expect(receiver.received.map(\.path) == ["/job", "/configured"])
        #expect(receiver.received.allSatisfy { $0.signatureValid })
        #expect(try await database.webhookDeliveries(WebhookDeliveryQuery()).allSatisfy { $0.webhookID == nil })
        await receiver.stop()
    }
}
