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
/// number at a time. While the manager is down nothing is dialed and jobs wait.
///
/// Every state change of a job is written (durably) before the next step, and every confirmed
/// page as soon as it is confirmed: after a crash, `run` first requeues what was on the line as
/// interrupted, and the retry starts at the first page the far end had not confirmed.
public final class OutboundDispatcher: Service, Sendable {
    struct State {
        var activeNumbers: [Int64: String] = [:]
        var shuttingDown = false
        var note = "starting"
    }

    let services: FaxServices
    public let ami: AMIClient
    let notifier: JobNotifier?
    /// Signal after submitting a job from this process: it is looked at at once.
    public let wakeUp = WakeUpSignal()
    private let state = Mutex(State())
    private var settings: OutboundSettings { services.configuration.outbound }

    init(services: FaxServices, ami: AMIClient, notifier: JobNotifier?) {
        self.services = services
        self.ami = ami
        self.notifier = notifier
    }

    /// One line for `faxline status`.
    public var statusLine: String {
        state.withLock { state in
            state.activeNumbers.isEmpty ? state.note : "\(state.note); \(state.activeNumbers.count) on the line"
        }
    }

    public func run() async throws {
        do {
            try await requeueInterruptedJobs()
        } catch {
            // Not fatal for the rest of the server; such jobs stay where they were.
            services.logger.error("cannot requeue the jobs interrupted by the last stop", metadata: ["error": "\(error)"])
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled, !state.withLock({ $0.shuttingDown }) {
                    await dispatchDue(into: &group)
                    await wakeUp.wait(timeout: settings.pollInterval)
                }
                // Calls on the line finish (graceful shutdown) or are cut (cancellation).
            }
        } onGracefulShutdown: {
            self.state.withLock { $0.shuttingDown = true }
            self.wakeUp.signal()
        }
    }

    /// Jobs the last process left dialing or sending: the call is gone; the try counts.
    func requeueInterruptedJobs() async throws {
        let now = Date()
        for stored in try await services.database.activeJobs() {
            var job = stored
            let attempt = JobAttempt(startedAt: job.attempts.last?.endedAt ?? job.submittedAt, endedAt: now, firstPage: job.nextPage)
            let decision = settings.retry.settle(&job, outcome: .interrupted, attempt: attempt, now: now)
            try await services.database.saveJob(job, expecting: stored.state)
            services.logger.notice("requeued a job interrupted by a restart", metadata: [
                "job.id": "\(job.id ?? 0)", "next_page": "\(job.nextPage)", "state": "\(job.state.rawValue)",
            ])
            await notify(job, decision: decision)
        }
    }

    /// Starts every due job a line can be found for.
    func dispatchDue(into group: inout DiscardingTaskGroup) async {
        let managerState = await ami.currentState
        guard managerState.isLoggedIn else {
            state.withLock { $0.note = "waiting: Asterisk manager \(managerState)" }
            return
        }
        state.withLock { $0.note = "ready (Asterisk manager logged in)" }
        let now = Date()
        let busyNumbers = Set(state.withLock { $0.activeNumbers.values })
        let due: [Job]
        do {
            due = try await services.database.dueJobs(at: now, excludingNumbers: busyNumbers, limit: services.lines.lineCount)
        } catch {
            services.logger.error("cannot read the job queue", metadata: ["error": "\(error)"])
            return
        }
        for job in due {
            guard let id = job.id else { continue }
            if job.killAt <= now {
                await expire(job, now: now)
                continue
            }
            // Two due jobs for one number in this batch: the second waits for the first call.
            if state.withLock({ $0.activeNumbers.values.contains(job.number) }) { continue }
            guard let line = services.lines.claim(for: .outbound, faxID: "job-\(id)", remoteNumber: job.number) else { break }
            var dialing = job
            dialing.state = .dialing
            dialing.reason = ""
            do {
                try await services.database.saveJob(dialing, expecting: job.state)
            } catch {
                line.release(.failed)
                services.logger.warning("job changed before it could be dialed", metadata: ["job.id": "\(id)", "error": "\(error)"])
                continue
            }
            state.withLock { $0.activeNumbers[id] = job.number }
            group.addTask {
                await self.place(dialing, on: line)
                self.state.withLock { _ = $0.activeNumbers.removeValue(forKey: id) }
                self.wakeUp.signal()
            }
        }
    }

    private func expire(_ job: Job, now: Date) async {
        var expired = job
        expired.state = .failed
        expired.reason = job.lastCause.map { "\($0.plainWords) (the kill time passed)" } ?? "the kill time passed before it could be sent"
        expired.finishedAt = now
        do {
            try await services.database.saveJob(expired, expecting: job.state)
            await notify(expired, decision: .fail)
        } catch {
            services.logger.warning("cannot expire job", metadata: ["job.id": "\(job.id ?? 0)", "error": "\(error)"])
        }
    }

    /// One call for `job`, which is `dialing` and holds `line`.
    func place(_ job: Job, on line: LineClaim) async {
        guard let id = job.id else { return }
        var logger = services.logger
        logger[metadataKey: "job.id"] = "\(id)"
        logger[metadataKey: "line"] = "\(line.lineName)"
        var outcomeForLine = CallOutcome.failed
        defer { line.release(outcomeForLine) }

        var job = job
        var attempt = JobAttempt(startedAt: Date(), lineName: line.lineName, firstPage: job.nextPage)
        let request: OriginateRequest
        let uuid = UUID()
        do {
            // Checked before dialing; the call makes its own session once answered.
            _ = try makeSession(for: job)
            request = try makeRequest(for: job, uuid: uuid)
        } catch {
            // Nothing another call could fix: a missing document, a number the dial string refuses.
            attempt.endedAt = Date()
            attempt.result = "\(error)"
            attempt.cause = .other
            job.attempts.append(attempt)
            job.state = .failed
            job.reason = "cannot be sent: \(error)"
            job.finishedAt = Date()
            await save(job, expecting: .dialing, decision: .fail, logger: logger)
            return
        }
        let waiter: AudioSocketWaiter
        do {
            waiter = try services.audioSessions.expect(uuid)
        } catch {
            logger.error("cannot register the call's audio session", metadata: ["error": "\(error)"])
            return
        }

        let dialed: OriginateOutcome
        do {
            dialed = try await ami.originate(request)
        } catch {
            waiter.cancel()
            if Task.isCancelled { return }
            attempt.endedAt = Date()
            job.state = .failed
            job.reason = "cannot be dialed: \(error)"
            job.finishedAt = Date()
            await save(job, expecting: .dialing, decision: .fail, logger: logger)
            return
        }
        attempt.endedAt = Date()
        let callOutcome: JobCallOutcome
        var expected = JobState.dialing
        switch dialed.cause {
        case .answered:
            var sending = job
            sending.state = .sending
            do {
                try await services.database.saveJob(sending, expecting: .dialing)
            } catch {
                waiter.cancel()
                logger.notice("job changed while it was dialed; not sending", metadata: ["error": "\(error)"])
                return
            }
            job = sending
            expected = .sending
            line.update(.sending, faxID: "job-\(id)", remoteNumber: job.number)
            let media = await sendPages(of: job, waiter: waiter, logger: logger)
            // Cancelled means the process is going away as if killed: the next start requeues
            // the job from what the database says.
            if Task.isCancelled { return }
            guard let media else {
                attempt.endedAt = Date()
                attempt.result = "hung up: the job was killed during the call"
                job.attempts.append(attempt)
                logger.notice("job killed during the call; hung up")
                await save(job, expecting: .sending, decision: .fail, logger: logger)
                return
            }
            attempt.endedAt = Date()
            attempt.remoteStationID = media.fax.remoteStationID
            attempt.bitRate = media.fax.bitRate
            attempt.events = media.fax.events.map { FaxLogEntry(time: $0.time, kind: $0.kind.rawValue, text: $0.text) }
            callOutcome = Self.classify(media)
        case .busy:
            waiter.cancel()
            callOutcome = .notAnswered(.busy, "busy")
        case .noAnswer:
            waiter.cancel()
            callOutcome = .notAnswered(.noAnswer, "no answer")
        case .congestion:
            waiter.cancel()
            callOutcome = .notAnswered(.other, "congestion (the network or the trunk refused the call)")
        case .failed(let why):
            waiter.cancel()
            callOutcome = .notAnswered(.other, why)
        case .amiDown:
            waiter.cancel()
            callOutcome = .notPlaced("Asterisk manager unreachable")
        case .cancelled:
            waiter.cancel()
            callOutcome = .notPlaced("hung up by Faxline before it was answered")
        }
        if Task.isCancelled { return }
        let decision = settings.retry.settle(&job, outcome: callOutcome, attempt: attempt, now: Date())
        if decision == .done { outcomeForLine = .succeeded }
        logger.info("job call ended", metadata: [
            "outcome": "\(callOutcome)", "state": "\(job.state.rawValue)", "next_page": "\(job.nextPage)",
        ])
        await save(job, expecting: expected, decision: decision, logger: logger)
    }

    /// Sends the pages over the answered call's audio, recording each confirmed page at once.
    /// Returns `nil` when the job was killed meanwhile (the call is then hung up).
    private func sendPages(of job: Job, waiter: AudioSocketWaiter, logger: Logger) async -> MediaCallOutcome? {
        guard let id = job.id else { return nil }
        let database = services.database
        let firstPage = job.nextPage
        let connectTimeout = services.configuration.mediaConnectTimeout
        return await withTaskGroup(of: MediaCallOutcome?.self) { group in
            group.addTask {
                let session: AudioFaxSession
                do {
                    session = try self.makeSession(for: job)
                } catch {
                    waiter.cancel()
                    return MediaCallOutcome(fax: .notStarted(reason: "\(error)", sending: true), ending: .neverConnected("\(error)"), frames: 0)
                }
                return await OutboundFaxCall.run(waiter: waiter, connectTimeout: connectTimeout, logger: logger, session: session) { confirmed in
                    do {
                        try await database.recordConfirmedPages(jobID: id, nextPage: firstPage + confirmed)
                    } catch {
                        logger.error("cannot record a confirmed page", metadata: ["error": "\(error)"])
                    }
                }
            }
            group.addTask {
                // `faxline jobs kill` only writes the database: look for it while the call lasts.
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(500))
                    if let stored = try? await database.job(id: id), stored.state == .killed { return nil }
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Saves the end of a call; a job killed meanwhile stays killed, with the attempt added.
    private func save(_ job: Job, expecting expected: JobState, decision: JobDecision, logger: Logger) async {
        do {
            try await services.database.saveJob(job, expecting: expected)
            await notify(job, decision: decision)
        } catch let error as JobTransitionError {
            guard error.from == .killed, let id = job.id, var killed = try? await services.database.job(id: id) else {
                logger.error("cannot save the job", metadata: ["error": "\(error)"])
                return
            }
            if let attempt = job.attempts.last, killed.attempts.last != attempt { killed.attempts.append(attempt) }
            killed.nextPage = max(killed.nextPage, job.nextPage)
            killed.dials = job.dials
            killed.tries = job.tries
            try? await services.database.saveJob(killed, expecting: .killed)
        } catch {
            logger.error("cannot save the job", metadata: ["error": "\(error)"])
        }
    }

    /// A job that has ended joins the fax history (`direction` sent), like a received fax.
    private func recordInHistory(_ job: Job) async {
        guard job.state == .done || job.state == .failed, !job.attempts.isEmpty else { return }
        let answered = job.attempts.last { !$0.remoteStationID.isEmpty || $0.pagesConfirmed > 0 }
        let seconds = job.attempts.compactMap { attempt in attempt.endedAt.map { $0.timeIntervalSince(attempt.startedAt) } }.reduce(0, +)
        var record = FaxRecord(
            direction: .sent, createdAt: job.submittedAt, finishedAt: max(job.finishedAt ?? Date(), job.submittedAt),
            deviceExtensions: job.sender.deviceExtension.map { [$0] } ?? [], callerNumber: job.sender.callerIDNumber ?? "",
            callerName: job.sender.callerIDName ?? "", did: job.number, lineName: job.attempts.last?.lineName,
            status: job.state == .done ? .sent : .failed,
            session: FaxSessionSummary(
                pages: job.pagesConfirmed, bitRate: answered?.bitRate ?? 0, remoteStationID: answered?.remoteStationID ?? "",
                localStationID: job.sender.stationID, duration: max(seconds, 0), errorText: job.state == .done ? "OK" : job.reason,
                statusString: job.state == .done ? "sent" : job.reason),
            events: answered?.events ?? [])
        record.log("note", "outbound job \(job.id ?? 0): \(job.dials) calls, \(job.tries) tries")
        record.truncateCallerText()
        do {
            try await services.database.insertFax(record)
        } catch {
            services.logger.warning("cannot add the job to the fax history", metadata: ["job.id": "\(job.id ?? 0)", "error": "\(error)"])
        }
    }

    private func notify(_ job: Job, decision: JobDecision) async {
        await recordInHistory(job)
        guard let notifier, job.notifyEmail != nil else { return }
        let event: JobNotifier.Event
        switch decision {
        case .done: event = .done
        case .fail: event = .failed
        case .requeue:
            guard job.notifyOnRequeue || settings.notifyOnRequeue else { return }
            event = .requeued
        case .wait: return
        }
        // Mail never holds up the queue.
        Task { await notifier.notify(job, event: event) }
    }

    func makeSession(for job: Job) throws -> AudioFaxSession {
        var options = FaxSessionOptions()
        options.ecm = services.configuration.ecm
        options.localStationID = job.sender.stationID.isEmpty ? services.configuration.stationID : job.sender.stationID
        if let header = job.sender.header, !header.isEmpty { options.pageHeader = header }
        let path = job.document.absolutePath(under: services.spool.root)
        return try AudioFaxSession(role: .calling, document: .send(path: path, firstPage: job.nextPage), options: options)
    }

    func makeRequest(for job: Job, uuid: UUID) throws -> OriginateRequest {
        let channel = try AMIDialString.expand(template: settings.dialString, number: job.number)
        let callerID = job.sender.callerIDNumber.map { AMICallerID(name: job.sender.callerIDName, number: $0) }
        var variables = [OriginateRequest.Variable("FAXLINE_SESSION", uuid.uuidString.lowercased())]
        if let id = job.id { variables.append(.init("FAXLINE_JOB", String(id))) }
        variables.append(.init("FAXLINE_NUMBER", job.number))
        let request = OriginateRequest(
            channel: channel, context: settings.context, exten: "s", callerID: callerID, dialTimeout: settings.dialTimeout,
            variables: variables)
        _ = try request.makeAction(actionID: "check")
        return request
    }

    /// What a fax session's end means for the queue.
    static func classify(_ media: MediaCallOutcome) -> JobCallOutcome {
        let fax = media.fax
        let pages = fax.pagesConfirmed
        if fax.isSuccess || (fax.pagesToSend.map { pages >= $0 } ?? false) {
            return .answered(pagesConfirmed: pages, complete: true, cause: .other, result: "sent")
        }
        if case .neverConnected(let why) = media.ending {
            return .answered(pagesConfirmed: 0, complete: false, cause: .noCarrier,
                             result: "answered, but the call's audio never reached Faxline (\(why))")
        }
        if pages == 0, fax.remoteStationID.isEmpty, fax.bitRate == 0, fax.pagesTransferred == 0 {
            return .answered(pagesConfirmed: 0, complete: false, cause: .noCarrier, result: "no fax machine answered (\(fax.statusString))")
        }
        let how = media.ending == .farEndHungUp ? "the far end hung up" : fax.statusString
        return .answered(pagesConfirmed: pages, complete: false, cause: .protocolFailure,
                         result: "\(how) after \(pages) confirmed pages (\(fax.statusString))")
    }
}
