import Accounts
import FaxCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Store
import Testing
import Web

@Suite("REST API: administration")
struct AdministrationAPITests {
    @Test("devices: add, read, change (retention too), remove; a taken extension is 409, a bad value 422 naming the field")
    func devices() async throws {
        let fixture = try await APIFixture.make()
        let admin = try #require(fixture.tokens["admin"])
        try await fixture.test { client in
            let added = try await client.request(
                "/api/v1/devices", .post, token: admin,
                json: #"{"extension":"210","name":"Legal","emails":["legal@example.com"],"group":"legal","retentionDays":365}"#)
            #expect(added.status == .created, "\(added.text)")
            #expect(try added.json()["retentionDays"] as? Int == 365)
            try await client.request("/api/v1/devices", .post, token: admin, json: #"{"extension":"210","name":"X","emails":["x@example.com"]}"#)
                .expectProblem(.conflict)
            let invalid = try await client.request(
                "/api/v1/devices", .post, token: admin, json: #"{"extension":"211","name":"X","emails":["not-an-address"]}"#)
                .expectProblem(.unprocessableContent)
            #expect(invalid["field"] as? String == "email")

            let changed = try await client.request(
                "/api/v1/devices/210", .patch, token: admin, json: #"{"format":"inline","group":"","retentionDays":0,"zeroRetention":true}"#).json()
            #expect(changed["format"] as? String == "inline" && changed["group"] == nil)
            #expect(changed["retentionDays"] == nil && changed["zeroRetention"] as? Bool == true)
            #expect(try await client.request("/api/v1/devices/210", token: admin).json()["name"] as? String == "Legal")
            #expect(try await client.request("/api/v1/devices", token: admin).jsonArray().count == 3)
            #expect(try await client.request("/api/v1/devices/210", .delete, token: admin).status == .noContent)
            try await client.request("/api/v1/devices/210", token: admin).expectProblem(.notFound)
            try await client.request("/api/v1/devices/210", .delete, token: admin).expectProblem(.notFound)
        }
        let audit = try await fixture.database.auditEntries(limit: 20).filter { $0.kind.rawValue.hasPrefix("device-") }
        #expect(audit.map(\.kind) == [.deviceRemoved, .deviceChanged, .deviceAdded])
        #expect(audit.allSatisfy { $0.actor.hasPrefix("admin (API token") })
        #expect(audit.first { $0.kind == .deviceChanged }?.summary
            == "changed device 210 · Legal: format pdf → inline, group legal → none, retention 365 days → zero retention")
    }

    @Test("routes: add at a position, move, switch off, remove; the default route and the global switch; a device in use is 409")
    func routes() async throws {
        let fixture = try await APIFixture.make()
        let admin = try #require(fixture.tokens["admin"])
        try await fixture.test { client in
            let first = try await client.request("/api/v1/routes", .post, token: admin, json: #"{"did":"5550[1-3]XX","to":"201"}"#).json()
            let second = try await client.request(
                "/api/v1/routes", .post, token: admin, json: #"{"caller":"1900.","reject":true,"position":1,"description":"junk"}"#).json()
            #expect(second["position"] as? Int == 1 && second["action"] as? String == "reject")
            let firstID = try #require(first["id"] as? Int)
            let moved = try await client.request("/api/v1/routes/\(firstID)", .patch, token: admin, json: #"{"position":1,"enabled":false}"#).json()
            #expect(moved["position"] as? Int == 1 && moved["enabled"] as? Bool == false)
            try await client.request("/api/v1/routes", .post, token: admin, json: #"{"did":"5"}"#).expectProblem(.unprocessableContent)
            try await client.request("/api/v1/routes", .post, token: admin, json: #"{"did":"[9-","to":"201"}"#).expectProblem(.unprocessableContent)
            let rejectContinues = try await client.request(
                "/api/v1/routes", .post, token: admin, json: #"{"caller":"1","reject":true,"continue":true}"#).expectProblem(.unprocessableContent)
            #expect(rejectContinues["field"] as? String == "continue")
            try await client.request("/api/v1/routes/\(firstID)", .patch, token: admin, json: #"{"position":0}"#).expectProblem(.unprocessableContent)
            try await client.request("/api/v1/routes", .post, token: admin, json: #"{"to":"299"}"#).expectProblem(.notFound)

            let table = try await client.request(
                "/api/v1/routes", .patch, token: admin, json: #"{"defaultExtension":"202","faxingEnabled":false}"#).json()
            #expect(table["defaultExtension"] as? String == "202" && table["faxingEnabled"] as? Bool == false)
            let rules = try #require(table["rules"] as? [[String: Any]])
            #expect(rules.compactMap { $0["id"] as? Int }.first == firstID)
            try await client.request("/api/v1/devices/202", .delete, token: admin).expectProblem(.conflict)
            #expect(try await client.request("/api/v1/routes/\(firstID)", .delete, token: admin).status == .noContent)
            try await client.request("/api/v1/routes/\(firstID)", .delete, token: admin).expectProblem(.notFound)
        }
        let table = try await fixture.database.routingTable()
        #expect(table.rules.count == 1 && table.defaultExtension == "202" && !table.flags.globallyEnabled)
        let audit = try await fixture.database.auditEntries(limit: 20).filter { $0.kind.rawValue.hasPrefix("rout") }
        #expect(audit.map(\.kind) == [.routeRemoved, .routingChanged, .routeChanged, .routeAdded, .routeAdded])
        #expect(audit.first { $0.kind == .routingChanged }?.summary
            == "changed the routing: faxes nobody claims go to 202, faxing disabled: every fax call is refused")
    }

    @Test("groups and retention: switch a group off, set its retention; the configured periods")
    func groups() async throws {
        let fixture = try await APIFixture.make { $0.retention.receivedFaxDays = 45 }
        let admin = try #require(fixture.tokens["admin"])
        try await fixture.test { client in
            #expect(try await client.request("/api/v1/devices/202", .patch, token: admin, json: #"{"group":"legal"}"#).status == .ok)
            let group = try await client.request("/api/v1/groups/legal", .patch, token: admin, json: #"{"enabled":false,"retentionDays":90}"#).json()
            #expect(group["enabled"] as? Bool == false && group["retentionDays"] as? Int == 90 && group["devices"] as? [String] == ["202"])
            #expect(try await client.request("/api/v1/groups", token: admin).jsonArray().count == 1)
            try await client.request("/api/v1/groups/legal", .patch, token: admin, json: #"{"enabled":true,"retentionDays":3}"#)
                .expectProblem(.unprocessableContent)
            let policy = try await client.request("/api/v1/retention", token: admin).json()
            #expect(policy["receivedDays"] as? Int == 45 && policy["minimumDays"] as? Int == 7)
        }
        #expect(try await fixture.database.routingTable().flags.disabledGroups == ["legal"])
        #expect(try await fixture.database.auditEntries(limit: 1).first?.summary
            == "changed group legal: faxing disabled, retention default → 90 days")
    }

    @Test("users and tokens: add, change, remove; a token's text is shown once; the audit log names the API user")
    func usersAndTokens() async throws {
        let fixture = try await APIFixture.make()
        let admin = try #require(fixture.tokens["admin"])
        try await fixture.test { client in
            let added = try await client.request(
                "/api/v1/users", .post, token: admin, json: #"{"name":"Carol","email":"carol@example.com","devices":["201"]}"#)
            #expect(added.status == .created)
            #expect(try added.json()["name"] as? String == "carol")
            try await client.request("/api/v1/users", .post, token: admin, json: #"{"name":"carol","email":"c@example.com"}"#)
                .expectProblem(.conflict)
            try await client.request("/api/v1/users", .post, token: admin, json: #"{"name":"dave","email":"d@example.com","devices":["999"]}"#)
                .expectProblem(.notFound)
            let changed = try await client.request("/api/v1/users/carol", .patch, token: admin, json: #"{"addDevices":["202"],"admin":true}"#).json()
            #expect(changed["devices"] as? [String] == ["201", "202"] && changed["admin"] as? Bool == true)
            try await client.request("/api/v1/users/admin", .patch, token: admin, json: #"{"admin":false}"#).expectProblem(.conflict)

            let issued = try await client.request("/api/v1/tokens", .post, token: admin, json: #"{"user":"carol","scope":"read","label":"ERP"}"#)
            #expect(issued.status == .created)
            let text = try #require(issued.json()["text"] as? String)
            #expect(try await client.request("/api/v1/me", token: text).json()["scope"] as? String == "read")
            let listed = try await client.request("/api/v1/tokens?user=carol", token: admin).jsonArray()
            #expect(listed.count == 1 && listed.first?["label"] as? String == "ERP" && listed.first?["text"] == nil)
            let tokenID = try #require(listed.first?["id"] as? Int)
            // Carol may not list others' tokens, and an ordinary user not make a token wider than the one in hand.
            try await client.request("/api/v1/tokens?user=alice", token: text).expectProblem(.forbidden)
            let revoked = try await client.request("/api/v1/tokens/\(tokenID)", .delete, token: admin).json()
            #expect(revoked["state"] as? String == "revoked")
            try await client.request("/api/v1/me", token: text).expectProblem(.unauthorized)
            #expect(try await client.request("/api/v1/users/carol", .delete, token: admin).status == .noContent)
            try await client.request("/api/v1/users/carol", token: admin).expectProblem(.notFound)

            // Users manage their own tokens.
            let own = try await client.request("/api/v1/tokens", .post, token: fixture.tokens["alice"], json: #"{"scope":"send","expiresInDays":7}"#)
            #expect(own.status == .created)
            #expect(try await client.request("/api/v1/tokens", token: fixture.tokens["alice"]).jsonArray().count == 2)
            try await client.request("/api/v1/tokens", .post, token: fixture.tokens["alice"], json: #"{"user":"bob","scope":"read"}"#)
                .expectProblem(.forbidden)

            let audit = try await client.request("/api/v1/audit?limit=50", token: admin).jsonArray()
            let kinds = Set(audit.compactMap { $0["kind"] as? String })
            #expect(kinds.isSuperset(of: ["user-added", "user-changed", "token-created", "token-revoked", "user-removed"]))
            #expect(audit.contains { ($0["actor"] as? String)?.hasPrefix("admin (API token") == true })
        }
    }

    @Test("the audit log: filtered by actor, kind and time, paged by the cursor in a header; bad filters are refused naming the field")
    func auditLog() async throws {
        let fixture = try await APIFixture.make()
        let admin = try #require(fixture.tokens["admin"])
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for minute in 0..<5 {
            try await fixture.database.appendAudit(AuditEntry(
                at: start.addingTimeInterval(Double(minute) * 60), kind: .deviceChanged, actor: minute.isMultiple(of: 2) ? "olivia (web)" : "cli:root",
                summary: "change \(minute)"))
        }
        try await fixture.database.appendAudit(AuditEntry(at: start.addingTimeInterval(600), kind: .routeAdded, actor: "olivia (web)", summary: "a rule"))
        try await fixture.test { client in
            let first = try await client.request("/api/v1/audit?limit=2&actor=OLIVIA&kind=device-changed", token: admin)
            #expect(first.status == .ok)
            #expect(try first.jsonArray().compactMap { $0["summary"] as? String } == ["change 4", "change 2"])
            let cursor = try #require(first.headers[.init("Faxline-Next-Cursor")!])
            let second = try await client.request("/api/v1/audit?limit=2&actor=OLIVIA&kind=device-changed&cursor=\(cursor)", token: admin)
            #expect(try second.jsonArray().compactMap { $0["summary"] as? String } == ["change 0"])
            #expect(second.headers[.init("Faxline-Next-Cursor")!] == nil, "the last page has no next")

            let ranged = try await client.request(
                "/api/v1/audit?since=2027-01-15T08:01:00Z&until=2027-01-15T08:03:00Z&kind=device-changed&kind=route-added", token: admin)
            #expect(try ranged.jsonArray().compactMap { $0["summary"] as? String } == ["change 2", "change 1"])

            let unknown = try await client.request("/api/v1/audit?kind=device-exploded", token: admin).expectProblem(.badRequest)
            #expect(unknown["field"] as? String == "kind" && (unknown["detail"] as? String)?.contains("device-changed") == true)
            try await client.request("/api/v1/audit?since=2027-01-15T08:03:00Z&until=2027-01-15T08:01:00Z", token: admin)
                .expectProblem(.badRequest)
            let badCursor = try await client.request("/api/v1/audit?cursor=bm90LWEtY3Vyc29y", token: admin).expectProblem(.unprocessableContent)
            #expect(badCursor["field"] as? String == "cursor", "as for the fax list")
            try await client.request("/api/v1/audit", token: fixture.tokens["alice"]).expectProblem(.forbidden)
        }
    }

    @Test("only administrators administer: 403 for an ordinary user's token on every administration resource")
    func administratorsOnly() async throws {
        let fixture = try await APIFixture.make()
        let alice = try #require(fixture.tokens["alice"])
        try await fixture.test { client in
            for (path, method, body) in [
                ("/api/v1/devices", HTTPRequest.Method.get, nil), ("/api/v1/devices", .post, #"{"extension":"1","name":"x","emails":["a@b.c"]}"#),
                ("/api/v1/devices/201", .get, nil), ("/api/v1/devices/201", .patch, "{}"), ("/api/v1/devices/201", .delete, nil),
                ("/api/v1/routes", .get, nil), ("/api/v1/routes", .post, #"{"to":"201"}"#), ("/api/v1/routes", .patch, "{}"),
                ("/api/v1/routes/1", .patch, "{}"), ("/api/v1/routes/1", .delete, nil),
                ("/api/v1/groups", .get, nil), ("/api/v1/groups/x", .patch, "{}"), ("/api/v1/retention", .get, nil),
                ("/api/v1/users", .get, nil), ("/api/v1/users", .post, #"{"name":"x","email":"x@example.com"}"#),
                ("/api/v1/users/bob", .get, nil), ("/api/v1/users/bob", .patch, "{}"), ("/api/v1/users/bob", .delete, nil),
                ("/api/v1/audit", .get, nil),
            ] {
                let problem = try await client.request(path, method, token: alice, json: body).expectProblem(.forbidden)
                #expect(problem["detail"] as? String == "Only administrators may do this", "\(method) \(path)")
            }
        }
    }

    @Test("status: the lines, counts, queue by state and mail backlog, for every user")
    func status() async throws {
        let fixture = try await APIFixture.make { $0.lines = 2 }
        _ = try await JobsAPITests.job(fixture, owner: "alice", device: "201")
        let fax = try await fixture.receivedFax(on: "201")
        _ = try await fixture.database.enqueueDeliveries(
            faxID: fax.id, recipients: [MailRecipient(address: "sales@example.com", format: .pdf)], at: Date())
        let read = try await fixture.token("bob", scope: .read)
        try await fixture.test { client in
            let status = try await client.request("/api/v1/status", token: read).json()
            #expect((status["lines"] as? [[String: Any]])?.map { $0["state"] as? String } == ["idle", "idle"])
            #expect((status["queue"] as? [String: Int])?["queued"] == 1 && status["mailBacklog"] as? Int == 1)
            #expect(status["outbound"] as? String == "off (no [ami] username in faxline.conf)")
        }
    }
}
