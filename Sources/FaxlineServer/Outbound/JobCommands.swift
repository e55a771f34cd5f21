import FaxCore
import Foundation

/// Transitions of stored jobs that nobody has on the line: applied through the repository,
/// with the expected state guarding the write. The CLI uses it when no server runs; the
/// dispatcher for the jobs it does not have on the line.
public struct JobCommands: Sendable {
    public let jobs: any JobRepository

    public init(jobs: any JobRepository) {
        self.jobs = jobs
    }

    /// Stops a job; returns its new state.
    public func kill(_ id: Int64, by who: String, at now: Date = Date()) async throws -> Job {
        try await change(id) { try $0.kill(by: who, at: now) }
    }

    /// Queues a failed or killed job again, now, with fresh counters.
    public func retry(_ id: Int64, at now: Date = Date()) async throws -> Job {
        try await change(id) { try $0.retry(at: now) }
    }

    /// Applies `transition` to the stored job, again if the job changed meanwhile.
    func change(_ id: Int64, _ transition: (Job) throws -> JobTransition) async throws -> Job {
        for _ in 0..<5 {
            guard let job = try await jobs.job(id: id) else { throw RepositoryError.notFound("job \(id)") }
            let next = try transition(job)
            do {
                for case .save(let expected) in next.actions {
                    try await jobs.saveJob(next.job, expecting: expected)
                }
                return next.job
            } catch is JobTransitionError {
                continue
            }
        }
        throw JobCommandError.keepsChanging(id)
    }
}

public enum JobCommandError: Error, CustomStringConvertible, Equatable {
    case keepsChanging(Int64)

    public var description: String {
        switch self {
        case .keepsChanging(let id): "job \(id) keeps changing; try again"
        }
    }
}
