import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// The outbox: the user's jobs (every job for administrators), and one job with its progress
/// ("page 2 of 5", updated live by the page's script while it is on its way), every call with
/// its outcome, kill and retry — the API's `JobQueue` and `AccessPolicy`.
struct JobsPage: Sendable {
    let app: WebApp
    /// How often a page with a job on its way refreshes itself (milliseconds).
    static let refreshMilliseconds = 1500

    struct Row {
        var href: String
        var number: String
        var from: String
        var submitted: String
        var tag: String?
        var progress: String
        var state: String
        var tone: String
    }

    struct ListModel {
        var chrome: Chrome
        var refresh: String
        /// What the list is narrowed to, when it is.
        var filter: String?
        var jobs: [Row]
        var firstHref: String?
        var nextHref: String?
    }

    struct Item {
        var label: String
        var value: String
    }

    struct Call {
        var started: String
        var outcome: String
        var detail: String
    }

    struct Model {
        var chrome: Chrome
        var href: String
        var number: String
        var notice: String?
        var refresh: String
        var state: String
        var stateValue: String
        var tone: String
        var progress: String
        var reason: String?
        var pageCount: Int
        var pagesDone: Int
        var details: [Item]
        var calls: [Call]
        var canKill: Bool
        var canRetry: Bool
        var broadcastHref: String?
        var tagHref: String?
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/jobs") { request, context in try await list(request, context: context) }
        router.get("/jobs/:id") { request, context in try await show(request, context: context) }
        router.post("/jobs/:id/kill") { request, context in try await kill(request, context: context) }
        router.post("/jobs/:id/retry") { request, context in try await retry(request, context: context) }
    }

    private func list(_ request: Request, context: WebRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let query = WebForm(query: request)
        let broadcast = query.text("broadcast")
        let tag: JobTag?
        do {
            tag = try JobTag.optional(query["tag"])
        } catch {
            throw WebPageError.badRequest(WebDisplay.capitalised(error.description) + ".")
        }
        let cursor = query.text("cursor")
        let page = try await app.services.jobs.jobs(JobListQuery(
            scope: AccessPolicy.listScope(for: session.principal), limit: InboxPage.pageSize, cursor: cursor, broadcastID: broadcast,
            tag: tag))
        let filters = (broadcast.map { [("broadcast", $0)] } ?? []) + (tag.map { [("tag", $0.text)] } ?? [])
        let model = ListModel(
            chrome: Chrome(title: "Outbox", session: session, current: .jobs),
            refresh: page.items.contains { !$0.state.isFinal } ? "\(Self.refreshMilliseconds)" : "",
            filter: tag.map { "Jobs tagged “\($0)”" },
            jobs: page.items.map { job in
                Row(href: "/jobs/\(job.id ?? 0)", number: job.number, from: job.sender.deviceExtension.map { "from \($0)" } ?? "no device",
                    submitted: WebDisplay.time(job.submittedAt), tag: job.tag?.text, progress: Self.progress(job), state: job.state.rawValue,
                    tone: WebDisplay.tone(job.state))
            },
            firstHref: cursor == nil ? nil : "/jobs" + (filters.isEmpty ? "" : "?" + WebForm.encode(filters)),
            nextHref: page.nextCursor.map { "/jobs?" + WebForm.encode(filters + [("cursor", $0)]) })
        return app.renderer.page("jobs", model)
    }

    /// "page 2 of 5" while it is sent; what is left or done otherwise.
    static func progress(_ job: Job) -> String {
        let confirmed = max(job.nextPage - 1, 0)
        switch job.state {
        case .sending: return "page \(min(confirmed + 1, job.pageCount)) of \(job.pageCount)"
        case .dialing: return "dialing · \(Plural.count(job.pageCount, "page"))"
        case .done: return "\(Plural.count(job.pageCount, "page")) sent"
        case .queued, .requeued:
            return confirmed > 0 ? "\(confirmed) of \(job.pageCount) pages sent" : Plural.count(job.pageCount, "page")
        case .failed, .killed: return "\(confirmed) of \(job.pageCount) pages sent"
        }
    }

