import FaxCore
import ServerSupport
import Synchronization

/// Gives memory back to the system when the server goes quiet after calls, so that an idle
/// server is small again: at once when the last line is freed (the calls' own memory), and
/// once more when `settle` has passed with no call on a line — the work after a call (its
/// pages written, the PDF, the preview, the mail) goes on for seconds after the line is free,
/// and SQLite keeps what it read and wrote in every connection's cache.
final class QuietMemoryRelease: Sendable {
    private let lines: LinePool
    private let settle: Duration
    private let clock: any Clock<Duration>
    /// Drops caches kept for speed (the database's) before the heaps are trimmed.
    private let releaseCaches: @Sendable () -> Void
    /// Counts the quiet periods: a release waits for the end of its own period only.
    private let quietPeriods = Atomic<Int>(0)

    init(lines: LinePool, settle: Duration = .seconds(10), clock: any Clock<Duration> = ContinuousClock(),
         releaseCaches: @escaping @Sendable () -> Void = {}) {
        self.lines = lines
        self.settle = settle
        self.clock = clock
        self.releaseCaches = releaseCaches
    }

    /// A call freed its line.
    func lineFreed() {
        guard lines.heldLines == 0 else { return }
        ProcessMemory.returnFreedMemory()
        let period = quietPeriods.add(1, ordering: .relaxed).newValue
        Task { [self] in
            try? await clock.sleep(for: settle)
            // A call came and went meanwhile: the release belongs to the later quiet period.
            guard quietPeriods.load(ordering: .relaxed) == period, lines.heldLines == 0 else { return }
            releaseCaches()
            ProcessMemory.returnFreedMemory()
        }
    }
}
