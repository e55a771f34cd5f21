import FaxCore
import FaxTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Store
import Testing
import Web

@Suite("REST API: faxes")
struct FaxesAPITests {
    @Test("pages of faxes newest first with an opaque cursor; every fax exactly once; a user sees only their devices' faxes")
    func paging() async throws {
        let fixture = try await APIFixture.make()
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        var aliceIDs: [String] = []
        // Two faxes share each creation time: the cursor must tell them apart by id.
        for index in 0..<25 {
            let at = start.addingTimeInterval(Double(index / 2) * 60)
            aliceIDs.append(try await fixture.receivedFax(on: "201", caller: "555010\(index % 10)", at: at, withFiles: false).id)
            try await fixture.receivedFax(on: "202", at: at, withFiles: false)
        }
        let expected = aliceIDs
        try await fixture.test { client in
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let uri = "/api/v1/faxes?limit=10" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.request(uri, token: fixture.tokens["alice"]).json()
                let items = try #require(page["items"] as? [[String: Any]])
                #expect(items.allSatisfy { ($0["devices"] as? [String]) == ["201"] })
                seen += items.compactMap { $0["id"] as? String }
                cursor = page["nextCursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(Set(seen) == Set(expected) && seen.count == 25)
            // Newest first.
            let byTime = try await fixture.database.faxPage(FaxListQuery(scope: .everything, limit: 100)).items
            #expect(seen == byTime.filter { $0.deviceExtensions == ["201"] }.map(\.id))

            let all = try await client.request("/api/v1/faxes?limit=500", token: fixture.tokens["admin"]).json()
            #expect((all["items"] as? [[String: Any]])?.count == 50 && all["nextCursor"] == nil)
            try await client.request("/api/v1/faxes?cursor=bm90LWEtY3Vyc29y", token: fixture.tokens["admin"]).expectProblem(.unprocessableContent)
        }
    }

    @Test("filters: device, status, direction, date range and caller prefix")
    func filters() async throws {
        let fixture = try await APIFixture.make()
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        try await fixture.receivedFax(on: "201", caller: "4930123", at: start, withFiles: false)
        try await fixture.receivedFax(on: "202", caller: "4930999", at: start.addingTimeInterval(3600), withFiles: false)
        var failed = FaxRecord(createdAt: start.addingTimeInterval(7200), deviceExtensions: ["201"], callerNumber: "1555", status: .failed)
        try await fixture.database.insertFax(failed)
        failed.id = UUID().uuidString.lowercased()
        failed.direction = .sent
        failed.status = .sent
        try await fixture.database.insertFax(failed)
        let admin = try #require(fixture.tokens["admin"])
        try await fixture.test { client in
            func count(_ query: String) async throws -> Int {
                let page = try await client.request("/api/v1/faxes?\(query)", token: admin).json()
                return (page["items"] as? [Any])?.count ?? -1
            }
            #expect(try await count("device=201") == 3)
            #expect(try await count("status=failed") == 1)
            #expect(try await count("status=failed&status=received") == 3)
            #expect(try await count("direction=sent") == 1)
            #expect(try await count("direction=received&device=201") == 2)
            #expect(try await count("caller=4930") == 2)
            #expect(try await count("caller=4930_") == 0)
            #expect(try await count("since=2026-09-21T14:30:00Z") == 3)
            #expect(try await count("since=2026-09-21T14:30:00Z&until=2026-09-21T15:30:00Z") == 1)
            try await client.request("/api/v1/faxes?since=2026-09-21T15:00:00Z&until=2026-09-21T14:00:00Z", token: admin)
                .expectProblem(.badRequest)
        }
    }

    @Test("one fax: every recorded field, the event log and the deliveries")
    func oneFax() async throws {
        let fixture = try await APIFixture.make()
        let fax = try await fixture.receivedFax(on: "201")
        _ = try await fixture.database.enqueueDeliveries(
            faxID: fax.id, recipients: [MailRecipient(address: "sales@example.com", format: .pdf)], at: Date())
        try await fixture.test { client in
            let response = try await client.request("/api/v1/faxes/\(fax.id)", token: fixture.tokens["alice"])
            #expect(response.status == .ok)
            let detail = try response.json()
            let summary = try #require(detail["summary"] as? [String: Any])
            #expect(summary["id"] as? String == fax.id && summary["pages"] as? Int == 3 && summary["hasPdf"] as? Bool == true)
            #expect(summary["remoteStationId"] as? String == "+1 555 0100" && summary["deliveryState"] as? String == "pending")
            #expect(detail["bitRate"] as? Int == 14400 && detail["ecm"] as? Bool == true)
            #expect((detail["events"] as? [[String: Any]])?.first?["text"] as? String == "negotiated 14400 bit/s")
            #expect((detail["deliveries"] as? [[String: Any]])?.first?["recipient"] as? String == "sales@example.com")
        }
    }

    @Test("another user's fax is 403 on every resource; a missing one is 404")
    func ownership() async throws {
        let fixture = try await APIFixture.make()
        let fax = try await fixture.receivedFax(on: "201")
        let bob = try #require(fixture.tokens["bob"])
        try await fixture.test { client in
            let base = "/api/v1/faxes/\(fax.id)"
            for (path, method) in [
                (base, HTTPRequest.Method.get), (base + "/pdf", .get), (base + "/tiff", .get), (base + "/pages/1", .get),
                (base + "/resend", .post), (base, .delete),
            ] {
                let problem = try await client.request(path, method, token: bob, json: method == .post ? "{}" : nil).expectProblem(.forbidden)
                #expect((problem["detail"] as? String)?.contains("another user") == true, "\(method) \(path)")
            }
            let missing = "/api/v1/faxes/\(UUID().uuidString.lowercased())"
            for path in [missing, missing + "/pdf", missing + "/tiff", missing + "/pages/1"] {
                try await client.request(path, token: bob).expectProblem(.notFound)
            }
            // The owner and an administrator may.
            #expect(try await client.request(base, token: fixture.tokens["alice"]).status == .ok)
            #expect(try await client.request(base, token: fixture.tokens["admin"]).status == .ok)
        }
        #expect(try await fixture.database.fax(id: fax.id) != nil)
    }

    @Test("PDF and TIFF byte for byte with an ETag; If-None-Match gets 304; a fax without files is 404")
    func files() async throws {
        let fixture = try await APIFixture.make()
        let fax = try await fixture.receivedFax(on: "201")
        let bare = try await fixture.receivedFax(on: "201", withFiles: false)
        let token = try #require(fixture.tokens["alice"])
        try await fixture.test { client in
            let pdf = try await client.request("/api/v1/faxes/\(fax.id)/pdf", token: token)
            #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf")
            let onDisk = try Data(contentsOf: URL(fileURLWithPath: try #require(fax.files.pdf).absolutePath(under: fixture.spoolRoot)))
            #expect(Data(buffer: pdf.body) == onDisk)
            let etag = try #require(pdf.headers[.eTag])
            var conditional = HTTPFields()
            conditional[.ifNoneMatch] = etag
            let again = try await client.request("/api/v1/faxes/\(fax.id)/pdf", token: token, headers: conditional)
            #expect(again.status == .notModified && again.body.readableBytes == 0)

            let tiff = try await client.request("/api/v1/faxes/\(fax.id)/tiff", token: token)
            #expect(tiff.status == .ok && tiff.headers[.contentType] == "image/tiff")
            #expect(Data(buffer: tiff.body) == (try Data(contentsOf: try TestDocuments.letter())))

            try await client.request("/api/v1/faxes/\(bare.id)/pdf", token: token).expectProblem(.notFound)
            try await client.request("/api/v1/faxes/\(bare.id)/tiff", token: token).expectProblem(.notFound)
        }
    }

    @Test("page previews: PNG of each page, rendered once and then served from the cache with the same ETag")
    func previews() async throws {
        let fixture = try await APIFixture.make()
        let fax = try await fixture.receivedFax(on: "201")
        let token = try #require(fixture.tokens["alice"])
        try await fixture.test { client in
            let page2 = try await client.request("/api/v1/faxes/\(fax.id)/pages/2", token: token)
            #expect(page2.status == .ok && page2.headers[.contentType] == "image/png")
            #expect(Array(Data(buffer: page2.body).prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
            let etag = try #require(page2.headers[.eTag])
            let cached = try FileManager.default.contentsOfDirectory(atPath: fixture.spoolRoot + "/tmp").filter { $0.hasPrefix("preview-\(fax.id)-2-") }
            #expect(cached.count == 1)
            let again = try await client.request("/api/v1/faxes/\(fax.id)/pages/2", token: token)
            #expect(again.headers[.eTag] == etag && Data(buffer: again.body) == Data(buffer: page2.body))
            var conditional = HTTPFields()
            conditional[.ifNoneMatch] = etag
            #expect(try await client.request("/api/v1/faxes/\(fax.id)/pages/2", token: token, headers: conditional).status == .notModified)

            let thumbnail = try await client.request("/api/v1/faxes/\(fax.id)/pages/1?size=thumbnail", token: token)
            #expect(thumbnail.status == .ok && thumbnail.body.readableBytes < page2.body.readableBytes)
            try await client.request("/api/v1/faxes/\(fax.id)/pages/4", token: token).expectProblem(.notFound)
            try await client.request("/api/v1/faxes/\(fax.id)/pages/2?size=thumbnail", token: token).expectProblem(.badRequest)
        }
    }

    @Test("mail again: to the devices' addresses, or to the given ones; a delivered delivery is due again")
    func resend() async throws {
        let fixture = try await APIFixture.make()
        let fax = try await fixture.receivedFax(on: "201")
        let delivery = try #require(try await fixture.database.enqueueDeliveries(
            faxID: fax.id, recipients: [MailRecipient(address: "sales@example.com", format: .pdf)], at: Date()).first)
        _ = try await fixture.database.markSending(id: delivery.id, at: Date())
        try await fixture.database.markDelivered(id: delivery.id, at: Date())
        let token = try #require(fixture.tokens["alice"])
        try await fixture.test { client in
            let again = try await client.request("/api/v1/faxes/\(fax.id)/resend", .post, token: token)
            #expect(again.status == .accepted)
            let deliveries = try again.jsonArray()
            #expect(deliveries.count == 1 && deliveries.first?["state"] as? String == "pending")
            #expect(deliveries.first?["recipient"] as? String == "sales@example.com")

            let other = try await client.request(
                "/api/v1/faxes/\(fax.id)/resend", .post, token: token, json: #"{"to":["boss@example.com"],"format":"tiff"}"#)
            #expect(other.status == .accepted)
            #expect(try other.jsonArray().first?["format"] as? String == "tiff")
            let audited = try #require(try await fixture.database.latestAuditEntry(kind: .faxResent))
            #expect(audited.summary == "fax \(fax.id) mailed again to boss@example.com" && audited.actor.contains("alice"))
            let problem = try await client.request("/api/v1/faxes/\(fax.id)/resend", .post, token: token, json: #"{"to":["not an address"]}"#)
                .expectProblem(.unprocessableContent)
            #expect(problem["field"] as? String == "to")
        }
        let stored = try await fixture.database.deliveries(faxID: fax.id)
        #expect(Set(stored.map(\.recipient)) == ["sales@example.com", "boss@example.com"])
        #expect(stored.allSatisfy { $0.state == .pending })
        #expect(try await fixture.database.fax(id: fax.id)?.deliveryState == .pending)
    }

    @Test("delete: record and files go through the retention's purge, the audit log names the user; pending delivery needs force")
    func delete() async throws {
        let fixture = try await APIFixture.make()
        let fax = try await fixture.receivedFax(on: "201")
        let pending = try await fixture.receivedFax(on: "201")
        _ = try await fixture.database.enqueueDeliveries(
            faxID: pending.id, recipients: [MailRecipient(address: "sales@example.com", format: .pdf)], at: Date())
        let token = try #require(fixture.tokens["alice"])
        try await fixture.test { client in
            #expect(try await client.request("/api/v1/faxes/\(fax.id)", .delete, token: token).status == .noContent)
            try await client.request("/api/v1/faxes/\(fax.id)", token: token).expectProblem(.notFound)
            try await client.request("/api/v1/faxes/\(pending.id)", .delete, token: token).expectProblem(.conflict)
            #expect(try await client.request("/api/v1/faxes/\(pending.id)?force=true", .delete, token: token).status == .noContent)
        }
        for file in [fax.files.tiff, fax.files.pdf].compactMap({ $0 }) {
            #expect(!FileManager.default.fileExists(atPath: file.absolutePath(under: fixture.spoolRoot)))
        }
        let audit = try await fixture.database.auditEntries(limit: 10).filter { $0.kind == .manualDeletion }
        #expect(audit.count == 2)
        #expect(audit.allSatisfy { $0.actor.hasPrefix("alice (API token") })
        #expect(audit.contains { $0.summary.contains(fax.id) })
    }
}
