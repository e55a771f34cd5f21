/// What `/readyz` and `/metrics` read from the server; FaxlineServer's `ServerOperations`
/// implements it. (`/healthz` needs nothing: an answer is the proof of life.)
public protocol OperationsMonitor: Sendable {
    /// What keeps the server from doing its work, each named; empty when it is ready.
    func readinessProblems() async -> [ReadinessProblem]
    /// Every metric in Prometheus' text format (version 0.0.4), gauges read now.
    func metricsExposition() async -> [UInt8]
}

/// One readiness check that failed: which (`database`, `spool`, `asterisk_manager`) and why.
public struct ReadinessProblem: Sendable, Equatable, Codable {
    public var check: String
    public var detail: String

    public init(check: String, detail: String) {
        self.check = check
        self.detail = detail
    }
}
