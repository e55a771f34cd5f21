import CallMedia
import FaxCore
import FaxEngine
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Telephony

/// Sends the queued jobs: whenever a line may be used for an outbound call (keeping
/// `reserve_inbound` lines free) and a job is due, it dials the job's number through the
/// Asterisk manager and, once answered, sends the pages over AudioSocket. At most one call per
/// number at a time. While the manager is down nothing is dialed and nothing is counted.
///
/// It decides nothing about a job itself: every change is a transition of `Job`
/// (JobLifecycle.swift) whose actions it runs in order — save (guarded by the expected state,
/// durable before the next step), originate, hang up, notify, add to the history. While it runs,
/// it is the only writer of the jobs it has on the line: a kill (control socket, API) is handed
/// to the job's call, which applies it and hangs up at once.
public final class OutboundDispatcher: Service, Sendable {
    /// What the dispatcher needs besides the repositories.
    public struct Settings: Sendable {
        public var outbound: OutboundSettings
        /// The station id for jobs whose sender has none.
        public var stationID: String
        public var ecm: Bool
        public var spool: Spool

        public init(outbound: OutboundSettings, stationID: String, ecm: Bool, spool: Spool) {
            self.outbound = outbound
            self.stationID = stationID
            self.ecm = ecm
            self.spool = spool
        }
    }

    private struct ActiveCall {
        let number: String
        let events: AsyncStream<JobCallEvent>.Continuation
    }

    private struct State {
        var active: [Int64: ActiveCall] = [:]
        var note = "starting"
        /// Looks at the queue so far (tests wait for them instead of for time).
        var passes = 0
    }

    let jobs: any JobRepository
    let history: any FaxRepository
    let placer: any OutboundCallPlacer
    let calls: FaxCallEnvironment
    let settings: Settings
    let notifier: JobNotifier?
    let logger: Logger
    /// Where Asterisk connects the answered call's audio (`FAXLINE_AUDIOSOCKET`).
    let mediaAddress: @Sendable () async throws -> FaxlineConfiguration.Listener
    private let state = Mutex(State())
    private let wakeUps = WakeUps()
    private var policy: JobRetryPolicy { settings.outbound.retry }

    init(jobs: any JobRepository, history: any FaxRepository, placer: any OutboundCallPlacer, calls: FaxCallEnvironment,
         settings: Settings, notifier: JobNotifier?, logger: Logger,
         mediaAddress: @escaping @Sendable () async throws -> FaxlineConfiguration.Listener) {
        self.jobs = jobs
        self.history = history
        self.placer = placer
        self.calls = calls
        self.settings = settings
        self.notifier = notifier
        self.logger = logger
        self.mediaAddress = mediaAddress
    }

    /// One line for `faxline status`.
    public var statusLine: String {
        state.withLock { state in
            state.active.isEmpty ? state.note : "\(state.note); \(state.active.count) on the line"
        }
    }

    /// Look at the queue now (a job was submitted, a call ended).
    public func wake() {
        wakeUps.wake()
    }

