import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation
import Store

/// `faxline jobs …`: the outbound queue, like HylaFAX's faxstat -s/-d, faxrm and faxalter.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List, show, kill and retry outbound fax jobs.",
        subcommands: [List.self, Show.self, Kill.self, Retry.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List jobs, oldest first.",
            discussion: "Shows the newest --limit jobs, oldest of them first (the order they were submitted in).")
        @Flag(help: "Also jobs that have ended.") var all = false
        @Option(help: ArgumentHelp("Only jobs with exactly this tag (faxline send --tag).", valueName: "text"), transform: { try JobTag($0) })
        var tag: JobTag?
        @Option(help: "At most this many.") var limit = 100
        @OptionGroup var data: DataOptions

        func validate() throws {
            guard limit >= 1 else { throw ValidationError("--limit must be 1 or more") }
        }

        func run() async throws {
            let database = try data.openDatabase()
            let states: Set<JobState>? = all ? nil : [.queued, .requeued, .dialing, .sending]
            // The store gives the newest first; a queue reads oldest first.
            let newest = try await database.jobs(JobQuery(states: states, tag: tag, limit: limit + 1))
            let jobs = Array(newest.prefix(limit).reversed())
            guard !jobs.isEmpty else {
                let tagged = tag.map { " tagged \"\($0)\"" } ?? ""
                print(all ? "No jobs\(tagged)." : "No jobs\(tagged) waiting or on the line (--all shows ended ones).")
                return
            }
            let rows = jobs.map { job in
                [String(job.id ?? 0), job.number, String(job.priority), job.state.rawValue, "\(job.pagesConfirmed)/\(job.pageCount)",
                 "\(job.dials)/\(job.maxDials)", "\(job.tries)/\(job.maxTries)", TimeSpec.clock(job.notBefore), job.tag?.text ?? "",
                 job.reason]
            }
            print(TextTable.render(
                header: ["JOB", "NUMBER", "PRI", "STATE", "PAGES", "DIALS", "TRIES", "NOT BEFORE", "TAG", "REASON"], rows: rows))
            if newest.count > limit { print("(the newest \(limit) jobs; --limit shows more)") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one job with its calls and their T.30 logs.")
        @Argument(help: "Job id.") var id: Int64
        @Flag(help: "Without the T.30 event logs.") var brief = false
        @OptionGroup var data: DataOptions

        func run() async throws {
            let database = try data.openDatabase()
            guard let job = try await database.job(id: id) else { throw CommandFailure("no job \(id)") }
            var lines = [
                "job \(id) to \(job.number): \(JobProgress.describe(job))",
                "broadcast \(job.broadcastID), submitted \(TimeSpec.clock(job.submittedAt))\(job.owner.isEmpty ? "" : " by \(job.owner)")",
                "priority \(job.priority)\(job.isBulk ? " (bulk)" : ""), pages \(job.pagesConfirmed) of \(job.pageCount) confirmed",
                "calls \(job.dials) of \(job.maxDials), tries \(job.tries) of \(job.maxTries); not before \(TimeSpec.clock(job.notBefore)), kill at \(TimeSpec.clock(job.killAt))",
                "document \(job.document.relativePath)",
            ]
            if let tag = job.tag { lines.append("tag \(tag)") }
            if let device = job.sender.deviceExtension { lines.append("from device \(device)") }
            if !job.sender.stationID.isEmpty { lines.append("station id \(job.sender.stationID)") }
            if let mail = job.notifyEmail { lines.append("notify \(mail)\(job.notifyOnRequeue ? " (also when requeued)" : "")") }
            for (index, attempt) in job.attempts.enumerated() {
                let seconds = attempt.endedAt.map { Int($0.timeIntervalSince(attempt.startedAt).rounded()) }
                lines.append("")
                lines.append("call \(index + 1): \(TimeSpec.clock(attempt.startedAt))\(seconds.map { ", \($0) s" } ?? "")"
                    + "\(attempt.lineName.map { " on \($0)" } ?? ""), from page \(attempt.firstPage), \(attempt.pagesConfirmed) confirmed: "
                    + (attempt.cause.map { "\($0.plainWords) — " } ?? "") + attempt.result)
                if !attempt.remoteStationID.isEmpty { lines.append("  far end \(attempt.remoteStationID), \(attempt.bitRate) bit/s") }
                if !brief {
                    for event in attempt.events {
                        lines.append(String(format: "  %7.2f ", event.time) + "\(event.kind) \(event.text)")
                    }
                }
            }
            // Results and T.30 logs quote the far end: one cleaned line each, no terminal escapes.
            print(lines.map(UntrustedText.cleaned).joined(separator: "\n"))
        }
    }

    struct Kill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a job (a call in progress is hung up).")
        @Argument(help: "Job id; repeat for more.") var ids: [Int64]
        @OptionGroup var data: DataOptions

        func run() async throws {
            let server = ControlClient(dataDirectory: data.directory)
            let who = ProcessInfo.processInfo.environment["USER"] ?? "the user"
            for id in ids {
                let state: String
                do {
                    // A running server is the writer of the jobs it has on the line: it applies
                    // the kill and hangs up at once.
                    switch try await server.send(.kill(jobID: id, by: who)) {
                    case .ok(let detail): state = detail
                    case .error(let message): throw CommandFailure(message)
                    }
                } catch is ControlClientError {
                    state = try await Self.killWithoutServer(id, by: who, data: data)
                }
                print("job \(id): \(state)")
            }
        }

        /// No server runs: nothing is on the line, the transition goes straight to the store.
        static func killWithoutServer(_ id: Int64, by who: String, data: DataOptions) async throws -> String {
            do {
                return try await JobCommands(jobs: try data.openDatabase()).kill(id, by: who).state.rawValue
            } catch let error as JobTransitionError {
                throw CommandFailure("job \(id) has already ended (\(error.from.rawValue))")
            } catch RepositoryError.notFound {
                throw CommandFailure("no job \(id)")
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a failed or killed job again, now, with fresh counters.")
        @Argument(help: "Job id; repeat for more.") var ids: [Int64]
        @OptionGroup var data: DataOptions

        func run() async throws {
            let commands = JobCommands(jobs: try data.openDatabase())
            for id in ids {
                do {
                    _ = try await commands.retry(id)
                } catch let error as JobTransitionError {
                    throw CommandFailure("job \(id) is \(error.from.rawValue); only failed or killed jobs can be retried")
                } catch RepositoryError.notFound {
                    throw CommandFailure("no job \(id)")
                }
                print("job \(id): queued again")
            }
            // The running server picks it up now rather than at its next look at the queue.
            _ = try? await ControlClient(dataDirectory: data.directory).send(.wake)
        }
    }
}
