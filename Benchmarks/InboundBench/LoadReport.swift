import BenchSupport

/// What one run of the Asterisk side saw, printed as JSON for the benchmark process.
struct LoadReport: Codable, Sendable {
    struct Call: Codable, Sendable {
        /// The server took the call and answered it (not a refusal such as NO_DEVICE).
        var routed = false
        /// FAXSTATUS=SUCCESS and the far end's own fax succeeded.
        var succeeded = false
        var refusal: String?
        var media = ScheduledFarEndHandler.Result()
    }

    var calls: [Call] = []
    var replies = LatencyHistogram()
    var sendLateness = LatencyHistogram()
    /// CPU seconds this process used (the far ends' fax machines, AGI, sockets).
    var cpuSeconds = 0.0
    var wallSeconds = 0.0
}
