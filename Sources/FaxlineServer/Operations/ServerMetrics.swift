import FaxCore
import Metrics
// Only these two: Prometheus' own Counter and Gauge would shadow swift-metrics' ones.
import class Prometheus.PrometheusCollectorRegistry
import struct Prometheus.PrometheusMetricsFactory

/// The server's metrics, in Prometheus' text format at `/metrics`. Counters and histograms are
/// swift-metrics handles, recorded where the event happens (one place each: a call's end in
/// `FaxCallRunner.release`, a refusal in `InboundFaxScript.refuse`, a conversion in
/// `JobSubmitter.submit`); gauges of what the store and the lines hold are set when scraped
/// (`exposition`). Every series that can be known in advance exists from the start, at 0, so a
/// rate is right from the first event.
///
/// `faxline serve` bootstraps `MetricsSystem` with `factory`, so a library's metrics land in
/// the same registry; tests give each server a registry of its own.
public final class ServerMetrics: Sendable {
    public enum Name {
        public static let calls = "faxline_calls_total"
        public static let pages = "faxline_pages_total"
        public static let refusedCalls = "faxline_calls_refused_total"
        public static let callDuration = "faxline_call_duration_seconds"
        public static let conversionDuration = "faxline_conversion_duration_seconds"
        public static let lines = "faxline_lines"
        public static let jobs = "faxline_jobs"
        public static let mailBacklog = "faxline_mail_backlog"
        public static let webhookBacklog = "faxline_webhook_backlog"
    }

    /// How a call ended, for `faxline_calls_total`.
    public enum CallResult: String, Sendable, CaseIterable {
        /// Every page went through.
        case succeeded
        /// Some pages went through, not all.
        case partial
        /// No page went through.
        case failed
    }

    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory
    private let calls: [CallDirection: [CallResult: Counter]]
    private let pages: [CallDirection: Counter]
    private let refusals: [RefusalReason: Counter]
    private let callDurations: [CallDirection: Timer]
    private let conversions: Timer
    private let lines: [LineState: Gauge]
    private let jobs: [JobState: Gauge]
    private let mail: (pending: Gauge, failing: Gauge)

    /// The job states counted as the queue's depth: waiting or on the line (the rest is history).
    static let queueStates: [JobState] = JobState.allCases.filter { !$0.isFinal }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        var factory = PrometheusMetricsFactory(registry: registry)
        // A fax call lasts from seconds (refused by the far end) to an hour (a long document);
        // a conversion from a tenth of a second (a PDF page) to a minute (a big office file).
        factory.durationHistogramBuckets = [
            Name.callDuration: [5, 15, 30, 60, 120, 300, 600, 1200, 2400, 3600].map { Duration.seconds($0) },
            Name.conversionDuration: [Duration.milliseconds(100), .milliseconds(250), .milliseconds(500)]
                + [1, 2, 5, 10, 30, 60].map { Duration.seconds($0) },
        ]
        self.registry = registry
        self.factory = factory
        calls = Dictionary(uniqueKeysWithValues: CallDirection.allCases.map { direction in
            (direction, Dictionary(uniqueKeysWithValues: CallResult.allCases.map { result in
                (result, Counter(label: Name.calls, dimensions: [("direction", direction.rawValue), ("outcome", result.rawValue)],
                                 factory: factory))
            }))
        })
        pages = Dictionary(uniqueKeysWithValues: CallDirection.allCases.map {
            ($0, Counter(label: Name.pages, dimensions: [("direction", Self.pageDirection($0))], factory: factory))
        })
        refusals = Dictionary(uniqueKeysWithValues: RefusalReason.allCases.map {
            ($0, Counter(label: Name.refusedCalls, dimensions: [("reason", $0.rawValue)], factory: factory))
        })
        callDurations = Dictionary(uniqueKeysWithValues: CallDirection.allCases.map {
            ($0, Timer(label: Name.callDuration, dimensions: [("direction", $0.rawValue)], factory: factory))
        })
        conversions = Timer(label: Name.conversionDuration, factory: factory)
        lines = Dictionary(uniqueKeysWithValues: LineState.allCases.map {
            ($0, Gauge(label: Name.lines, dimensions: [("state", $0.rawValue)], factory: factory))
        })
        jobs = Dictionary(uniqueKeysWithValues: Self.queueStates.map {
            ($0, Gauge(label: Name.jobs, dimensions: [("state", $0.rawValue)], factory: factory))
        })
        mail = (Gauge(label: Name.mailBacklog, dimensions: [("state", "pending")], factory: factory),
                Gauge(label: Name.mailBacklog, dimensions: [("state", "failing")], factory: factory))
    }

    /// Makes `factory` every library's (`MetricsSystem`), so that their metrics land in the
    /// registry `/metrics` shows. Once per process: `faxline serve` does it.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(factory)
    }

    /// Pages are "received" or "sent", as people say of faxes.
    private static func pageDirection(_ direction: CallDirection) -> String {
        direction == .inbound ? "received" : "sent"
    }

    // MARK: - Events

    /// A fax call is over (its line is free again): `pages` went through in `duration`.
    func callEnded(_ direction: CallDirection, succeeded: Bool, pages count: Int, duration: Duration) {
        let result: CallResult = succeeded ? .succeeded : count > 0 ? .partial : .failed
        calls[direction]?[result]?.increment()
        if count > 0 { pages[direction]?.increment(by: count) }
        callDurations[direction]?.record(duration: duration)
    }

    /// An inbound call was turned away.
    func callRefused(_ reason: RefusalReason) {
        refusals[reason]?.increment()
    }

    /// Documents to send were converted to fax pages (successfully or not) in `duration`.
    func documentsConverted(in duration: Duration) {
        conversions.record(duration: duration)
    }

    // MARK: - Scrape

    /// What the gauges show, read when scraped.
    struct Readings: Sendable {
        var lines: [LineState: Int]
        /// `nil` when the store could not be read: the gauges keep their last values.
        var jobs: [JobState: Int]?
        var mail: DeliveryBacklog?
        var webhooks: Int?
    }

    /// Sets the gauges and renders every metric.
    func exposition(_ readings: Readings) -> [UInt8] {
        for (state, gauge) in lines { gauge.record(readings.lines[state] ?? 0) }
        if let counts = readings.jobs {
            for (state, gauge) in jobs { gauge.record(counts[state] ?? 0) }
        }
        if let backlog = readings.mail {
            mail.pending.record(backlog.pending)
            mail.failing.record(backlog.failing)
        }
        // Absent until the store has been read once: 0 would say "none waiting" without knowing.
        if let backlog = readings.webhooks {
            Gauge(label: Name.webhookBacklog, factory: factory).record(backlog)
        }
        return registry.emitToBuffer()
    }
}
