/// Polls `condition` until it holds, at most `tries` times, `interval` apart on `clock`:
/// for waiting on work that runs elsewhere (a call, a queue), never for "letting things
/// settle". Returns whether the condition came true.
public func eventually(
    tries: Int = 1_000, every interval: Duration = .milliseconds(20), clock: any Clock<Duration> = ContinuousClock(),
    isolation: isolated (any Actor)? = #isolation, _ condition: () async throws -> Bool
) async throws -> Bool {
    for _ in 0..<tries {
        if try await condition() { return true }
        try await clock.sleep(for: interval)
    }
    return try await condition()
}
