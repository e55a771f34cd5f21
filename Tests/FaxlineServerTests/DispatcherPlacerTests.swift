import FaxCore
import FaxTestSupport
import Foundation
import Store
import Synchronization
import Telephony
import Testing

@testable import FaxlineServer

/// A placer that says it is logged in and then cannot place: the Asterisk manager went away
/// between the check and the Originate, or the Originate was cut off by it.
final class FailingPlacer: OutboundCallPlacer {
    enum Failure: Sendable { case throwsOnOriginate, endsManagerDown }

    let failure: Failure
    private let calls = Mutex(0)

    init(_ failure: Failure) {
        self.failure = failure
    }

    var originates: Int { calls.withLock { $0 } }

    var connectionState: AMIConnectionState {
        get async { .loggedIn(asteriskVersion: "test") }
    }

    func originate(_ request: OriginateRequest) async throws -> OriginateOutcome {
        calls.withLock { $0 += 1 }
        switch failure {
        case .throwsOnOriginate: throw ManagerConnectionLost()
        case .endsManagerDown: return OriginateOutcome(cause: .amiDown, channelID: request.channelID, actionID: "faxline-1", wasQueued: true)
        }
    }

    func hangUp(_ request: OriginateRequest) async {}
}

/// What a placer throws when the manager connection is gone.
struct ManagerConnectionLost: Error {}

@Suite("Dispatcher with a fake placer", .serialized)
struct DispatcherPlacerTests {
    @Test("an Originate that fails or ends with the manager down never fails or counts a job",
          arguments: [FailingPlacer.Failure.throwsOnOriginate, .endsManagerDown])
    func managerGoneAtTheOriginate(failure: FailingPlacer.Failure) async throws {
        let placer = FailingPlacer(failure)
        let harness = try await ServerHarness.start(placer: placer) {
            $0.outbound.pollInterval = .milliseconds(50)
            $0.outbound.retry.managerDown = 0.1
        }
        let dispatcher = try #require(harness.server.outbound)
        let submitted = try #require(try await JobSubmitter(jobs: harness.database, spoolRoot: harness.spoolRoot)
            .submit(JobSubmission(numbers: ["5550701"], files: [try onePage().path])).first)
        dispatcher.wake()
        // Tried more than once (the job waits the manager-down delay, then is looked at again).
        #expect(try await eventually { placer.originates >= 2 })
        let id = try #require(submitted.id)
        let job = try #require(try await harness.database.job(id: id))
        #expect(job.state == .queued || job.state == .dialing)
        #expect(job.dials == 0 && job.tries == 0 && job.attempts.isEmpty)
        #expect(try await harness.database.recentFaxes(FaxQuery(direction: .sent)).isEmpty)
        await harness.stop()
    }
}
