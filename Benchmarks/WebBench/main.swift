import Accounts
import FaxCore
import FaxlineServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Store
import Web

// The web app's inbox with N received faxes (default 100,000): server time of a page of 50,
// rendered in process through the whole router (session, access rules, keyset listing, unread
// marks, Mustache), for an administrator (every fax) and a user of one device of ten; the
// first page, a deep page (after 40,000 faxes) and a search. Usage: WebBench [--faxes N] [--runs N]

func option(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

let count = Int(option("--faxes") ?? "") ?? 100_000
let runs = Int(option("--runs") ?? "") ?? 200
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-web-bench-\(UUID().uuidString)").path
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }
var configuration = FaxlineConfiguration(dataDirectory: folder)
configuration.web.port = 0
var logger = Logger(label: "web-bench")
logger.logLevel = .error
let database = try FaxDatabase(path: configuration.databasePath)
let server = try FaxlineServer(configuration: configuration, logger: logger, store: database)
let devices = (0..<10).map { "2\(String(format: "%02d", $0))" }
for number in devices {
    _ = try await database.addDevice(try FaxDevice(extensionNumber: number, name: "Device \(number)", emailAddresses: ["fax\(number)@example.com"]))
}

let setUpStart = Date()
let now = Date()
var batch: [FaxRecord] = []
for index in 0..<count {
    let created = now.addingTimeInterval(-Double(count - index) * 60)
    var fax = FaxRecord(
        createdAt: created, finishedAt: created.addingTimeInterval(90), deviceExtensions: [devices[index % devices.count]],
        callerNumber: "+4930\(100_000 + index)", callerName: index % 3 == 0 ? "ACME Corp \(index % 97)" : "", did: devices[index % devices.count],
        status: index % 20 == 0 ? .failed : .received,
        session: FaxSessionSummary(pages: 1 + index % 5, bitRate: 14400, ecm: true, remoteStationID: "+49 30 \(index % 1000)"),
        deliveryState: .delivered)
    fax.log("B", "14400 bit/s, ECM")
    batch.append(fax)
    if batch.count == 5_000 || index == count - 1 {
        try await database.insertFaxes(batch)
        batch.removeAll(keepingCapacity: true)
    }
}
let accounts = AccountAdministration(store: database)
let admin = try await accounts.addUser(User(name: "admin", email: "admin@example.com", isAdmin: true, createdAt: now), password: nil, actor: "bench")
let alice = try await accounts.addUser(User(name: "alice", email: "alice@example.com", deviceExtensions: [devices[3]], createdAt: now),
                                       password: nil, actor: "bench")
let sessions = WebSessions(store: database, authenticator: Authenticator(store: database))
var sessionCookies: [String: String] = [:]
for user in [admin, alice] {
    sessionCookies[user.name] = "faxline_session=" + (try await sessions.start(for: Principal(user: user, credential: .password), at: Date())).secret
}
let cookies = sessionCookies
print(String(format: "set-up: %d faxes in %.1f s", count, Date().timeIntervalSince(setUpStart)))

/// A cursor deep in the list: the one after `skip` faxes of the user's.
func deepCursor(scope: ListScope, skip: Int) async throws -> String? {
    var cursor: String?
    var skipped = 0
    while skipped < skip {
        let page = try await database.faxPage(FaxListQuery(scope: scope, limit: 500, cursor: cursor, direction: .received))
        cursor = page.nextCursor
        skipped += page.items.count
        if cursor == nil { break }
    }
    return cursor
}

let deep = min(40_000, count / 2)
let adminDeep = try await deepCursor(scope: .everything, skip: deep)
let aliceDeep = try await deepCursor(scope: .owned(deviceExtensions: [devices[3]], submitter: "alice"), skip: min(deep, count / 20))
let cases: [(name: String, user: String, path: String)] = [
    ("admin, newest 50", "admin", "/inbox"),
    ("admin, after \(deep)", "admin", "/inbox?cursor=\(adminDeep ?? "")"),
    ("admin, search \"ACME Corp 42\"", "admin", "/inbox?q=ACME+Corp+42"),
    ("admin, status failed", "admin", "/inbox?status=failed"),
    ("alice (1 device of 10), newest 50", "alice", "/inbox"),
    ("alice, after \(min(deep, count / 20))", "alice", "/inbox?cursor=\(aliceDeep ?? "")"),
]

guard let web = server.web else { fatalError("the server has no web listener") }
try await web.makeApplication().test(.router) { client in
    for entry in cases {
        var headers = HTTPFields()
        headers[.cookie] = cookies[entry.user]
        var times: [Double] = []
        var rows = 0
        for run in 0..<(runs + 10) {
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await client.executeRequest(uri: entry.path, method: .get, headers: headers, body: nil)
            let elapsed = clock.now - start
            guard response.status == .ok else { fatalError("\(entry.path): \(response.status)") }
            if run >= 10 { times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000) }
            rows = String(buffer: response.body).components(separatedBy: "<li class=\"fax").count - 1
        }
        times.sort()
        let median = times[times.count / 2]
        let p95 = times[Int(Double(times.count) * 0.95)]
        let name = entry.name.padding(toLength: 36, withPad: " ", startingAt: 0)
        print("inbox \(name) rows=\(rows) " + String(format: "median_ms=%.2f p95_ms=%.2f max_ms=%.2f", median, p95, times.last ?? 0)
            + " goal_ms=50 " + (p95 < 50 ? "ok" : "OVER"))
    }
}
