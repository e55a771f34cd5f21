/// Waits out a conversion's time limit. The real one sleeps; a test gives one that returns when
/// the test opens a gate, so a time limit can be tested without waiting for it.
public struct ConversionTimer: Sendable {
    let wait: @Sendable (Duration) async throws -> Void

    public init(_ wait: @escaping @Sendable (Duration) async throws -> Void) {
        self.wait = wait
    }

    public static let realTime = ConversionTimer { try await Task.sleep(for: $0) }
}
