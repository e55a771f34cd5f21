import FaxCore
import Foundation

extension FaxlineAPI {
    func listJobs(_ input: Operations.ListJobs.Input) async throws -> Operations.ListJobs.Output {
        let principal = try RequestPrincipal.required()
        let query = input.query
        let page = try await services.jobs.jobs(JobListQuery(
            scope: AccessPolicy.listScope(for: principal), limit: try Self.limit(query.limit), cursor: query.cursor,
            states: query.state.map { Set($0.map(\.model)) }, broadcastID: query.broadcast, tag: try Self.jobTag(query.tag)))
        return .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.Job.init), nextCursor: page.nextCursor))))
    }

    /// The job, if the principal may do `action` to it: 404 when there is none, 403 when it is
    /// another user's.
    func job(_ id: Int64, allowing action: JobOperation) async throws -> (Job, Principal) {
        let principal = try RequestPrincipal.required()
        guard let job = try await services.jobs.job(id: id) else { throw APIProblem.notFound("job \(id)") }
        if case .denied(let denial) = AccessPolicy.decide(principal, action, job: job) { throw APIProblem.forbidden(denial) }
        return (job, principal)
    }

    func getJob(_ input: Operations.GetJob.Input) async throws -> Operations.GetJob.Output {
        let (job, _) = try await job(input.path.jobId, allowing: .read)
        return .ok(.init(body: .json(.init(job))))
    }

    func killJob(_ input: Operations.KillJob.Input) async throws -> Operations.KillJob.Output {
        let (job, principal) = try await job(input.path.jobId, allowing: .kill)
        guard let id = job.id else { throw APIProblem.notFound("job \(input.path.jobId)") }
        let killed = try await services.jobs.kill(jobID: id, actor: Self.actor(principal))
        return .ok(.init(body: .json(.init(killed))))
    }

    func retryJob(_ input: Operations.RetryJob.Input) async throws -> Operations.RetryJob.Output {
        let (job, principal) = try await job(input.path.jobId, allowing: .retry)
        guard let id = job.id else { throw APIProblem.notFound("job \(input.path.jobId)") }
        let queued = try await services.jobs.retry(jobID: id, actor: Self.actor(principal))
        return .ok(.init(body: .json(.init(queued))))
    }
}