    public func run() async throws {
        do {
            try await requeueInterruptedJobs()
        } catch {
            // Not fatal for the rest of the server; such jobs stay where they were.
            logger.error("cannot requeue the jobs interrupted by the last stop", metadata: ["error": "\(ErrorWords.describe(error))"])
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                await wakeUps.run(every: settings.outbound.pollInterval, clock: calls.clock) {
                    await dispatchDue(into: &group)
                }
                // Calls on the line finish (graceful shutdown) or are cut (cancellation).
            }
        } onGracefulShutdown: {
            self.wakeUps.finish()
        }
    }

    /// Jobs the last process left dialing or sending: the call is gone; the try counts.
    func requeueInterruptedJobs() async throws {
        for job in try await jobs.activeJobs() {
            let transition = try job.interrupted(policy: policy, at: Date())
            await execute(transition, logger: logger)
            logger.notice("requeued a job interrupted by a restart", metadata: [
                "job.id": "\(job.id ?? 0)", "next_page": "\(transition.job.nextPage)", "state": "\(transition.job.state.rawValue)",
            ])
        }
    }

    var passes: Int { state.withLock { $0.passes } }

    /// Starts every due job a line can be found for, after failing the waiting jobs whose kill
    /// time has passed (also while the manager is down or every line is busy).
    func dispatchDue(into group: inout DiscardingTaskGroup) async {
        defer { state.withLock { $0.passes += 1 } }
        await expireOverdueJobs(at: Date())
        let managerState = await placer.connectionState
        guard managerState.isLoggedIn else {
            state.withLock { $0.note = "waiting: Asterisk manager \(managerState)" }
            return
        }
        state.withLock { $0.note = "ready (Asterisk manager logged in)" }
        let now = Date()
        let busyNumbers = Set(state.withLock { $0.active.values.map(\.number) })
        let due: [Job]
        do {
            due = try await jobs.dueJobs(at: now, excludingNumbers: busyNumbers, limit: calls.lines.lineCount)
        } catch {
            logger.error("cannot read the job queue", metadata: ["error": "\(ErrorWords.describe(error))"])
            return
        }
        for job in due {
            guard let id = job.id else { continue }
            if job.killAt <= now {
                if let expired = try? job.expire(at: now) { await execute(expired, logger: logger) }
                continue
            }
            // Two due jobs for one number in this batch: the second waits for the first call.
            if state.withLock({ $0.active.values.contains { $0.number == job.number } }) { continue }
            guard let dial = try? job.dial(at: now) else { continue }
            let (events, sink) = AsyncStream.makeStream(of: JobCallEvent.self)
            var logger = self.logger
            logger[metadataKey: "job.id"] = "\(id)"
            let runner = FaxCallRunner(
                claiming: .outbound, faxID: "job-\(id)", remoteNumber: job.number, environment: calls, logger: logger,
                makeSession: makeSession(for: dial.job)
            ) { sink.yield(.media($0)) }
            guard let runner else { break }
            logger[metadataKey: "line"] = "\(runner.line.lineName)"
            // Known as on the line before it is saved so, so that a kill finds it here.
            state.withLock { $0.active[id] = ActiveCall(number: job.number, events: sink) }
            guard await execute(dial, logger: logger) else {
                callEnded(id)
                runner.giveUpConnecting("the job changed before it could be dialed")
                runner.release(succeeded: false)
                sink.finish()
                var leftovers = events.makeAsyncIterator()
                await answerLeftoverKills(&leftovers, jobID: id)
                continue
            }
            group.addTask {
                let call = JobCall(dispatcher: self, job: dial.job, runner: runner, events: events, sink: sink, logger: logger)
                await call.run()
                self.wake()
            }
        }
    }

    /// Waiting jobs past their kill time fail without another call, due or not.
    func expireOverdueJobs(at now: Date) async {
        let overdue: [Job]
        do {
            overdue = try await jobs.overdueJobs(at: now, limit: 100)
        } catch {
            logger.error("cannot read the job queue", metadata: ["error": "\(ErrorWords.describe(error))"])
            return
        }
        for job in overdue {
            guard let expired = try? job.expire(at: now) else { continue }
            var logger = self.logger
            logger[metadataKey: "job.id"] = "\(job.id ?? 0)"
            if await execute(expired, logger: logger) {
                logger.notice("job failed: its kill time passed", metadata: ["reason": "\(expired.job.reason)"])
            }
        }
    }

    /// Stops a job. On the line here: its call applies the kill and hangs up at once. Else the
    /// transition goes through the repository. Returns the job's new state.
    public func kill(jobID: Int64, by who: String) async throws -> JobState {
        for _ in 0..<5 {
            if let call = state.withLock({ $0.active[jobID] }) {
                let reply: Result<JobState, any Error>? = await withCheckedContinuation { continuation in
                    let queued = call.events.yield(.kill(by: who) { continuation.resume(returning: $0) })
                    if case .terminated = queued { continuation.resume(returning: nil) }
                }
                if let reply { return try reply.get() }
                continue  // the call had just ended
            }
            let job = try await JobCommands(jobs: jobs).kill(jobID, by: who)
            // Saved as killed while not on the line; if a call took it meanwhile, the kill
            // would have failed as a conflict and been tried again above.
            return job.state
        }
        throw JobCommandError.keepsChanging(jobID)
    }

    /// The call of a job ended: it is no longer on the line here.
    func callEnded(_ jobID: Int64) {
        state.withLock { _ = $0.active.removeValue(forKey: jobID) }
    }

    /// Kills sent to a call that has ended (or never started) go to the stored job. Call it
    /// once the job is no longer known as on the line and its stream is finished.
    func answerLeftoverKills(_ events: inout AsyncStream<JobCallEvent>.Iterator, jobID: Int64) async {
        while let event = await events.next() {
            guard case .kill(let who, let reply) = event else { continue }
            do {
                reply(.success(try await JobCommands(jobs: jobs).kill(jobID, by: who).state))
            } catch {
                reply(.failure(error))
            }
        }
    }

    /// Runs a transition's actions (all but the call's own: originate and hang up); returns
    /// `false` when the save found the job changed (a stale copy, another process).
    @discardableResult
    func execute(_ transition: JobTransition, logger: Logger) async -> Bool {
        let job = transition.job
        for action in transition.actions {
            switch action {
            case .save(let expected):
                do {
                    try await jobs.saveJob(job, expecting: expected)
                } catch {
                    logger.error("cannot save the job", metadata: ["error": "\(ErrorWords.describe(error))", "state": "\(job.state.rawValue)"])
                    return false
                }
            case .notify(let notice):
                await notifier?.post(job, notice)
            case .addToHistory:
                do {
                    try await history.insertFax(job.historyRecord(now: Date()))
                } catch {
                    logger.warning("cannot add the job to the fax history", metadata: ["error": "\(ErrorWords.describe(error))"])
                }
            case .originate, .hangUp:
                break
            }
        }
        return true
    }

    func makeSession(for job: Job) -> @Sendable () throws -> AudioFaxSession {
        var options = FaxSessionOptions()
        options.ecm = settings.ecm
        options.localStationID = job.sender.stationID.isEmpty ? settings.stationID : job.sender.stationID
        if let header = job.sender.header, !header.isEmpty { options.pageHeader = header }
        let path = job.document.absolutePath(under: settings.spool.root)
        let firstPage = job.nextPage
        return { [options] in
            try AudioFaxSession(role: .calling, document: .send(path: path, firstPage: firstPage), options: options)
        }
    }

    /// The Originate for a job's call: the configured dial string, the device's caller id, and
    /// the variables `[faxline-outbound]` uses — among them where to connect the audio.
    func makeRequest(for job: Job, uuid: UUID, media: FaxlineConfiguration.Listener) throws -> OriginateRequest {
        let outbound = settings.outbound
        let channel = try AMIDialString.expand(template: outbound.dialString, number: job.number)
        let callerID = job.sender.callerIDNumber.map { AMICallerID(name: job.sender.callerIDName, number: $0) }
        var variables = [
            OriginateRequest.Variable("FAXLINE_SESSION", uuid.uuidString.lowercased()),
            OriginateRequest.Variable("FAXLINE_AUDIOSOCKET", media.description),
        ]
        if let id = job.id { variables.append(.init("FAXLINE_JOB", String(id))) }
        variables.append(.init("FAXLINE_NUMBER", job.number))
        let request = OriginateRequest(
            channel: channel, context: outbound.context, exten: "s", callerID: callerID, dialTimeout: outbound.dialTimeout,
            variables: variables)
        _ = try request.makeAction(actionID: "check")
        return request
    }

    var retryPolicy: JobRetryPolicy { policy }
}

/// What happens to a job on the line, in the order its call hears it.
enum JobCallEvent: Sendable {
    /// Asterisk said how the Originate went (or it could not be placed).
    case dialed(Result<OriginateOutcome, any Error>)
    case media(MediaCallEvent)
    /// Stop the job now; `reply` gets its new state.
    case kill(by: String, reply: @Sendable (Result<JobState, any Error>) -> Void)
}
