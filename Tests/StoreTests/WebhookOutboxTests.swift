import FaxCore
import Foundation
import StoreTestSupport
import Testing

/// The webhook outbox: the store queues a delivery in the transaction that changes a job or a
/// fax, for the webhooks that may hear about it; and the delivery queue's own contract.
@Suite struct WebhookOutboxTests {
    let now = Sample.start
    let secret = Secret("whsec_store_test_secret_01")

    func job(device: String? = "200", owner: String = "", callbackURL: String? = nil) throws -> Job {
        try Job(
            number: "5550101", document: SpoolPath("out/letter.tif"), pageCount: 2, submittedAt: now,
            sender: JobSender(deviceExtension: device), owner: owner, callbackURL: callbackURL)
    }

    @Test(arguments: StoreKind.allCases)
    func jobTransitionsQueueTheirEvents(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        let webhook = try await store.addWebhook(try Webhook(url: "https://hooks.example.com/fax", secret: secret, createdAt: now))
        var job = try await store.submitJob(try job())
        for (state, expected) in [(JobState.dialing, JobState.queued), (.sending, .dialing), (.requeued, .sending), (.dialing, .requeued),
                                  (.queued, .dialing), (.dialing, .queued), (.sending, .dialing), (.failed, .sending), (.queued, .failed),
                                  (.dialing, .queued), (.sending, .dialing), (.done, .sending)] {
            job.state = state
            try await store.saveJob(job, expecting: expected)
        }
        let events = try await store.webhookDeliveries(WebhookDeliveryQuery(webhookID: webhook.id)).reversed().map(\.event)
        // Put back when the manager went away (dialing → queued) is no event; a retry is.
        #expect(events == [.jobQueued, .jobRequeued, .jobFailed, .jobQueued, .jobDone])
        let done = try #require(try await store.webhookDeliveries(WebhookDeliveryQuery(webhookID: webhook.id)).first)
        guard case .job(let snapshot) = done.subject else { Issue.record("not a job"); return }
        #expect(snapshot.state == .done && snapshot.id == job.id && done.url == webhook.url && done.state == .pending)
        #expect(try await store.webhookBacklog() == 5)
    }

