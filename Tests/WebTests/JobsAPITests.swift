import FaxCore
import FaxTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Store
import Testing
import Web

@Suite("REST API: jobs")
struct JobsAPITests {
    /// A queued job, as if submitted by `owner` from `device`.
    static func job(_ fixture: APIFixture, owner: String, device: String?, number: String = "5550100") async throws -> Job {
        let document = try SpoolPath("out/\(UUID().uuidString).tif")
        let path = document.absolutePath(under: fixture.spoolRoot)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try TestDocuments.letter().path, toPath: path)
        return try await fixture.database.submitJob(
            Job(number: number, document: document, pageCount: 3, sender: JobSender(deviceExtension: device), owner: owner))
    }

    @Test("lists: the user's own submissions and their devices' jobs, newest first, paged; filtered by state")
    func list() async throws {
        let fixture = try await APIFixture.make()
        var aliceJobs: [Int64] = []
        for _ in 0..<3 { aliceJobs.append(try #require(try await Self.job(fixture, owner: "alice", device: "201").id)) }
        aliceJobs.append(try #require(try await Self.job(fixture, owner: "alice", device: nil).id))
        aliceJobs.append(try #require(try await Self.job(fixture, owner: "admin", device: "201").id))
        _ = try await Self.job(fixture, owner: "bob", device: "202")
        let expected = Array(aliceJobs.reversed())
        try await fixture.test { client in
            let first = try await client.request("/api/v1/jobs?limit=3", token: fixture.tokens["alice"]).json()
            let firstItems = try #require(first["items"] as? [[String: Any]])
            let cursor = try #require(first["nextCursor"] as? String)
            let second = try await client.request("/api/v1/jobs?limit=3&cursor=\(cursor)", token: fixture.tokens["alice"]).json()
            let ids = (firstItems + (second["items"] as? [[String: Any]] ?? [])).compactMap { ($0["id"] as? Int).map(Int64.init) }
            #expect(ids == expected)
            #expect(second["nextCursor"] == nil)

            let all = try await client.request("/api/v1/jobs", token: fixture.tokens["admin"]).json()
            #expect((all["items"] as? [Any])?.count == 6)
            let done = try await client.request("/api/v1/jobs?state=done&state=failed", token: fixture.tokens["admin"]).json()
            #expect((done["items"] as? [Any])?.isEmpty == true)
            let queued = try await client.request("/api/v1/jobs?state=queued", token: fixture.tokens["bob"]).json()
            #expect((queued["items"] as? [Any])?.count == 1)
        }
    }

    @Test("one job with its calls; kill and retry; another user's job is 403 on every action, a missing one 404")
    func actions() async throws {
        let fixture = try await APIFixture.make()
        var job = try await Self.job(fixture, owner: "alice", device: "201")
        job.state = .dialing
        job.attempts = [JobAttempt(startedAt: Date(), endedAt: Date(), lineName: "line0", firstPage: 1, cause: .busy, result: "busy")]
        try await fixture.database.saveJob(job, expecting: .queued)
        job.state = .requeued
        try await fixture.database.saveJob(job, expecting: .dialing)
        let id = try #require(job.id)
        try await fixture.test { client in
            let shown = try await client.request("/api/v1/jobs/\(id)", token: fixture.tokens["alice"]).json()
            #expect(shown["state"] as? String == "requeued" && shown["pages"] as? Int == 3 && shown["device"] as? String == "201")
            let call = try #require((shown["calls"] as? [[String: Any]])?.first)
            #expect(call["cause"] as? String == "busy" && call["line"] as? String == "line0")

            for action in ["kill", "retry"] {
                try await client.request("/api/v1/jobs/\(id)/\(action)", .post, token: fixture.tokens["bob"]).expectProblem(.forbidden)
                try await client.request("/api/v1/jobs/999999/\(action)", .post, token: fixture.tokens["bob"]).expectProblem(.notFound)
            }
            try await client.request("/api/v1/jobs/\(id)", token: fixture.tokens["bob"]).expectProblem(.forbidden)
            try await client.request("/api/v1/jobs/\(id)/retry", .post, token: fixture.tokens["alice"]).expectProblem(.conflict)

            let killed = try await client.request("/api/v1/jobs/\(id)/kill", .post, token: fixture.tokens["alice"]).json()
            #expect(killed["state"] as? String == "killed")
            #expect((killed["reason"] as? String)?.hasPrefix("killed by alice") == true)
            try await client.request("/api/v1/jobs/\(id)/kill", .post, token: fixture.tokens["alice"]).expectProblem(.conflict)

            let retried = try await client.request("/api/v1/jobs/\(id)/retry", .post, token: fixture.tokens["alice"]).json()
            #expect(retried["state"] as? String == "queued" && retried["dials"] as? Int == 0)
        }
        #expect(try await fixture.database.job(id: id)?.state == .queued)
    }
}
