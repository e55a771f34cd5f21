import FaxCore
import FaxTestSupport
import Testing

@testable import FaxlineServer

/// What each recorded event does to the exposition (the end-to-end tests show that the events
/// are recorded where they happen).
@Suite("Server metrics")
struct ServerMetricsTests {
    let idle = ServerMetrics.Readings(lines: [.idle: 2])

    @Test("a call's outcome: every page succeeded, some pages partial, none failed; pages and durations by direction")
    func callOutcomes() {
        let metrics = ServerMetrics()
        metrics.callEnded(.inbound, succeeded: true, pages: 3, duration: .seconds(95))
        metrics.callEnded(.inbound, succeeded: false, pages: 1, duration: .seconds(40))
        metrics.callEnded(.outbound, succeeded: false, pages: 0, duration: .seconds(20))
        metrics.callRefused(.diskFull)
        let samples = PrometheusSamples(String(decoding: metrics.exposition(idle), as: UTF8.self))
        #expect(samples.value("faxline_calls_total", ["direction": "inbound", "outcome": "succeeded"]) == 1)
        #expect(samples.value("faxline_calls_total", ["direction": "inbound", "outcome": "partial"]) == 1)
        #expect(samples.value("faxline_calls_total", ["direction": "outbound", "outcome": "failed"]) == 1)
        #expect(samples.value("faxline_calls_total", ["direction": "outbound", "outcome": "succeeded"]) == 0)
        #expect(samples.value("faxline_pages_total", ["direction": "received"]) == 4)
        #expect(samples.value("faxline_pages_total", ["direction": "sent"]) == 0)
        #expect(samples.value("faxline_call_duration_seconds_count", ["direction": "inbound"]) == 2)
        #expect(samples.value("faxline_call_duration_seconds_sum", ["direction": "inbound"]) == 135)
        // 40 s and 95 s: one in the 60 s bucket, both in the 120 s one.
        #expect(samples.value("faxline_call_duration_seconds_bucket", ["direction": "inbound", "le": "60.0"]) == 1)
        #expect(samples.value("faxline_call_duration_seconds_bucket", ["direction": "inbound", "le": "120.0"]) == 2)
        #expect(samples.value("faxline_calls_refused_total", ["reason": "DISK_FULL"]) == 1)
        #expect(samples.value("faxline_lines", ["state": "idle"]) == 2 && samples.value("faxline_lines", ["state": "sending"]) == 0)
    }

    @Test("the webhook backlog is shown once a store feeds it, never as a made-up 0")
    func webhookBacklog() {
        let metrics = ServerMetrics()
        #expect(PrometheusSamples(String(decoding: metrics.exposition(idle), as: UTF8.self)).series("faxline_webhook_backlog").isEmpty)
        var readings = idle
        readings.webhooks = 7
        #expect(PrometheusSamples(String(decoding: metrics.exposition(readings), as: UTF8.self)).value("faxline_webhook_backlog") == 7)
    }

    @Test("gauges the store could not be read for keep their last values; the lines are always read")
    func storeUnreadable() {
        let metrics = ServerMetrics()
        var readings = idle
        readings.jobs = [.queued: 4]
        readings.mail = DeliveryBacklog(pending: 2, failing: 1)
        _ = metrics.exposition(readings)
        let samples = PrometheusSamples(String(decoding: metrics.exposition(ServerMetrics.Readings(lines: [.receiving: 1])), as: UTF8.self))
        #expect(samples.value("faxline_jobs", ["state": "queued"]) == 4)
        #expect(samples.value("faxline_mail_backlog", ["state": "failing"]) == 1)
        #expect(samples.value("faxline_lines", ["state": "receiving"]) == 1 && samples.value("faxline_lines", ["state": "idle"]) == 0)
    }
}
