import FaxCore
import Foundation
import Store

// The outbound queue under load: submissions per second (each one durable, as
// `faxline send` writes them), the dispatcher's pick of the next due jobs with a deep queue,
// and the process's memory with the jobs queued (the dispatcher keeps none of them in memory).

func residentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kilobytes / 1024
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else { return fallback }
    return value
}
let submissions = option("--submit", 10_000)
let queued = option("--queued", 100_000)

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-queue-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let database = try FaxDatabase(path: folder.appendingPathComponent("faxline.sqlite").path)
let document = try SpoolPath("out/bench.tif")
let clock = ContinuousClock()
let memoryBefore = residentMegabytes()

func makeJob(_ index: Int, now: Date) throws -> Job {
    try Job(number: String(5_550_000 + index % 9_000), document: document, pageCount: 3, priority: index % 256,
            submittedAt: now, notifyEmail: "user\(index % 50)@example.com")
}

// 1. Submissions, one durable transaction each.
let now = Date()
let submitStart = clock.now
for index in 0..<submissions {
    _ = try await database.submitJob(try makeJob(index, now: now))
}
let submitTime = seconds(clock.now - submitStart)
print(String(format: "submit: %d jobs in %.2f s = %.0f submissions/s (synchronous=FULL, one transaction each)",
             submissions, submitTime, Double(submissions) / submitTime))

// 2. Fill the queue to `queued` jobs (in batches: this part is set-up, not measured).
var remaining = queued - submissions
while remaining > 0 {
    let batch = min(remaining, 5_000)
    _ = try await database.submitJobs(try (0..<batch).map { try makeJob(queued - remaining + $0, now: now) })
    remaining -= batch
}

// 3. The dispatcher's pick: the best 4 due jobs, skipping 4 numbers on the line.
let busy: Set<String> = ["5550000", "5550001", "5550002", "5550003"]
var picks: [Double] = []
for _ in 0..<200 {
    let start = clock.now
    let due = try await database.dueJobs(at: Date(), excludingNumbers: busy, limit: 4)
    picks.append(seconds(clock.now - start))
    precondition(due.count == 4)
}
picks.sort()
print(String(format: "pick next jobs with %d queued: median %.3f ms, p99 %.3f ms",
             queued, picks[picks.count / 2] * 1000, picks[picks.count * 99 / 100] * 1000))
print(String(format: "memory: %.1f MB resident with %d jobs queued (%.1f MB before)", residentMegabytes(), queued, memoryBefore))
let size = (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("faxline.sqlite").path)[.size] as? Int) ?? 0
print(String(format: "database file: %.1f MB", Double(size) / 1_048_576))
