import FaxCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Store
import Testing
import Web

@Suite("REST API: contacts")
struct ContactsAPITests {
    @Test("a user keeps their own contacts and reads the shared ones; only administrators change shared ones")
    func ownAndSharedContacts() async throws {
        let fixture = try await APIFixture.make()
        try await fixture.test { client in
            let added = try await client.request(
                "/api/v1/contacts", .post, token: fixture.tokens["alice"],
                json: #"{"name":" Dr. Lee ","company":"Clinic","faxNumber":"+1 (555) 010-0199","note":"mornings"}"#)
            #expect(added.status == .created, "\(added.text)")
            let lee = try added.json()
            let id = try #require(lee["id"] as? String)
            #expect(lee["name"] as? String == "Dr. Lee" && lee["faxNumber"] as? String == "+15550100199")
            #expect(lee["user"] as? String == "alice" && lee["shared"] as? Bool == false)

            try await client.request("/api/v1/contacts", .post, token: fixture.tokens["alice"], json: #"{"name":"Office","faxNumber":"5550100","shared":true}"#)
                .expectProblem(.forbidden)
            try await client.request("/api/v1/contacts", .post, token: fixture.tokens["alice"], json: #"{"name":"Bob's","faxNumber":"5550100","user":"bob"}"#)
                .expectProblem(.forbidden)
            let office = try await client.request(
                "/api/v1/contacts", .post, token: fixture.tokens["admin"], json: #"{"name":"Head office","faxNumber":"5550100","shared":true}"#)
            #expect(try office.status == .created && office.json()["shared"] as? Bool == true && office.json()["user"] == nil)
            let officeID = try #require(try office.json()["id"] as? String)
            let bobs = try await client.request(
                "/api/v1/contacts", .post, token: fixture.tokens["admin"], json: #"{"name":"Bank","faxNumber":"5550123","user":"bob"}"#)
            #expect(try bobs.status == .created && bobs.json()["user"] as? String == "bob")
            let bobsID = try #require(try bobs.json()["id"] as? String)

            // Alice sees her own and the shared ones, by name; bob's are not hers.
            let alices = try await client.request("/api/v1/contacts", token: fixture.tokens["alice"]).json()
            #expect((alices["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Dr. Lee", "Head office"])
            try await client.request("/api/v1/contacts/\(bobsID)", token: fixture.tokens["alice"]).expectProblem(.forbidden)
            try await client.request("/api/v1/contacts?user=bob", token: fixture.tokens["alice"]).expectProblem(.forbidden)
            try await client.request("/api/v1/contacts?all=true", token: fixture.tokens["alice"]).expectProblem(.forbidden)
            try await client.request("/api/v1/contacts?all=true&shared=true", token: fixture.tokens["admin"]).expectProblem(.badRequest)
            let everybody = try await client.request("/api/v1/contacts?all=true", token: fixture.tokens["admin"]).json()
            #expect((everybody["items"] as? [[String: Any]])?.count == 3)
            let shared = try await client.request("/api/v1/contacts?shared=true", token: fixture.tokens["alice"]).json()
            #expect((shared["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [officeID])

            // Changing: her own yes (a read token no), the shared one no.
            let changed = try await client.request(
                "/api/v1/contacts/\(id)", .patch, token: fixture.tokens["alice"], json: #"{"faxNumber":"555 0200","company":""}"#)
            #expect(try changed.status == .ok && changed.json()["faxNumber"] as? String == "5550200" && changed.json()["company"] as? String == "")
            #expect(try changed.json()["name"] as? String == "Dr. Lee")
            let read = try await fixture.token("alice", scope: .read)
            #expect(try await client.request("/api/v1/contacts/\(id)", token: read).status == .ok)
            try await client.request("/api/v1/contacts/\(id)", .patch, token: read, json: #"{"name":"X"}"#).expectProblem(.forbidden)
            try await client.request("/api/v1/contacts/\(officeID)", .patch, token: fixture.tokens["alice"], json: #"{"name":"X"}"#)
                .expectProblem(.forbidden)
            try await client.request("/api/v1/contacts/\(officeID)", .delete, token: fixture.tokens["alice"]).expectProblem(.forbidden)
            try await client.request("/api/v1/contacts/\(id)", .delete, token: fixture.tokens["bob"]).expectProblem(.forbidden)
            #expect(try await client.request("/api/v1/contacts/\(id)", .delete, token: fixture.tokens["alice"]).status == .noContent)
            try await client.request("/api/v1/contacts/\(id)", token: fixture.tokens["alice"]).expectProblem(.notFound)
            try await client.request("/api/v1/contacts/not-a-contact", token: fixture.tokens["alice"]).expectProblem(.notFound)
        }
        #expect(try await fixture.database.contactPage(ContactListQuery(scope: .everything)).items.count == 2)
    }

    @Test("bad names and numbers: 422 naming the field; nothing stored")
    func badFields() async throws {
        let fixture = try await APIFixture.make()
        try await fixture.test { client in
            for (body, field) in [(#"{"name":"Acme","faxNumber":"call me"}"#, "fax number"), (#"{"name":"  ","faxNumber":"5550100"}"#, "name"),
                                  (#"{"name":"\#(String(repeating: "n", count: 101))","faxNumber":"5550100"}"#, "name"),
                                  (#"{"name":"Acme","faxNumber":"5550100","note":"\#(String(repeating: "x", count: 501))"}"#, "note")] {
                let problem = try await client.request("/api/v1/contacts", .post, token: fixture.tokens["alice"], json: body)
                    .expectProblem(.unprocessableContent)
                #expect(problem["field"] as? String == field, "\(body)")
            }
            try await client.request("/api/v1/contacts", .post, token: fixture.tokens["alice"], json: #"{"name":"Acme"}"#).expectProblem(.badRequest)
            try await client.request("/api/v1/contacts", .post, token: fixture.tokens["admin"], json: #"{"name":"A","faxNumber":"5","user":"carol"}"#)
                .expectProblem(.notFound)
            try await client.request("/api/v1/contacts?cursor=bogus", token: fixture.tokens["alice"]).expectProblem(.unprocessableContent)
        }
        #expect(try await fixture.database.contactPage(ContactListQuery(scope: .everything)).items.isEmpty)
    }

    @Test("lists are paged by name with a cursor and searched by name, company and number as typed")
    func pagingAndSearch() async throws {
        let fixture = try await APIFixture.make()
        for index in 0..<5 {
            _ = try await fixture.database.addContact(
                try Contact(ownerID: nil, name: "Contact \(index)", company: index == 3 ? "Acme" : "", faxNumber: "+4930555010\(index)", createdAt: Date()))
        }
        try await fixture.test { client in
            var names: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.request(
                    "/api/v1/contacts?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: fixture.tokens["bob"]).json()
                names += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                cursor = page["nextCursor"] as? String
            } while cursor != nil
            #expect(names == (0..<5).map { "Contact \($0)" })
            for (search, expected) in [("acme", ["Contact 3"]), ("30%205550104", ["Contact 4"]), ("%2B49%2030%20555-0102", ["Contact 2"])] {
                let page = try await client.request("/api/v1/contacts?search=\(search)", token: fixture.tokens["bob"]).json()
                #expect((page["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == expected, "\(search)")
            }
        }
    }
}
