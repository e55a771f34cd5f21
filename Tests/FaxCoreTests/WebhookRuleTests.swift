import FaxCore
import Foundation
import Testing

/// Which changes make which webhook events, what a webhook URL may be, who hears what.
@Suite struct WebhookRuleTests {
    @Test func jobEventsFollowTheStateMachine() {
        #expect(WebhookEvent.ofJob(from: nil, to: .queued) == .jobQueued)
        #expect(WebhookEvent.ofJob(from: .failed, to: .queued) == .jobQueued)
        #expect(WebhookEvent.ofJob(from: .killed, to: .queued) == .jobQueued)
        #expect(WebhookEvent.ofJob(from: .dialing, to: .queued) == nil)
        #expect(WebhookEvent.ofJob(from: .sending, to: .requeued) == .jobRequeued)
        #expect(WebhookEvent.ofJob(from: .sending, to: .done) == .jobDone)
        #expect(WebhookEvent.ofJob(from: .queued, to: .failed) == .jobFailed)
        #expect(WebhookEvent.ofJob(from: .done, to: .done) == nil)
        for quiet in [JobState.dialing, .sending, .killed] { #expect(WebhookEvent.ofJob(from: .queued, to: quiet) == nil) }
    }

    @Test func aReceivedFaxIsAnnouncedOnceWhenFiledWithPages() {
        var fax = FaxRecord(status: .receiving)
        #expect(WebhookEvent.ofFax(from: nil, to: fax) == nil)
        fax.status = .partial
        #expect(WebhookEvent.ofFax(from: .receiving, to: fax) == .faxReceived)
        fax.status = .received
        #expect(WebhookEvent.ofFax(from: .partial, to: fax) == nil)
        #expect(WebhookEvent.ofFax(from: .received, to: fax) == nil)
        fax.status = .failed
        #expect(WebhookEvent.ofFax(from: .receiving, to: fax) == nil)
        var sent = FaxRecord(direction: .sent, status: .sent)
        sent.status = .sent
        #expect(WebhookEvent.ofFax(from: .sending, to: sent) == nil)
    }

    @Test(arguments: [
        ("ftp://example.com/x", "http:// or https://"), ("https://user:pw@example.com/", "user name or password"),
        ("https://example.com/#frag", "fragment"), ("https:///path", "names no host"), ("example.com/hook", "not a URL"),
        ("https://exa mple.com/", "without spaces"), ("", "1 to 2000"), ("javascript:alert(1)", "http:// or https://"),
    ])
    func badURLsAreRefusedWithTheReason(url: String, reason: String) {
        #expect {
            _ = try WebhookURL.validate(url)
        } throws: { error in
            (error as? FaxValidationError)?.description.contains(reason) == true
        }
    }

    @Test func goodURLsAreKeptWithSchemeAndHostLowercased() throws {
        #expect(try WebhookURL.validate("HTTPS://Hooks.Example.COM:8443/Fax?x=1") == "https://hooks.example.com:8443/Fax?x=1")
        #expect(try WebhookURL.validate("http://[::1]:8080/x") == "http://[::1]:8080/x")
        #expect(WebhookURL.host(of: "http://[::1]:8080/x") == "::1")
        #expect(throws: FaxValidationError.self) {
            _ = try Job(number: "5550100", document: SpoolPath("out/a.tif"), pageCount: 1, callbackURL: "file:///etc/passwd")
        }
    }

    @Test func secretsAreMadeLongAndRandomAndChecked() throws {
        let one = WebhookSecretText.generate()
        #expect(one.revealed.count == 70 && one.revealed.hasPrefix("whsec_") && one != WebhookSecretText.generate())
        #expect("\(one)" == Secret.redacted)
        #expect(throws: FaxValidationError.self) { _ = try Webhook(url: "https://example.com", secret: "short", createdAt: Date()) }
    }

    @Test func usersHearWhatTheirListsShow() throws {
        let alice = try User(id: 1, name: "alice", email: "a@example.com", deviceExtensions: ["201"], createdAt: Date())
        let hook = try Webhook(url: "https://example.com", secret: WebhookSecretText.generate(), userID: 1, events: [.jobDone], createdAt: Date())
        #expect(hook.receives(.jobDone, about: Ownership(deviceExtensions: ["201"]), owner: alice))
        #expect(hook.receives(.jobDone, about: Ownership(submitter: "alice"), owner: alice))
        #expect(!hook.receives(.jobDone, about: Ownership(deviceExtensions: ["202"]), owner: alice))
        #expect(!hook.receives(.jobFailed, about: Ownership(deviceExtensions: ["201"]), owner: alice))
        var disabled = alice
        disabled.isEnabled = false
        #expect(!hook.receives(.jobDone, about: Ownership(deviceExtensions: ["201"]), owner: disabled))
        let global = try Webhook(url: "https://example.com", secret: WebhookSecretText.generate(), createdAt: Date())
        #expect(global.receives(.faxReceived, about: Ownership(deviceExtensions: ["999"]), owner: nil))
        #expect(try WebhookEvent.parseList("job.done, fax.received") == [.jobDone, .faxReceived])
        #expect(throws: FaxValidationError.self) { _ = try WebhookEvent.parseList("job.exploded") }
    }

    @Test func webhookRetriesDoubleAndStopAfterADay() {
        let policy = DeliveryRetryPolicy.webhooks
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(policy.nextAttempt(afterFailedAttempts: 1, queuedAt: start, now: start) == start.addingTimeInterval(30))
        #expect(policy.nextAttempt(afterFailedAttempts: 2, queuedAt: start, now: start) == start.addingTimeInterval(60))
        #expect(policy.nextAttempt(afterFailedAttempts: 50, queuedAt: start, now: start) == start.addingTimeInterval(7200))
        #expect(policy.nextAttempt(afterFailedAttempts: 50, queuedAt: start, now: start.addingTimeInterval(86_000)) == start.addingTimeInterval(86_400))
        #expect(policy.nextAttempt(afterFailedAttempts: 50, queuedAt: start, now: start.addingTimeInterval(86_400)) == nil)
    }
}
