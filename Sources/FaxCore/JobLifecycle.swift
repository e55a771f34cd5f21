import Foundation

/// How one call for a job ended, as the dispatcher saw it.
public enum JobCallOutcome: Sendable, Equatable {
    /// The call was not answered (busy, no answer, congestion, refused …).
    case notAnswered(JobRetryCause, String)
    /// The call was answered: `pagesConfirmed` of the pages sent from the job's `nextPage`
    /// were confirmed; `complete` when the document went through; else `cause` says why not.
    case answered(pagesConfirmed: Int, complete: Bool, cause: JobRetryCause, result: String)
    /// Nothing another call could fix: a missing document, a number the dial string refuses.
    case unsendable(String)
}

/// When to call again after a failed attempt, by cause (HylaFAX's defaults), and whom to tell.
public struct JobRetryPolicy: Sendable, Equatable {
    public var busy: TimeInterval = 180
    public var noAnswer: TimeInterval = 300
    public var noCarrier: TimeInterval = 300
    public var protocolFailure: TimeInterval = 60
    public var other: TimeInterval = 300
    /// After a restart cut a call.
    public var interrupted: TimeInterval = 60
    /// How long a job waits before it is looked at again while Asterisk's manager is down.
    public var managerDown: TimeInterval = 5
    /// Mail the submitter also when a job is requeued (a job can ask for it itself too).
    public var notifyOnRequeue = false

    public static let standard = JobRetryPolicy()

    public init() {}

    public func delay(for cause: JobRetryCause) -> TimeInterval {
        switch cause {
        case .busy: busy
        case .noAnswer: noAnswer
        case .noCarrier: noCarrier
        case .protocolFailure: protocolFailure
        case .interrupted: interrupted
        case .other: other
        }
    }
}

/// What the owner of a job must do after a transition, in order.
public enum JobAction: Sendable, Equatable {
    /// Store the job, if the stored one is still in this state (optimistic concurrency).
    case save(expecting: JobState)
    /// Dial the job's number.
    case originate
    /// Hang up the job's call (the audio, or the call still being dialed).
    case hangUp
    /// Mail the submitter.
    case notify(JobNotice)
    /// The job has ended: it joins the fax history (``Job/historyRecord(now:)``).
    case addToHistory
}

/// What a submitter is told.
public enum JobNotice: String, Sendable, Equatable {
    case done, failed, requeued
}

/// A job after a transition, and what to do about it.
public struct JobTransition: Sendable, Equatable {
    public var job: Job
    public var actions: [JobAction]

    public init(job: Job, actions: [JobAction]) {
        self.job = job
        self.actions = actions
    }
}

/// The life of an outbound job — the one place that knows it. Each transition is pure: it
/// returns the job as it becomes and the actions to run; a transition the state does not allow
/// throws `JobTransitionError`. The dispatcher, the control channel and the CLI only execute
/// the actions.
///
/// ```
///            dial               answered              callEnded(complete)
///  queued ──────────▶ dialing ──────────▶ sending ─────────────────────▶ done
///  requeued ◀──────── dialing, sending: callEnded (retry) / interrupted
///  queued   ◀──────── dialing: managerDown (nothing counted)
///  failed   ◀──────── callEnded / interrupted (limits), expire (waiting past the kill time)
///  killed   ◀──────── kill (from any state but the final ones)
///  queued   ◀──────── retry (failed or killed)
/// ```
extension Job {
    /// Takes a waiting job for a call.
    public func dial(at now: Date) throws(JobTransitionError) -> JobTransition {
        guard state.isWaiting else { throw transitionError(to: .dialing) }
        var next = self
        next.state = .dialing
        next.reason = ""
        return JobTransition(job: next, actions: [.save(expecting: state), .originate])
    }

    /// The far end answered: pages go out. A job killed while it was dialed is hung up instead.
    public func answered() throws(JobTransitionError) -> JobTransition {
        if state == .killed { return JobTransition(job: self, actions: [.hangUp]) }
        guard state == .dialing else { throw transitionError(to: .sending) }
        var next = self
        next.state = .sending
        return JobTransition(job: next, actions: [.save(expecting: .dialing)])
    }

