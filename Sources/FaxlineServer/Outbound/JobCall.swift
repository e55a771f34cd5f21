import CallMedia
import FaxCore
import Foundation
import Logging
import Telephony

/// One call for one job, from the dial to the end: the only writer of that job while it is on
/// the line. Everything that happens to it — how the Originate went, the call's audio, a kill —
/// arrives as a ``JobCallEvent`` on one stream and is applied in order as a transition of the
/// job, whose actions run before the next event.
final class JobCall {
    private let dispatcher: OutboundDispatcher
    private let runner: FaxCallRunner
    private let events: AsyncStream<JobCallEvent>
    private let sink: AsyncStream<JobCallEvent>.Continuation
    private let logger: Logger
    private var job: Job
    private var attempt: JobAttempt
    private var dialed: OriginateOutcome?
    /// Audio events that came before Asterisk's answer to the Originate.
    private var early: [MediaCallEvent] = []

    init(dispatcher: OutboundDispatcher, job: Job, runner: FaxCallRunner, events: AsyncStream<JobCallEvent>,
         sink: AsyncStream<JobCallEvent>.Continuation, logger: Logger) {
        self.dispatcher = dispatcher
        self.job = job
        self.runner = runner
        self.events = events
        self.sink = sink
        self.logger = logger
        attempt = JobAttempt(startedAt: Date(), lineName: runner.line.lineName, firstPage: job.nextPage)
    }