    @Test(arguments: StoreKind.allCases)
    func usersHearAboutWhatTheyMaySee(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        for number in ["200", "300"] { _ = try await store.addDevice(try Sample.device(number)) }
        let alice = try await store.addUser(User(name: "alice", email: "a@example.com", deviceExtensions: ["200"], createdAt: now), passwordHash: nil)
        let bob = try await store.addUser(User(name: "bob", email: "b@example.com", deviceExtensions: ["300"], createdAt: now), passwordHash: nil)
        var carol = try await store.addUser(User(name: "carol", email: "c@example.com", deviceExtensions: ["200"], createdAt: now), passwordHash: nil)
        carol.isEnabled = false
        _ = try await store.updateUser(carol)
        let admin = try await store.addUser(User(name: "root", email: "r@example.com", isAdmin: true, createdAt: now), passwordHash: nil)
        var hooks: [String: Webhook] = [:]
        for user in [alice, bob, carol, admin] {
            hooks[user.name] = try await store.addWebhook(try Webhook(url: "https://example.com/\(user.name)", secret: secret, userID: user.id, createdAt: now))
        }
        let onlyFaxes = try await store.addWebhook(
            try Webhook(url: "https://example.com/faxes", secret: secret, userID: bob.id, events: [.faxReceived], createdAt: now))

        _ = try await store.submitJob(try job(device: "200"))
        _ = try await store.submitJob(try job(device: nil, owner: "bob"))
        var fax = try Sample.fax(extensions: ["300"], status: .receiving)
        try await store.insertFax(fax)
        fax.status = .received
        try await store.updateFax(fax)
        try await store.updateFax(fax)

        func events(_ webhook: Webhook?) async throws -> [WebhookEvent] {
            try await store.webhookDeliveries(WebhookDeliveryQuery(webhookID: try #require(webhook).id)).map(\.event).sorted()
        }
        #expect(try await events(hooks["alice"]) == [.jobQueued])
        #expect(try await events(hooks["bob"]) == [.faxReceived, .jobQueued])
        #expect(try await events(hooks["carol"]) == [])
        #expect(try await events(hooks["root"]) == [.faxReceived, .jobQueued, .jobQueued])
        #expect(try await events(onlyFaxes) == [.faxReceived])
        #expect(try await store.webhookDeliveries(WebhookDeliveryQuery(userID: bob.id)).count == 3)
        let restricted = try await store.webhookDeliveries(WebhookDeliveryQuery())
        #expect(restricted.filter(\.isRestricted).count == 4 && restricted.filter { !$0.isRestricted }.count == 3)
    }

    @Test(arguments: StoreKind.allCases)
    func aRefusedChangeQueuesNothing(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        _ = try await store.addWebhook(try Webhook(url: "https://hooks.example.com/fax", secret: secret, createdAt: now))
        var job = try await store.submitJob(try job(callbackURL: "https://cb.example.com/job?id=1"))
        job.state = .done
        await #expect(throws: JobTransitionError.self) { try await store.saveJob(job, expecting: .sending) }
        let deliveries = try await store.webhookDeliveries(WebhookDeliveryQuery())
        #expect(deliveries.map(\.event) == [.jobQueued, .jobQueued])
        #expect(deliveries.contains { $0.webhookID == nil && $0.url == "https://cb.example.com/job?id=1" })
        #expect(try await store.job(id: try #require(job.id))?.callbackURL == "https://cb.example.com/job?id=1")
    }

    @Test(arguments: StoreKind.allCases)
    func theQueueSurvivesRestartsAndReplays(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        let webhook = try await store.addWebhook(try Webhook(url: "https://hooks.example.com/fax", secret: secret, createdAt: now))
        _ = try await store.submitJob(try job())
        let queued = try #require(try await store.dueWebhookDeliveries(at: now, limit: 10).first)
        #expect(try await store.dueWebhookDeliveries(at: now.addingTimeInterval(-1), limit: 10).isEmpty)
        let sending = try #require(try await store.markWebhookSending(id: queued.id, at: now))
        #expect(sending.attempts == 1 && sending.state == .sending)
        #expect(try await store.markWebhookSending(id: queued.id, at: now) == nil)
        await #expect(throws: RepositoryError.self) { _ = try await store.replayWebhookDelivery(id: queued.id, at: now) }

        let reopened = try subject.reopen()
        #expect(try await reopened.recoverInterruptedWebhookDeliveries(at: now) == 1)
        _ = try await reopened.markWebhookSending(id: queued.id, at: now)
        try await reopened.markWebhookFailed(id: queued.id, status: 503, error: "the receiver answered HTTP 503", nextAttemptAt: nil)
        var failed = try #require(try await reopened.webhookDelivery(id: queued.id))
        #expect(failed.state == .failed && failed.lastStatus == 503 && failed.attempts == 2)
        let later = now.addingTimeInterval(3600)
        failed = try await reopened.replayWebhookDelivery(id: String(queued.id), at: later)
        #expect(failed.state == .pending && failed.attempts == 0 && failed.createdAt == later && failed.lastError == nil)
        _ = try await reopened.markWebhookSending(id: queued.id, at: later)
        try await reopened.markWebhookDelivered(id: queued.id, status: 204, at: later)
        #expect(try await reopened.webhookDelivery(id: queued.id)?.state == .delivered)
        #expect(try await reopened.webhookDeliveryIDs(startingWith: String(queued.id.prefix(6)), limit: 5) == [queued.id])
        #expect(try await reopened.webhookIDs(startingWith: String(webhook.id.prefix(4)), limit: 5) == [webhook.id])
        #expect(try await reopened.pruneWebhookDeliveries(queuedBefore: later) == 0)
        #expect(try await reopened.pruneWebhookDeliveries(queuedBefore: later.addingTimeInterval(1)) == 1)
        try await reopened.removeWebhook(id: webhook.id)
        #expect(try await reopened.webhooks(userID: nil).isEmpty)
        let secretAgain = try await reopened.storedCallbackSecret()
        #expect(secretAgain == (try await store.storedCallbackSecret()))
    }
}
