import Accounts
import FaxCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Store

// The REST API under load, on a real `faxline serve` (release build) over loopback: the fax
// list with N faxes in the store (the first page, and pages deep in the history through their
// cursors) with wrk, against wrk on `/healthz` of the same server in the same run (the HTTP
// floor: what the listener, Hummingbird and wrk cost without the store); then sends of a
// 1-page PDF through `POST /api/v1/faxes`, conversion included.
//
// Usage: APIBench --faxline PATH --pdf ONE_PAGE.pdf [--faxes 100000] [--sends 1000]
//                 [--seconds 10] [--connections 32] [--threads 2] [--senders 4]

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
func number(_ name: String, _ fallback: Int) -> Int { option(name).flatMap(Int.init) ?? fallback }
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

guard let faxline = option("--faxline"), let pdfPath = option("--pdf") else {
    print("usage: APIBench --faxline PATH --pdf ONE_PAGE.pdf [--faxes N] [--sends N] [--seconds S] [--connections C] [--threads T]")
    exit(2)
}
let faxCount = number("--faxes", 100_000)
let sendCount = number("--sends", 1_000)
let wrkSeconds = number("--seconds", 10)
let connections = number("--connections", 32)
let threads = number("--threads", 2)
let senders = number("--senders", 4)
let clock = ContinuousClock()

// MARK: - The data folder

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-api-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let port = 20_000 + Int.random(in: 0..<20_000)
try """
    [agi]
    bind = 127.0.0.1:0
    [audiosocket]
    bind = 127.0.0.1:0
    [spool]
    min_free_mb = 1
    [web]
    bind = 127.0.0.1:\(port)
    rate_limit = 100000
    rate_burst = 100000
    [retention]
    cleanup_time = off
    """.write(to: folder.appendingPathComponent("faxline.conf"), atomically: true, encoding: .utf8)

let token: String
do {
    let database = try FaxDatabase(path: folder.appendingPathComponent(FaxDatabase.fileName).path)
    _ = try await database.addDevice(try FaxDevice(extensionNumber: "201", name: "Sales", emailAddresses: ["sales@example.com"]))
    let accounts = AccountAdministration(store: database)
    _ = try await accounts.addUser(
        User(name: "bench", email: "bench@example.com", isAdmin: true, deviceExtensions: ["201"], createdAt: Date()),
        password: nil, actor: "bench")
    token = try await accounts.createToken(userName: "bench", scope: .admin, expiresAt: nil, actor: "bench", at: Date()).text
    let start = clock.now
    let now = Date()
    var batch: [FaxRecord] = []
    for index in 0..<faxCount {
        // A year of history, a fax every few minutes; one in four sent, a few failed.
        let created = now.addingTimeInterval(-365 * 86_400 * Double(faxCount - index) / Double(faxCount))
        let sent = index % 4 == 0
        batch.append(FaxRecord(
            direction: sent ? .sent : .received, createdAt: created, finishedAt: created.addingTimeInterval(75),
            deviceExtensions: ["201"], callerNumber: "+1555\(1_000_000 + index % 9_000_000)", did: "201",
            status: index % 50 == 0 ? .failed : sent ? .sent : .received,
            session: FaxSessionSummary(pages: 1 + index % 5, bitRate: 14_400, ecm: true, remoteStationID: "+1 555 0100"),
            deliveryState: sent ? .none : .delivered))
        if batch.count == 5_000 || index == faxCount - 1 {
            try await database.insertFaxes(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }
    print(String(format: "set-up: %d faxes inserted in %.1f s", faxCount, seconds(clock.now - start)))
}

// MARK: - The server

let server = Process()
server.executableURL = URL(fileURLWithPath: faxline)
server.arguments = ["serve", "--data", folder.path, "--log-level", "error"]
try server.run()
defer {
    server.terminate()
    server.waitUntilExit()
}
let base = "http://127.0.0.1:\(port)"

func get(_ path: String) async throws -> (Int, Data) {
    var request = URLRequest(url: URL(string: base + path)!)
    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
}

var up = false
for _ in 0..<200 where !up {
    up = (try? await get("/readyz"))?.0 == 200
    if !up { try await Task.sleep(for: .milliseconds(50)) }
}
guard up else { print("the server did not become ready"); exit(1) }

// Cursors of pages spread over the history: each wrk request asks for one of them in turn.
var cursors: [String] = []
var cursor: String?
for pageIndex in 0..<400 {
    let (status, data) = try await get("/api/v1/faxes?limit=50" + (cursor.map { "&cursor=\($0)" } ?? ""))
    guard status == 200, let page = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        print("listing failed: \(status) \(String(decoding: data, as: UTF8.self))")
        exit(1)
    }
    cursor = page["nextCursor"] as? String
    guard let cursor else { break }
    if pageIndex % 2 == 1 { cursors.append(cursor) }
}

// MARK: - wrk

struct WrkFigures {
    var requestsPerSecond: Double
    var p50: Double
    var p99: Double
    var errors: String?
}

/// Milliseconds from wrk's "1.23ms", "456.00us", "1.01s".
func milliseconds(_ text: Substring) -> Double {
    for (unit, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)] where text.hasSuffix(unit) {
        return (Double(text.dropLast(unit.count)) ?? .nan) * factor
    }
    return .nan
}

