/// Wakes a service that works in passes (the mail queue, the job queue): every poll interval
/// on its clock, and at once when something new arrived (`wake()`). Wake-ups that come while a
/// pass runs collapse into one more pass.
final class WakeUps: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        // The first pass runs at once.
        continuation.yield()
    }

    func wake() {
        continuation.yield()
    }

    /// No more passes: `run` returns once the current one is done.
    func finish() {
        continuation.finish()
    }

    /// Runs `pass` on every wake-up until `finish()` (or cancellation).
    func run(every interval: Duration, clock: any Clock<Duration>, _ pass: () async -> Void) async {
        await withTaskGroup(of: Void.self) { poller in
            poller.addTask {
                while (try? await clock.sleep(for: interval)) != nil { self.wake() }
            }
            for await _ in stream {
                await pass()
            }
            poller.cancelAll()
        }
    }
}
