import Synchronization

/// Why an inbound call was refused: the FAXERROR Asterisk is given.
public enum RefusalReason: String, Sendable, Codable, CaseIterable {
    case noFreeLine = "NO_FREE_LINE"
    case noDevice = "NO_DEVICE"
    case rejected = "REJECTED"
    case disabled = "DISABLED"
    case diskFull = "DISK_FULL"

    /// As `faxline status` counts them.
    public var plainWords: String {
        switch self {
        case .noFreeLine: "no free line"
        case .noDevice: "no device"
        case .rejected: "rejected by a rule"
        case .disabled: "disabled"
        case .diskFull: "disk full"
        }
    }
}

/// Inbound calls refused since the server started, by reason (outbound jobs that waited for a
/// line are no refused calls: they are counted by the queue).
public final class RefusedCalls: Sendable {
    private let counts = Mutex<[RefusalReason: Int]>([:])
    private let metrics: ServerMetrics?

    public init(metrics: ServerMetrics? = nil) {
        self.metrics = metrics
    }

    func count(_ reason: RefusalReason) {
        counts.withLock { $0[reason, default: 0] += 1 }
        metrics?.callRefused(reason)
    }

    public func snapshot() -> [RefusalReason: Int] {
        counts.withLock { $0 }
    }
}
