import FaxCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Store
import Testing
import Web

@Suite("REST API: webhooks")
struct WebhooksAPITests {
    static let letter = Data("Dear Sir or Madam,\n\nplease find our offer below.\n".utf8)

    @Test("a user adds, lists and removes their own webhooks; the secret is shown once; only administrators add global ones")
    func ownWebhooks() async throws {
        let fixture = try await APIFixture.make()
        let added = try jsonObject(try await fixture.test { client in
            let response = try await client.request(
                "/api/v1/webhooks", .post, token: fixture.tokens["alice"], json: #"{"url":"https://erp.example.com/fax","events":["job.done"]}"#)
            #expect(response.status == .created, "\(response.text)")
            return Data(buffer: response.body)
        })
        let secret = try #require(added["secret"] as? String)
        let webhook = try #require(added["webhook"] as? [String: Any])
        let id = try #require(webhook["id"] as? String)
        #expect(secret.hasPrefix("whsec_") && webhook["user"] as? String == "alice" && webhook["events"] as? [String] == ["job.done"])
        #expect(try await fixture.database.webhook(id: id)?.secret.revealed == secret)

        try await fixture.test { client in
            let bobs = try await client.request(
                "/api/v1/webhooks", .post, token: fixture.tokens["bob"], json: #"{"url":"https://bob.example.com/x","secret":"bobs-secret-0123456789"}"#)
            #expect(try bobs.status == .created && (bobs.json()["secret"] as? String) == "bobs-secret-0123456789")
            let aliceList = try await client.request("/api/v1/webhooks", token: fixture.tokens["alice"]).jsonArray()
            #expect(aliceList.compactMap { $0["id"] as? String } == [id] && aliceList.allSatisfy { $0["secret"] == nil })
            #expect(try await client.request("/api/v1/webhooks", token: fixture.tokens["admin"]).jsonArray().count == 2)

            try await client.request("/api/v1/webhooks", .post, token: fixture.tokens["alice"], json: #"{"url":"https://x.example.com","global":true}"#)
                .expectProblem(.forbidden)
            try await client.request("/api/v1/webhooks", .post, token: fixture.tokens["alice"], json: #"{"url":"https://x.example.com","user":"bob"}"#)
                .expectProblem(.forbidden)
            let global = try await client.request(
                "/api/v1/webhooks", .post, token: fixture.tokens["admin"], json: #"{"url":"http://10.0.0.5/hook","global":true}"#)
            #expect(try global.status == .created && (global.json()["webhook"] as? [String: Any])?["user"] == nil)

            let read = try await fixture.token("alice", scope: .read)
            try await client.request("/api/v1/webhooks", token: read).expectProblem(.forbidden)
            try await client.request("/api/v1/webhooks/\(id)", .delete, token: fixture.tokens["bob"]).expectProblem(.forbidden)
            try await client.request("/api/v1/webhooks/\(UUID().uuidString.lowercased())", .delete, token: fixture.tokens["alice"])
                .expectProblem(.notFound)
            #expect(try await client.request("/api/v1/webhooks/\(id)", .delete, token: fixture.tokens["alice"]).status == .noContent)
        }
        #expect(try await fixture.database.webhook(id: id) == nil)
    }

    @Test("bad URLs and URLs into the local network from a user: 422 naming the field; nothing stored")
    func badURLs() async throws {
        let fixture = try await APIFixture.make()
        try await fixture.test { client in
            for url in ["ftp://example.com/x", "https://user:pw@example.com/", "not a url", "http://192.168.0.10/x", "http://127.0.0.1:8080/x",
                        "http://[fd00::1]/x", "http://localhost/x"] {
                let problem = try await client.request(
                    "/api/v1/webhooks", .post, token: fixture.tokens["alice"], json: #"{"url":"\#(url)"}"#).expectProblem(.unprocessableContent)
                #expect((problem["detail"] as? String)?.isEmpty == false)
            }
            try await client.request("/api/v1/webhooks", .post, token: fixture.tokens["alice"], json: #"{"url":"https://e.example.com","secret":"short"}"#)
                .expectProblem(.unprocessableContent)
            try await client.request("/api/v1/webhooks", .post, token: fixture.tokens["alice"], json: #"{"url":"https://e.example.com","events":["job.exploded"]}"#)
                .expectProblem(.badRequest)
        }
        #expect(try await fixture.database.webhooks(userID: nil).isEmpty)
    }

    @Test("deliveries: a user sees and replays their own; an administrator all; a callbackUrl from a send is checked and queued")
    func deliveriesAndCallbacks() async throws {
        let fixture = try await APIFixture.make()
        let alice = try #require(try await fixture.database.user(name: "alice"))
        _ = try await fixture.database.addWebhook(try Webhook(url: "https://erp.example.com/a", secret: "alice-secret-0123456789", userID: alice.id, createdAt: Date()))
        _ = try await fixture.database.addWebhook(try Webhook(url: "https://ops.example.com/all", secret: "global-secret-0123456789", createdAt: Date()))

        try await fixture.test { client in
            let refused = try await client.request(
                "/api/v1/faxes", .post, token: fixture.tokens["alice"],
                json: #"{"numbers":["5550103"],"documents":[{"name":"a.txt","content":"\#(Self.letter.base64EncodedString())"}],"options":{"callbackUrl":"http://10.1.2.3/cb"}}"#)
            let problem = try refused.expectProblem(.unprocessableContent)
            #expect(problem["field"] as? String == "callbackUrl")
            let sent = try await client.request(
                "/api/v1/faxes", .post, token: fixture.tokens["alice"],
                json: #"{"numbers":["5550103"],"documents":[{"name":"a.txt","content":"\#(Self.letter.base64EncodedString())"}],"options":{"callbackUrl":"https://erp.example.com/cb?n=1"}}"#)
            #expect(sent.status == .accepted, "\(sent.text)")
        }
        let job = try #require(try await fixture.database.jobs(JobQuery()).first)
        #expect(job.callbackURL == "https://erp.example.com/cb?n=1" && job.owner == "alice")

        let (mineData, allData) = try await fixture.test { client in
            (Data(buffer: try await client.request("/api/v1/webhook-deliveries", token: fixture.tokens["alice"]).body),
             Data(buffer: try await client.request("/api/v1/webhook-deliveries?state=pending", token: fixture.tokens["admin"]).body))
        }
        let mine = try #require(try JSONSerialization.jsonObject(with: mineData) as? [[String: Any]])
        let all = try #require(try JSONSerialization.jsonObject(with: allData) as? [[String: Any]])
        // Alice: her webhook and her job's callback; the administrator also the global one.
        #expect(Set(mine.compactMap { $0["url"] as? String }) == ["https://erp.example.com/a", "https://erp.example.com/cb?n=1"])
        #expect(all.count == 3 && all.allSatisfy { $0["event"] as? String == "job.queued" && $0["jobId"] as? Int == Int(job.id ?? 0) })
        let globalDelivery = try #require(all.first { $0["url"] as? String == "https://ops.example.com/all" }?["id"] as? String)
        let ownDelivery = try #require(mine.first?["id"] as? String)

        try await fixture.test { client in
            #expect(try await client.request("/api/v1/webhook-deliveries", token: fixture.tokens["bob"]).jsonArray().isEmpty)
            try await client.request("/api/v1/webhook-deliveries/\(globalDelivery)/replay", .post, token: fixture.tokens["alice"])
                .expectProblem(.forbidden)
            let replayed = try await client.request("/api/v1/webhook-deliveries/\(ownDelivery)/replay", .post, token: fixture.tokens["alice"])
            #expect(try replayed.status == .ok && (replayed.json()["state"] as? String) == "pending" && (replayed.json()["attempts"] as? Int) == 0)
            try await client.request("/api/v1/webhook-deliveries/\(UUID().uuidString.lowercased())/replay", .post, token: fixture.tokens["admin"])
                .expectProblem(.notFound)
        }
        _ = try await fixture.database.markWebhookSending(id: globalDelivery, at: Date())
        try await fixture.test { client in
            _ = try await client.request("/api/v1/webhook-deliveries/\(globalDelivery)/replay", .post, token: fixture.tokens["admin"])
                .expectProblem(.conflict)
        }
    }
}