func wrk(_ paths: [String], label: String) throws -> WrkFigures {
    let script = folder.appendingPathComponent("paths-\(label).lua")
    let list = paths.map { "\"\($0)\"" }.joined(separator: ",\n")
    try """
        local paths = {\(list)}
        local counter = 0
        request = function()
          counter = counter + 1
          return wrk.format("GET", paths[(counter % #paths) + 1])
        end
        """.write(to: script, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
    process.arguments = [
        "-t\(threads)", "-c\(connections)", "-d\(wrkSeconds)s", "--latency", "-s", script.path,
        "-H", "Authorization: Bearer \(token)", base,
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    var figures = WrkFigures(requestsPerSecond: 0, p50: .nan, p99: .nan)
    for line in output.split(separator: "\n") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        if fields.first == "Requests/sec:", fields.count == 2 { figures.requestsPerSecond = Double(fields[1]) ?? 0 }
        if fields.count == 2, fields[0] == "50%" { figures.p50 = milliseconds(fields[1]) }
        if fields.count == 2, fields[0] == "99%" { figures.p99 = milliseconds(fields[1]) }
        if line.contains("Non-2xx") || line.contains("Socket errors") {
            figures.errors = (figures.errors.map { $0 + "; " } ?? "") + line.trimmingCharacters(in: .whitespaces)
        }
    }
    return figures
}

func report(_ label: String, _ figures: WrkFigures, floor: WrkFigures? = nil) {
    var line = String(format: "%-34@ %8.0f req/s   p50 %6.2f ms   p99 %6.2f ms", label as NSString,
                      figures.requestsPerSecond, figures.p50, figures.p99)
    if let floor, floor.requestsPerSecond > 0 {
        line += String(format: "   %.2f× the floor's req/s", figures.requestsPerSecond / floor.requestsPerSecond)
    }
    if let errors = figures.errors { line += "   (\(errors))" }
    print(line)
}

print("wrk: \(threads) threads, \(connections) connections, \(wrkSeconds) s each; goal: list p99 < 20 ms and ≥ 2000 req/s")
let floor = try wrk(["/healthz"], label: "health")
report("GET /healthz (floor)", floor)
let first = try wrk(["/api/v1/faxes"], label: "first")
report("GET /api/v1/faxes (first page, 50)", first, floor: floor)
let deep = try wrk(cursors.map { "/api/v1/faxes?limit=50&cursor=\($0)" }, label: "cursor")
report("GET /api/v1/faxes?cursor= (\(cursors.count) pages)", deep, floor: floor)
let inbox = try wrk(["/api/v1/faxes?direction=received&status=received"], label: "filtered")
report("GET /api/v1/faxes?direction&status", inbox, floor: floor)

// MARK: - Sends

let pdf = try Data(contentsOf: URL(fileURLWithPath: pdfPath))
let body = Data(#"{"numbers":["5550101"],"documents":[{"name":"page.pdf","content":"\#(pdf.base64EncodedString())"}]}"#.utf8)
func send() async -> Bool {
    var request = URLRequest(url: URL(string: base + "/api/v1/faxes")!)
    request.httpMethod = "POST"
    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.httpBody = body
    return (try? await URLSession.shared.data(for: request)).map { ($0.1 as? HTTPURLResponse)?.statusCode == 202 } ?? false
}
let sendStart = clock.now
let accepted = await withTaskGroup(of: Int.self) { group in
    for worker in 0..<senders {
        group.addTask {
            var ok = 0
            for _ in stride(from: worker, to: sendCount, by: senders) where await send() { ok += 1 }
            return ok
        }
    }
    var total = 0
    for await count in group { total += count }
    return total
}
let sendSeconds = seconds(clock.now - sendStart)
print(String(format: "POST /api/v1/faxes, 1-page PDF (%d at once): %d of %d accepted in %.1f s = %.1f sends/s",
             senders, accepted, sendCount, sendSeconds, Double(accepted) / sendSeconds))
if accepted != sendCount { exit(1) }
