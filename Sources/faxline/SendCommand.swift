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
    @Flag(help: "Show progress until every job has ended.") var wait = false
    @OptionGroup var data: DataOptions

    func validate() throws {
        guard !numbers.isEmpty else { throw ValidationError("give at least one number with -d") }
        guard !files.isEmpty else { throw ValidationError("give at least one file to send") }
        for file in files where !FileManager.default.isReadableFile(atPath: file) {
            throw ValidationError("cannot read \(file)")
        }
        _ = try TimeSpec.seconds(killAfter, option: "--kill-after")
        if let at { _ = try TimeSpec.date(at, now: Date()) }
    }

    func run() async throws {
        let database = try data.openDatabase()
        let configuration: FaxlineConfiguration
        do {
            configuration = try FaxlineConfiguration.load(dataDirectory: data.directory)
        } catch {
            throw CommandFailure("\(error)")
        }
        var submission = JobSubmission(numbers: numbers, files: files.map { URL(fileURLWithPath: $0).path })
        var sender = JobSender(callerIDNumber: callerID)
        if let device {
            guard let found = try await database.device(extension: device) else { throw ValidationError("no fax device \(device)") }
            sender.deviceExtension = found.extensionNumber
            sender.stationID = found.stationID
            sender.header = found.headerText.isEmpty ? nil : found.headerText
            sender.callerIDName = found.name
        }
        if let stationID { sender.stationID = stationID }
        if let header { sender.header = header }
        submission.sender = sender
        submission.priority = priority
        submission.maxTries = tries
        submission.maxDials = dials
        submission.notBefore = try at.map { try TimeSpec.date($0, now: Date()) }
        submission.killAfter = try TimeSpec.seconds(killAfter, option: "--kill-after")
        submission.notifyEmail = notify
        submission.notifyOnRequeue = notifyRequeue
        submission.owner = ProcessInfo.processInfo.environment["USER"] ?? ""
        let jobs: [Job]
        do {
            jobs = try await JobSubmitter(jobs: database, spoolRoot: configuration.spoolDirectory,
                                      minimumFreeBytes: configuration.minimumFreeBytes).submit(submission)
        } catch let error as FaxValidationError {
            throw ValidationError(error.description)
        } catch {
            throw CommandFailure("\(error)")
        }
        for job in jobs {
            FileHandle.standardOutput.write(Data(
                "job \(job.id ?? 0) to \(job.number): queued (\(job.pageCount) pages, broadcast \(job.broadcastID.prefix(8)))\n".utf8))
        }
        // The running server looks at the queue now; without one, the jobs wait for it.
        _ = try? await ControlClient(dataDirectory: data.directory).send(.wake)
        if wait {
            let failed = try await JobProgress.follow(jobs.compactMap(\.id), database: database)
            if failed > 0 { throw ExitCode(1) }
        }
    }
}

/// `--wait`: one line per change of each job, until all have ended.
enum JobProgress {
    /// Returns how many jobs did not end done.
    static func follow(_ ids: [Int64], database: FaxDatabase) async throws -> Int {
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
            if !open.isEmpty { try await Task.sleep(for: .milliseconds(500)) }
        }
        return failed
    }

    static func describe(_ job: Job) -> String {
        switch job.state {
        case .queued: job.notBefore > Date() ? "queued for \(TimeSpec.clock(job.notBefore))" : "queued"
        case .requeued: "requeued: \(job.reason); next try at \(TimeSpec.clock(job.notBefore))"
        case .dialing: "dialing \(job.number)"
        case .sending: "sending page \(min(job.nextPage, job.pageCount)) of \(job.pageCount)"
        case .done: "done (\(job.pageCount) pages)"
        case .failed: "failed: \(job.reason)"
        case .killed: "killed\(job.reason.isEmpty ? "" : ": \(job.reason)")"
        }
    }
}

/// Times and durations as the send options take them.
enum TimeSpec {
    /// `90s`, `30m`, `3h`, `1d`, or plain seconds.
    static func seconds(_ text: String, option: String) throws -> TimeInterval {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var number = Substring(text)
        var unit = 1.0
        if let last = text.last, let factor = units[last] {
            unit = factor
            number = number.dropLast()
        }
        guard let value = Double(number), value > 0, value * unit <= 30 * 86_400 else {
            throw ValidationError("\(option) \(text) is not a duration like 90m or 3h (at most 30 days)")
        }
        return value * unit
    }

    static func date(_ text: String, now: Date) throws -> Date {
        if text.hasPrefix("+") { return now.addingTimeInterval(try seconds(String(text.dropFirst()), option: "--at")) }
        let parts = text.split(separator: ":")
        if parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute) {
            let calendar = Calendar.current
            guard let today = calendar.date(bySettingHour: hour, minute: minute, second: 0, of: now) else {
                throw ValidationError("--at \(text) is not a time")
            }
            return today > now ? today : calendar.date(byAdding: .day, value: 1, to: today) ?? today
        }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        throw ValidationError("--at \(text) is not HH:MM, +30m or an ISO 8601 time like 2026-11-24T08:00:00Z")
    }

    static func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }
}
