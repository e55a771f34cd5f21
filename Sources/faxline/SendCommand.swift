import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation
import Store

/// `faxline send`: queues documents for one or more numbers, like HylaFAX's sendfax. The
/// running server is told at once (`wake` on the control socket).
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Queue a fax to one or more numbers.",
        discussion: """
            Files may be TIFF, PDF, PostScript, PNG, JPEG or plain text; they are converted into \
            one fax document. Each -d number becomes one job of the same broadcast.
            Examples:
              faxline send -d 5550100 letter.pdf
              faxline send -d 5550100 -d 5550101 --from 201 --at 22:00 --notify me@example.com report.pdf --wait
              faxline send -d 5550100 --tag "Offer 4711" offer.pdf
            """)

    @Option(name: [.customShort("d"), .customLong("number")], help: ArgumentHelp("Number to send to; repeat for more.", valueName: "number"))
    var numbers: [String] = []
    @Argument(help: ArgumentHelp("Documents to send, in order.", valueName: "file")) var files: [String] = []
    @Option(name: .customLong("from"), help: ArgumentHelp("Send as this fax device (extension): its station id and header.", valueName: "ext"))
    var device: String?
    @Option(name: .customLong("station-id"), help: "Station id (TSI) sent to the far end, up to 20 characters.") var stationID: String?
    @Option(help: "Header text at the top of each page, up to 50 characters.") var header: String?
    @Option(name: .customLong("caller-id"), help: "Caller id number of the call.") var callerID: String?
    @Option(help: "0 (first) to 255 (last); 127 by default, 190 and up is bulk.") var priority = Job.defaultPriority
    @Option(help: "Give up after this many answered calls that failed.") var tries = Job.defaultTries
    @Option(help: "Give up after this many calls in all.") var dials = Job.defaultDials
    @Option(help: ArgumentHelp("Send not before: HH:MM (next occurrence), +30m / +2h, or an ISO 8601 time.", valueName: "time"))
    var at: String?
    @Option(name: .customLong("kill-after"), help: ArgumentHelp("Give up this long after the send time (e.g. 3h, 90m).", valueName: "duration"))
    var killAfter = "3h"
    @Option(help: ArgumentHelp("Mail this address when the job is done or has failed.", valueName: "email")) var notify: String?
    @Flag(name: .customLong("notify-requeue"), help: "Also mail when a job is requeued.") var notifyRequeue = false
    @Option(
        name: .customLong("callback-url"),
        help: ArgumentHelp("Post each job's events here (http or https), signed with the callback secret.", valueName: "url"))
    var callbackURL: String?
    @Option(help: ArgumentHelp(
        "Your own reference for the jobs (1 to \(JobTag.maximumLength) characters), shown with them; faxline jobs --tag finds them.",
        valueName: "text"),
        transform: { try JobTag($0) })
    var tag: JobTag?
    @Flag(help: "Show progress until every job has ended.") var wait = false
    @OptionGroup var data: DataOptions

    func validate() throws {
        guard !numbers.isEmpty else { throw ValidationError("give at least one number with -d") }
        guard !files.isEmpty else { throw ValidationError("give at least one file to send") }
        // Every option is checked before anything is converted; the device of --from and the
        // free space are checked in run, still before converting.
        _ = try reportingInvalidValues { try submission(now: Date()).validate() }
    }

    /// The submission the options describe (the sender of --from is added in run).
    func submission(now: Date) throws -> JobSubmission {
        var submission = JobSubmission(numbers: numbers, files: files.map { URL(fileURLWithPath: $0).path })
        var sender = JobSender(callerIDNumber: callerID)
        if let stationID { sender.stationID = stationID }
        if let header { sender.header = header }
        submission.sender = sender
        submission.priority = priority
        submission.maxTries = tries
        submission.maxDials = dials
        submission.notBefore = try at.map { try TimeSpec.date($0, now: now) }
        submission.killAfter = try TimeSpec.seconds(killAfter, option: "--kill-after")
        submission.notifyEmail = notify
        submission.notifyOnRequeue = notifyRequeue
        submission.callbackURL = callbackURL
        submission.tag = tag
        submission.owner = ProcessInfo.processInfo.environment["USER"] ?? ""
        return submission
    }

    func run() async throws {
        let database = try data.openDatabase()
        let configuration = try CleanupCommand.loadConfiguration(data)
        var submission = try submission(now: Date())
        if let device {
            guard let found = try await database.device(extension: device) else { throw ValidationError("no fax device \(device)") }
            submission.sender.deviceExtension = found.extensionNumber
            if stationID == nil { submission.sender.stationID = found.stationID }
            if header == nil { submission.sender.header = found.headerText.isEmpty ? nil : found.headerText }
            submission.sender.callerIDName = found.name
        }
        let jobs: [Job]
        do {
            jobs = try await JobSubmitter(jobs: database, spoolRoot: configuration.spoolDirectory,
                                          minimumFreeBytes: configuration.minimumFreeBytes).submit(submission)
        } catch let error as FaxValidationError {
            throw ValidationError(error.description)
        } catch {
            throw CommandFailure(ErrorWords.describe(error))
        }
        for job in jobs {
            let tagged = job.tag.map { ", tag \($0)" } ?? ""
            FileHandle.standardOutput.write(Data(
                "job \(job.id ?? 0) to \(job.number): queued (\(Plural.count(job.pageCount, "page")), broadcast \(job.broadcastID.prefix(8))\(tagged))\n".utf8))
        }
        // The running server looks at the queue now; without one, the jobs wait for it.
        let server = (try? await ControlClient(dataDirectory: data.directory).send(.wake)) != nil
        let waiting = Self.whyNothingSends(outboundConfigured: configuration.ami.isConfigured, serverRuns: server, data: data)
        if let waiting { print("Queued, but \(waiting).") }
        if wait {
            if waiting != nil {
                FileHandle.standardError.write(Data("faxline send: not waiting: nothing will send the jobs until then\n".utf8))
                throw ExitCode(1)
            }
            let failed = try await JobProgress.follow(jobs.compactMap(\.id), database: database) {
                (try? await ControlClient(dataDirectory: data.directory).send(.wake)) != nil
            }
            if failed > 0 { throw ExitCode(1) }
        }
    }

    /// Why queued jobs will not be sent now, or `nil` when a server with outbound faxing runs.
    static func whyNothingSends(outboundConfigured: Bool, serverRuns: Bool, data: DataOptions) -> String? {
        if !outboundConfigured {
            return "outbound is off: \(data.directory)/\(FaxlineConfiguration.fileName) has no [ami] username, so nothing "
                + "dials (see \"Send a fax\" in the README); the jobs wait until it is set and faxline serve runs"
        }
        if !serverRuns {
            return "no faxline serve is running on \(data.directory): the jobs wait until it runs"
        }
        return nil
    }
}