    /// The far end confirmed every page before `nextPage`; recorded at once, so that a crash
    /// never makes a later call send a confirmed page again.
    public func pageConfirmed(nextPage confirmedUpTo: Int) throws(JobTransitionError) -> JobTransition {
        guard state == .sending || state == .killed else { throw transitionError(to: state) }
        var next = self
        next.nextPage = min(max(nextPage, confirmedUpTo), pageCount + 1)
        guard next.nextPage != nextPage else { return JobTransition(job: self, actions: []) }
        return JobTransition(job: next, actions: [.save(expecting: state)])
    }

    /// A call ended: counts it (every call placed is a dial; an answered one also a try), moves
    /// `nextPage` past the confirmed pages, and decides — done, requeued, or failed at a limit.
    /// `attempt` is the call as the dispatcher recorded it (times, line, far end, T.30 log).
    /// A job killed during the call stays killed, with the call in its history.
    public func callEnded(_ outcome: JobCallOutcome, attempt: JobAttempt, policy: JobRetryPolicy, at now: Date)
        throws(JobTransitionError) -> JobTransition
    {
        var next = self
        var attempt = attempt
        let cause: JobRetryCause?
        switch (state, outcome) {
        case (.dialing, .notAnswered(let dialCause, let text)), (.killed, .notAnswered(let dialCause, let text)):
            next.dials += 1
            cause = dialCause
            attempt.result = text
        case (.sending, .answered(let pages, let complete, let failureCause, let text)),
             (.killed, .answered(let pages, let complete, let failureCause, let text)):
            next.dials += 1
            next.tries += 1
            next.nextPage = min(max(next.nextPage, attempt.firstPage + max(pages, 0)), pageCount + 1)
            attempt.pagesConfirmed = pages
            attempt.result = text
            cause = complete || next.nextPage > pageCount ? nil : failureCause
        case (.dialing, .unsendable(let why)), (.killed, .unsendable(let why)):
            cause = .other
            attempt.result = why
        default:
            throw transitionError(to: .requeued)
        }
        attempt.cause = cause
        attempt.endedAt = attempt.endedAt ?? now
        next.attempts.append(attempt)
        if state == .killed {
            return JobTransition(job: next, actions: [.save(expecting: .killed)])
        }
        guard let cause else {
            next.nextPage = pageCount + 1
            next.state = .done
            next.reason = ""
            next.lastCause = nil
            next.finishedAt = now
            return next.ending(expecting: state, notice: .done)
        }
        next.lastCause = cause
        if case .unsendable(let why) = outcome {
            next.state = .failed
            next.reason = "cannot be sent: \(why)"
            next.finishedAt = now
            return next.ending(expecting: state, notice: .failed)
        }
        return next.retryOrFail(cause, expecting: state, policy: policy, at: now)
    }

    /// The Asterisk manager was not there to dial: the job waits, nothing is counted.
    public func managerDown(_ why: String, policy: JobRetryPolicy, at now: Date) throws(JobTransitionError) -> JobTransition {
        if state == .killed { return JobTransition(job: self, actions: []) }
        guard state == .dialing else { throw transitionError(to: .queued) }
        var next = self
        next.state = .queued
        next.reason = "waiting: \(why)"
        next.notBefore = now.addingTimeInterval(policy.managerDown)
        return JobTransition(job: next, actions: [.save(expecting: .dialing)])
    }

    /// Stops the job. A call on the line is hung up.
    public func kill(by who: String, at now: Date) throws(JobTransitionError) -> JobTransition {
        guard !state.isFinal else { throw transitionError(to: .killed) }
        var next = self
        next.state = .killed
        next.reason = "killed by \(who)"
        next.finishedAt = now
        return JobTransition(job: next, actions: state.isActive ? [.save(expecting: state), .hangUp] : [.save(expecting: state)])
    }

    /// A waiting job whose kill time has passed fails without another call.
    public func expire(at now: Date) throws(JobTransitionError) -> JobTransition {
        guard state.isWaiting else { throw transitionError(to: .failed) }
        var next = self
        next.state = .failed
        next.reason = lastCause.map { "\($0.plainWords) (the kill time passed)" } ?? "the kill time passed before it could be sent"
        next.finishedAt = now
        return next.ending(expecting: state, notice: .failed)
    }

