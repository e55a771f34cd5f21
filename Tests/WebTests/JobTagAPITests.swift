import FaxCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Store
import Testing
import Web

/// The job tag through the REST API: given on send, returned with the job, a filter of the
/// list, refused with 400 when it breaks the rules; and in the job's webhook events.
@Suite("REST API: job tags")
struct JobTagAPITests {
    @Test("options.tag is stored on every job of the send, returned by GET /jobs/{id} and found by GET /jobs?tag=")
    func sendGetAndFilter() async throws {
        let fixture = try await APIFixture.make()
        let form = MultipartForm()
        form.add("number", "5550101")
        form.add("number", "5550102")
        form.addFile("file", filename: "offer.txt", contentType: "text/plain", SendAPITests.letter)
        form.addJSON("options", #"{"tag":" Offer 4711 "}"#)
        let untagged = #"{"numbers":["5550103"],"documents":[{"name":"a.txt","content":"\#(SendAPITests.letter.base64EncodedString())"}]}"#
        try await fixture.test { client in
            let submission = try await client.request("/api/v1/faxes", .post, token: fixture.tokens["alice"], headers: form.headers, body: form.body)
                .json()
            let ids = try #require((submission["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? Int })
            #expect(ids.count == 2)
            let other = try await client.request("/api/v1/faxes", .post, token: fixture.tokens["alice"], json: untagged).json()
            let otherID = try #require((other["jobs"] as? [[String: Any]])?.first?["id"] as? Int)

            let shown = try await client.request("/api/v1/jobs/\(ids[0])", token: fixture.tokens["alice"]).json()
            #expect(shown["tag"] as? String == "Offer 4711")
            let plain = try await client.request("/api/v1/jobs/\(otherID)", token: fixture.tokens["alice"]).json()
            #expect(plain["tag"] == nil)

            let found = try await client.request("/api/v1/jobs?tag=Offer%204711", token: fixture.tokens["alice"]).json()
            let items = try #require(found["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["id"] as? Int } == ids.reversed())
            #expect(items.allSatisfy { $0["tag"] as? String == "Offer 4711" })
            let others = try await client.request("/api/v1/jobs?tag=Offer%204712", token: fixture.tokens["alice"]).json()
            #expect((others["items"] as? [Any])?.isEmpty == true)
            // Only what the caller may see: bob's list has none of alice's tagged jobs.
            let bobs = try await client.request("/api/v1/jobs?tag=Offer%204711", token: fixture.tokens["bob"]).json()
            #expect((bobs["items"] as? [Any])?.isEmpty == true)
        }
        let stored = try await fixture.database.jobs(JobQuery(tag: try JobTag("Offer 4711")))
        #expect(stored.count == 2 && stored.allSatisfy { $0.owner == "alice" })
    }

    @Test("a tag too long or with control characters is 400 naming the limit and the field; nothing is queued", arguments: [
        String(repeating: "t", count: 51), "Offer\\u00074711", "",
    ])
    func badTag(tag: String) async throws {
        let fixture = try await APIFixture.make()
        let body = #"{"numbers":["5550101"],"documents":[{"name":"a.txt","content":"\#(SendAPITests.letter.base64EncodedString())"}],"options":{"tag":"\#(tag)"}}"#
        try await fixture.test { client in
            let problem = try await client.request("/api/v1/faxes", .post, token: fixture.tokens["alice"], json: body).expectProblem(.badRequest)
            #expect((problem["detail"] as? String)?.contains("must be 1 to 50 characters without control characters") == true, "\(problem)")
            #expect(problem["field"] as? String == "tag")
            let listed = try await client.request("/api/v1/jobs?tag=\(String(repeating: "t", count: 51))", token: fixture.tokens["alice"])
            _ = try listed.expectProblem(.badRequest)
        }
        #expect(try await fixture.database.jobs(JobQuery()).isEmpty)
    }

    @Test("a job event's body carries the tag of the job as it was stored")
    func webhookPayload() async throws {
        let database = try FaxDatabase.inMemory()
        _ = try await database.addWebhook(try Webhook(
            url: "https://hooks.example.com/fax", secret: Secret("whsec_test_secret_0123456789"), createdAt: Date()))
        _ = try await database.submitJob(try Job(
            number: "5550101", document: SpoolPath("out/letter.tif"), pageCount: 1, tag: JobTag("Offer 4711")))
        let delivery = try #require(try await database.webhookDeliveries(WebhookDeliveryQuery()).first)
        #expect(delivery.event == .jobQueued)
        let body = try jsonObject(Data(try WebhookPayload.body(of: delivery)))
        #expect((body["job"] as? [String: Any])?["tag"] as? String == "Offer 4711")
    }
}