/// `--wait`: one line per change of each job, until all have ended — or the server that would
/// send them is gone.
enum JobProgress {
    /// Returns how many jobs did not end done. `serverRuns` is asked on every look; when it
    /// says no, following stops with an error that says so (the jobs stay queued).
    static func follow(_ ids: [Int64], database: FaxDatabase, serverRuns: () async -> Bool) async throws -> Int {
        var shown: [Int64: String] = [:]
        var open = Set(ids)
        var failed = 0
        while !open.isEmpty {
            for id in open.sorted() {
                guard let job = try await database.job(id: id) else {
                    open.remove(id)
                    continue
                }
                let line = describe(job)
                if shown[id] != line {
                    shown[id] = line
                    // Unbuffered: progress shows at once even when piped.
                    FileHandle.standardOutput.write(Data("job \(id): \(line)\n".utf8))
                }
                if job.state.isFinal {
                    open.remove(id)
                    if job.state != .done { failed += 1 }
                }
            }
            if open.isEmpty { break }
            guard await serverRuns() else {
                throw CommandFailure("stopped waiting: faxline serve is no longer running; "
                    + Plural.count(open.count, "job") + " stay queued and are sent when it runs again")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        return failed
    }

    static func describe(_ job: Job) -> String {
        switch job.state {
        case .queued: job.notBefore > Date() ? "queued for \(TimeSpec.clock(job.notBefore))" : "queued"
        case .requeued: "requeued: \(job.reason); next try at \(TimeSpec.clock(job.notBefore))"
        case .dialing: "dialing \(job.number)"
        case .sending: "sending page \(min(job.nextPage, job.pageCount)) of \(job.pageCount)"
        case .done: "done (\(Plural.count(job.pageCount, "page")))"
        case .failed: "failed: \(job.reason)"
        case .killed: "killed\(job.reason.isEmpty ? "" : ": \(job.reason)")"
        }
    }
}
