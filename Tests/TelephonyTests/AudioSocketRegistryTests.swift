import Foundation
import Testing

@testable import Telephony

@Suite("AudioSocket session registry", .timeLimit(.minutes(1)))
struct AudioSocketRegistryTests {
    @Test func aUUIDCanBeExpectedOnlyOnce() throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let waiter = try registry.expect(uuid)
        #expect(throws: AudioSocketError.alreadyExpected(uuid)) { try registry.expect(uuid) }
        #expect(registry.expectedCount == 1)
        waiter.cancel()
        #expect(registry.expectedCount == 0)
        // Withdrawn, the UUID may be announced again; the old waiter cannot withdraw the new one.
        let again = try registry.expect(uuid)
        waiter.cancel()
        #expect(registry.expectedCount == 1)
        withExtendedLifetime(again) {}
    }

    @Test func releasingTheWaiterWithdrawsTheRegistration() throws {
        let registry = AudioSocketSessionRegistry()
        do {
            let waiter = try registry.expect(UUID())
            #expect(registry.expectedCount == 1)
            withExtendedLifetime(waiter) {}
        }
        #expect(registry.expectedCount == 0)
    }

    @Test func waitingTimesOutAndWithdraws() async throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let waiter = try registry.expect(uuid)
        let started = ContinuousClock.now
        await #expect(throws: AudioSocketError.connectionTimedOut(uuid, after: .milliseconds(100))) {
            try await waiter.connection(timeout: .milliseconds(100))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(registry.expectedCount == 0)
        await #expect(throws: AudioSocketError.notExpected(uuid)) { try await waiter.connection(timeout: .seconds(1)) }
    }

    @Test func cancellingTheWaitWithdraws() async throws {
        let registry = AudioSocketSessionRegistry()
        let waiter = try registry.expect(UUID())
        let task = Task { try await waiter.connection(timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(registry.expectedCount == 0)
    }

    @Test func cancellingTheWaiterWakesTheWait() async throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let waiter = try registry.expect(uuid)
        let waiting = Task { _ = try await waiter.connection(timeout: .seconds(30)) }
        #expect(try await AGITestSupport.eventually { registry.isWaiting(for: uuid) })
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(registry.expectedCount == 0)
    }
}