    private func job(_ context: WebRequestContext, allowing action: JobOperation) async throws -> (Job, WebSessions.SignedIn) {
        let session = try context.requireSession()
        let text = try context.parameters.require("id")
        guard let id = Int64(text), let job = try await app.services.jobs.job(id: id) else { throw WebPageError.notFound("Job \(text)") }
        if case .denied(let denial) = AccessPolicy.decide(session.principal, action, job: job) { throw WebPageError.forbidden(denial) }
        return (job, session)
    }

    private func show(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (job, session) = try await job(context, allowing: .read)
        let id = job.id ?? 0
        var details = [
            Item(label: "Number", value: job.number),
            Item(label: "Sent as", value: job.sender.deviceExtension ?? "no device"),
            Item(label: "Submitted", value: WebDisplay.time(job.submittedAt) + (job.owner.isEmpty ? "" : " by \(job.owner)")),
            Item(label: "Not before", value: WebDisplay.time(job.notBefore)),
            Item(label: "Given up at", value: WebDisplay.time(job.killAt)),
            Item(label: "Tries", value: "\(job.tries) of \(job.maxTries) (dials \(job.dials) of \(job.maxDials))"),
            Item(label: "Priority", value: "\(job.priority)" + (job.isBulk ? " (bulk)" : "")),
        ]
        if let tag = job.tag { details.insert(Item(label: "Reference (tag)", value: tag.text), at: 1) }
        if let finished = job.finishedAt { details.append(Item(label: "Finished", value: WebDisplay.time(finished))) }
        let notice: String? = switch WebForm(query: request)["done"] {
        case "queued": "Queued. This page follows the job."
        case "killed": "Stopped."
        case "retried": "Queued again."
        default: nil
        }
        let model = Model(
            chrome: Chrome(title: "Fax to \(job.number)", session: session, current: .jobs), href: "/jobs/\(id)", number: job.number,
            notice: notice, refresh: job.state.isFinal ? "" : "\(Self.refreshMilliseconds)", state: job.state.rawValue,
            stateValue: job.state.rawValue, tone: WebDisplay.tone(job.state), progress: Self.progress(job),
            reason: job.reason.isEmpty ? job.lastCause?.plainWords : job.reason, pageCount: max(job.pageCount, 1),
            pagesDone: job.state == .done ? job.pageCount : max(job.nextPage - 1, 0), details: details,
            calls: job.attempts.reversed().map { attempt in
                let outcome = attempt.endedAt == nil ? "on the line" : (attempt.cause?.plainWords ?? (attempt.result.isEmpty ? "ended" : attempt.result))
                var detail = ["from page \(attempt.firstPage): \(Plural.count(attempt.pagesConfirmed, "page")) confirmed"]
                if !attempt.remoteStationID.isEmpty { detail.append("station \(attempt.remoteStationID)") }
                if attempt.bitRate > 0 { detail.append("\(attempt.bitRate) bit/s") }
                if let line = attempt.lineName { detail.append("line \(line)") }
                return Call(started: WebDisplay.time(attempt.startedAt), outcome: outcome, detail: detail.joined(separator: " · "))
            },
            canKill: !job.state.isFinal && AccessPolicy.decide(session.principal, .kill, job: job).isAllowed,
            canRetry: (job.state == .failed || job.state == .killed) && AccessPolicy.decide(session.principal, .retry, job: job).isAllowed,
            broadcastHref: "/jobs?" + WebForm.encode([("broadcast", job.broadcastID)]),
            tagHref: job.tag.map { "/jobs?" + WebForm.encode([("tag", $0.text)]) })
        return app.renderer.page("job", model)
    }

    private func kill(_ request: Request, context: WebRequestContext) async throws -> Response {
        _ = try await WebForm.posted(request, context: context)
        let (job, session) = try await job(context, allowing: .kill)
        let id = job.id ?? 0
        _ = try await app.services.jobs.kill(jobID: id, actor: WebApp.actor(session))
        return WebApp.redirect("/jobs/\(id)?done=killed")
    }

    private func retry(_ request: Request, context: WebRequestContext) async throws -> Response {
        _ = try await WebForm.posted(request, context: context)
        let (job, session) = try await job(context, allowing: .retry)
        let id = job.id ?? 0
        _ = try await app.services.jobs.retry(jobID: id, actor: WebApp.actor(session))
        return WebApp.redirect("/jobs/\(id)?done=retried")
    }
}