    /// A failed or killed job goes back in the queue, now, with fresh counters.
    public func retry(at now: Date) throws(JobTransitionError) -> JobTransition {
        guard state == .failed || state == .killed else { throw transitionError(to: .queued) }
        var next = self
        next.state = .queued
        next.reason = ""
        next.tries = 0
        next.dials = 0
        next.notBefore = now
        next.killAt = max(killAt, now.addingTimeInterval(Job.defaultKillAfter))
        next.finishedAt = nil
        return JobTransition(job: next, actions: [.save(expecting: state)])
    }

    /// The server stopped while the job was on the line (found at the next start): the call is
    /// gone and counts as a try.
    public func interrupted(policy: JobRetryPolicy, at now: Date) throws(JobTransitionError) -> JobTransition {
        guard state.isActive else { throw transitionError(to: .requeued) }
        var next = self
        next.dials += 1
        next.tries += 1
        next.lastCause = .interrupted
        next.attempts.append(JobAttempt(
            startedAt: attempts.last?.endedAt ?? submittedAt, endedAt: now, firstPage: nextPage, cause: .interrupted,
            result: JobRetryCause.interrupted.plainWords))
        return next.retryOrFail(.interrupted, expecting: state, policy: policy, at: now)
    }

    // MARK: - Shared steps

    private func retryOrFail(_ cause: JobRetryCause, expecting expected: JobState, policy: JobRetryPolicy, at now: Date)
        -> JobTransition
    {
        var next = self
        let retryAt = now.addingTimeInterval(policy.delay(for: cause))
        let limit: String? =
            if tries >= maxTries { "gave up after \(tries) tries" }
            else if dials >= maxDials { "gave up after \(dials) calls" }
            else if retryAt >= killAt { "the kill time passed" }
            else { nil }
        if let limit {
            next.state = .failed
            next.reason = "\(cause.plainWords) (\(limit))"
            next.finishedAt = now
            return next.ending(expecting: expected, notice: .failed)
        }
        next.state = .requeued
        next.reason = cause.plainWords
        next.notBefore = retryAt
        var actions: [JobAction] = [.save(expecting: expected)]
        if notifyEmail != nil, notifyOnRequeue || policy.notifyOnRequeue { actions.append(.notify(.requeued)) }
        return JobTransition(job: next, actions: actions)
    }

    /// A job that is done or failed for good: saved, its submitter told, into the history.
    private func ending(expecting expected: JobState, notice: JobNotice) -> JobTransition {
        var actions: [JobAction] = [.save(expecting: expected)]
        if notifyEmail != nil { actions.append(.notify(notice)) }
        if !attempts.isEmpty { actions.append(.addToHistory) }
        return JobTransition(job: self, actions: actions)
    }

    private func transitionError(to next: JobState) -> JobTransitionError {
        JobTransitionError(jobID: id ?? 0, from: state, to: next)
    }

    /// The job as a sent fax in the history (`direction` sent), like a received fax.
    public func historyRecord(now: Date) -> FaxRecord {
        let answered = attempts.last { !$0.remoteStationID.isEmpty || $0.pagesConfirmed > 0 }
        let seconds = attempts.compactMap { attempt in attempt.endedAt.map { $0.timeIntervalSince(attempt.startedAt) } }.reduce(0, +)
        let done = state == .done
        var record = FaxRecord(
            direction: .sent, createdAt: submittedAt, finishedAt: max(finishedAt ?? now, submittedAt),
            deviceExtensions: sender.deviceExtension.map { [$0] } ?? [], callerNumber: sender.callerIDNumber ?? "",
            callerName: sender.callerIDName ?? "", did: number, lineName: attempts.last?.lineName,
            status: done ? .sent : .failed,
            session: FaxSessionSummary(
                pages: pagesConfirmed, bitRate: answered?.bitRate ?? 0, remoteStationID: answered?.remoteStationID ?? "",
                localStationID: sender.stationID, duration: max(seconds, 0), errorText: done ? "OK" : reason,
                statusString: done ? "sent" : reason),
            events: answered?.events ?? [])
        record.log("note", "outbound job \(id ?? 0): \(dials) calls, \(tries) tries", at: now)
        record.truncateCallerText()
        return record
    }
}
