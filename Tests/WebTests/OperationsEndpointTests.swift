import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Store
import Testing
import Web

@Suite("Health, readiness and metrics")
struct OperationsEndpointTests {
    @Test("/healthz and /readyz answer without a token; ready when the database takes a write and the spool has room")
    func ready() async throws {
        let fixture = try await APIFixture.make()
        try await fixture.test { client in
            let alive = try await client.request("/healthz", token: nil)
            #expect(alive.status == .ok && alive.headers[.contentType] == "application/json")
            #expect(try alive.json()["status"] as? String == "alive")
            let ready = try await client.request("/readyz", token: nil)
            #expect(ready.status == .ok, "\(ready.text)")
            #expect(try ready.json()["status"] as? String == "ready")
        }
    }

    @Test("a spool with less free space than [spool] min_free_mb: /readyz is 503 naming the spool; /healthz stays 200")
    func spoolFull() async throws {
        // More than any disk has: the threshold, not a filled disk, makes the spool full.
        let fixture = try await APIFixture.make { $0.minimumFreeBytes = 1 << 60 }
        try await fixture.test { client in
            let response = try await client.request("/readyz", token: nil)
            #expect(response.status == .serviceUnavailable)
            let body = try response.json()
            #expect(body["status"] as? String == "not ready")
            let problems = try #require(body["problems"] as? [[String: String]])
            #expect(problems.map { $0["check"] } == ["spool"], "\(problems)")
            #expect(problems.first?["detail"]?.contains("MB free") == true)
            let alive = try await client.request("/healthz", token: nil)
            #expect(alive.status == .ok)
        }
    }

    @Test("a database SQLite opened read-only: /readyz is 503 naming the database with SQLite's reason; /healthz stays 200")
    func readOnlyDatabase() async throws {
        let folder = try TestDocuments.makeTemporaryDirectory("readonly")
        var configuration = FaxlineConfiguration(dataDirectory: folder.path)
        configuration.web.port = 0
        configuration.minimumFreeBytes = 1024 * 1024
        // Made and migrated, then closed, then opened again for reading only.
        do { _ = try FaxDatabase(path: configuration.databasePath) }
        let database = try FaxDatabase.openReadOnly(path: configuration.databasePath)
        var logger = Logger(label: "faxline.test")
        logger.logLevel = .critical
        let server = try FaxlineServer(configuration: configuration, logger: logger, store: database)
        try await server.web!.makeApplication().test(.router) { client in
            let response = try await client.request("/readyz", token: nil)
            #expect(response.status == .serviceUnavailable)
            let problems = try #require(try response.json()["problems"] as? [[String: String]])
            #expect(problems.map { $0["check"] } == ["database"], "\(problems)")
            #expect(problems.first?["detail"]?.contains("readonly") == true, "\(problems)")
            let alive = try await client.request("/healthz", token: nil)
            #expect(alive.status == .ok)
        }
    }

    @Test("/metrics without a token: every series from the start; the queue, mail and line gauges read when scraped")
    func metrics() async throws {
        let fixture = try await APIFixture.make()
        let before = try await fixture.test { client in
            let response = try await client.request("/metrics", token: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            return PrometheusSamples(response.text)
        }
        for direction in ["inbound", "outbound"] {
            for outcome in ["succeeded", "partial", "failed"] {
                #expect(before.value("faxline_calls_total", ["direction": direction, "outcome": outcome]) == 0)
            }
            #expect(before.value("faxline_call_duration_seconds_count", ["direction": direction]) == 0)
        }
        #expect(before.value("faxline_pages_total", ["direction": "received"]) == 0)
        #expect(before.value("faxline_pages_total", ["direction": "sent"]) == 0)
        for reason in RefusalReason.allCases {
            #expect(before.value("faxline_calls_refused_total", ["reason": reason.rawValue]) == 0)
        }
        #expect(before.value("faxline_conversion_duration_seconds_count") == 0)
        #expect(before.value("faxline_lines", ["state": "idle"]) == Double(fixture.server.lines.lineCount))
        #expect(before.value("faxline_lines", ["state": "receiving"]) == 0)
        #expect(Set(before.series("faxline_jobs").compactMap { $0["state"] }) == ["queued", "requeued", "dialing", "sending"])
        #expect(before.value("faxline_mail_backlog", ["state": "pending"]) == 0)
        #expect(before.types["faxline_calls_total"] == "counter" && before.types["faxline_jobs"] == "gauge")
        #expect(before.types["faxline_call_duration_seconds"] == "histogram")
        #expect(before.value("faxline_webhook_backlog") == 0)

        // A submission through the API (converted, queued: nothing dials in this fixture) and a
        // received fax whose mail failed once.
        let body = #"{"numbers":["5550103"],"documents":[{"name":"a.txt","content":"\#(SendAPITests.letter.base64EncodedString())"}]}"#
        let fax = try await fixture.receivedFax(on: "201")
        let deliveries = try await fixture.database.enqueueDeliveries(
            faxID: fax.id, recipients: [MailRecipient(address: "a@example.com", format: .pdf), MailRecipient(address: "b@example.com", format: .pdf)],
            at: Date())
        let first = try #require(deliveries.first?.id)
        _ = try await fixture.database.markSending(id: first, at: Date())
        try await fixture.database.markFailed(id: first, error: "450 mailbox busy", nextAttemptAt: Date())
        let after = try await fixture.test { client in
            let submitted = try await client.request("/api/v1/faxes", .post, token: fixture.tokens["bob"], json: body)
            #expect(submitted.status == .accepted, "\(submitted.text)")
            return PrometheusSamples(try await client.request("/metrics", token: nil).text)
        }
        #expect(after.value("faxline_jobs", ["state": "queued"]) == 1)
        #expect(after.value("faxline_jobs", ["state": "dialing"]) == 0)
        #expect(after.value("faxline_conversion_duration_seconds_count") == 1)
        #expect(try #require(after.value("faxline_conversion_duration_seconds_sum")) > 0)
        #expect(after.value("faxline_mail_backlog", ["state": "pending"]) == 1)
        #expect(after.value("faxline_mail_backlog", ["state": "failing"]) == 1)
    }

    @Test("[web] metrics = off: /metrics is not there; health and readiness are")
    func metricsOff() async throws {
        let fixture = try await APIFixture.make { $0.web.servesMetrics = false }
        try await fixture.test { client in
            let metrics = try await client.request("/metrics", token: nil)
            let alive = try await client.request("/healthz", token: nil)
            let ready = try await client.request("/readyz", token: nil)
            #expect(metrics.status == .notFound && alive.status == .ok && ready.status == .ok)
        }
    }
}
