import Synchronization

/// The highest resident figures seen while calls run.
package final class PeakMemory: Sendable {
    private let peak = Mutex((total: 0, anonymous: 0))

    package init() {}

    package func note(_ bytes: (total: Int, anonymous: Int)) {
        peak.withLock { $0 = (max($0.total, bytes.total), max($0.anonymous, bytes.anonymous)) }
    }

    package var value: (total: Int, anonymous: Int) { peak.withLock { $0 } }
}