    func run() async {
        var iterator = events.makeAsyncIterator()
        var over = false
        if let request = await prepare() {
            let placer = dispatcher.placer
            let sink = self.sink
            let runner = self.runner
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        sink.yield(.dialed(.success(try await placer.originate(request))))
                    } catch {
                        sink.yield(.dialed(.failure(error)))
                    }
                }
                while !over, let event = await iterator.next() {
                    switch event {
                    case .kill(let who, let reply):
                        if await kill(by: who, reply: reply) {
                            runner.hangUp("the job was killed by \(who)")
                            group.addTask { await placer.hangUp(request) }
                        }
                    case .dialed(let result):
                        over = await dialed(result)
                        if !over { group.addTask { await runner.expireConnection() } }
                        for media in early where !over { over = await mediaEvent(media) }
                        early.removeAll()
                    case .media(let media):
                        if dialed == nil {
                            early.append(media)
                        } else {
                            over = await mediaEvent(media)
                        }
                    }
                }
                // Ends the connect timer; the Originate too, when the server is being cut.
                group.cancelAll()
            }
        } else {
            over = true
        }
        if !over { await interrupted() }
        dispatcher.callEnded(job.id ?? 0)
        sink.finish()
        // Kills that came while the call ended go to the stored job.
        await dispatcher.answerLeftoverKills(&iterator, jobID: job.id ?? 0)
        runner.release(succeeded: job.state == .done)
        logger.info("job call ended", metadata: [
            "state": "\(job.state.rawValue)", "next_page": "\(job.nextPage)", "reason": "\(job.reason)",
        ])
    }

    /// The Originate, or `nil` when the job cannot be dialed at all (then it has ended).
    private func prepare() async -> OriginateRequest? {
        do {
            let document = job.document.absolutePath(under: dispatcher.settings.spool.root)
            guard FileManager.default.fileExists(atPath: document) else {
                throw SpoolError.missing(file: job.document.relativePath)
            }
            return try dispatcher.makeRequest(for: job, uuid: runner.uuid, media: try await dispatcher.mediaAddress())
        } catch {
            runner.giveUpConnecting("not dialed: \(SocketErrorWords.describe(error))")
            attempt.endedAt = Date()
            await apply { try $0.callEnded(.unsendable("\(SocketErrorWords.describe(error))"), attempt: attempt, policy: dispatcher.retryPolicy, at: Date()) }
            return nil
        }
    }

    /// Asterisk's answer to the Originate. Returns whether the call is over.
    private func dialed(_ result: Result<OriginateOutcome, any Error>) async -> Bool {
        let outcome: OriginateOutcome
        switch result {
        case .failure(let error):
            runner.giveUpConnecting("the call could not be placed")
            await apply { try $0.managerDown("Asterisk manager unreachable (\(SocketErrorWords.describe(error)))", policy: dispatcher.retryPolicy, at: Date()) }
            return true
        case .success(let success):
            outcome = success
        }
        dialed = outcome
        attempt.endedAt = Date()
        let notAnswered: (JobRetryCause, String)
        switch outcome.cause {
        case .answered:
            let transition = await apply { try $0.answered() }
            runner.answered()
            if transition?.actions.contains(.hangUp) == true { runner.hangUp("the job was killed while it was dialed") }
            return false
        case .amiDown:
            // Nothing is counted while the manager is gone: the call may not even have been placed.
            runner.giveUpConnecting("the Asterisk manager went away")
            await apply { try $0.managerDown("Asterisk manager unreachable", policy: dispatcher.retryPolicy, at: Date()) }
            return true
        case .cancelled:
            // Only our own hang-up of a killed job cancels a ringing call; the kill is recorded.
            runner.giveUpConnecting("the call was hung up before it was answered")
            if job.state.isActive {
                await apply { try $0.managerDown("the call was hung up before it was answered", policy: dispatcher.retryPolicy, at: Date()) }
            }
            return true
        case .busy: notAnswered = (.busy, "busy")
        case .noAnswer: notAnswered = (.noAnswer, "no answer")
        case .congestion: notAnswered = (.other, "congestion (the network or the trunk refused the call)")
        case .failed(let why): notAnswered = (.other, why)
        }
        runner.giveUpConnecting("the call was not answered")
        await apply {
            try $0.callEnded(.notAnswered(notAnswered.0, notAnswered.1), attempt: attempt, policy: dispatcher.retryPolicy, at: Date())
        }
        return true
    }

    /// The call's audio. Returns whether the call is over.
    private func mediaEvent(_ event: MediaCallEvent) async -> Bool {
        switch event {
        case .connected, .t30Started:
            return false
        case .pagesConfirmed(let pages):
            await apply { try $0.pageConfirmed(nextPage: attempt.firstPage + pages) }
            return false
        case .ended(let outcome):
            if Task.isCancelled {
                // The server is being cut: whatever the audio saw, the call was interrupted.
                await interrupted()
                return true
            }
            record(outcome)
            await apply { try $0.callEnded(outcome.jobOutcome, attempt: attempt, policy: dispatcher.retryPolicy, at: Date()) }
            return true
        }
    }

    /// Returns whether there is a call to hang up.
    private func kill(by who: String, reply: @Sendable (Result<JobState, any Error>) -> Void) async -> Bool {
        do {
            let transition = try job.kill(by: who, at: Date())
            await apply { _ in transition }
            reply(.success(job.state))
            return transition.actions.contains(.hangUp)
        } catch {
            reply(.failure(error))
            return false
        }
    }

    /// The server is being cut while the job is on the line: the call is hung up and counts
    /// as interrupted, recorded now rather than found at the next start.
    private func interrupted() async {
        runner.hangUp("the server is stopping")
        let outcome = await runner.outcome()
        guard job.state.isActive else { return }
        if outcome.fax.pagesConfirmed > 0 {
            await apply { try $0.pageConfirmed(nextPage: attempt.firstPage + outcome.fax.pagesConfirmed) }
        }
        await apply { try $0.interrupted(policy: dispatcher.retryPolicy, at: Date()) }
    }

    private func record(_ outcome: MediaCallOutcome) {
        attempt.endedAt = Date()
        attempt.remoteStationID = outcome.fax.remoteStationID
        attempt.bitRate = outcome.fax.bitRate
        attempt.events = outcome.fax.events.map(\.logEntry)
    }

    /// Applies a transition to the job and runs its actions; a transition the job's state
    /// does not allow is logged and changes nothing.
    @discardableResult
    private func apply(_ transition: (Job) throws -> JobTransition) async -> JobTransition? {
        do {
            let next = try transition(job)
            job = next.job
            await dispatcher.execute(next, logger: logger)
            return next
        } catch {
            logger.error("job transition refused", metadata: ["error": "\(SocketErrorWords.describe(error))"])
            return nil
        }
    }
}
