import Accounts
import FaxCore
import FaxTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Store
import Testing
@testable import Web

/// The address book in process: the Contacts page (list, search, paging, add, edit, remove),
/// who may change which contact, and picking contacts on Send.
@Suite("Web app: contacts", .serialized)
struct ContactsPagesTests {
    static let password = WebAppTests.password

    static func signedIn(_ name: String, _ client: any TestClientProtocol, on path: String = "/contacts") async throws -> WebBrowser {
        let browser = WebBrowser(client)
        try await browser.signIn(name, password: password)
        let page = try await browser.get(path)
        #expect(page.status == .ok, "\(path): \(page.status)")
        return browser
    }

    static func contacts(_ database: FaxDatabase) async throws -> [Contact] {
        try await database.contactPage(ContactListQuery(scope: .everything)).items
    }

    @Test("the page lists the user's and the shared contacts with labelled inputs, a navigation entry and no inline script")
    func ownAndSharedAreListed() async throws {
        let fixture = try await WebAppTests.fixture()
        let bob = try #require(try await fixture.database.user(name: "bob"))
        let alice = try #require(try await fixture.database.user(name: "alice"))
        _ = try await fixture.database.addContact(try Contact(ownerID: nil, name: "Head office", company: "Acme", faxNumber: "5550100", createdAt: Date()))
        _ = try await fixture.database.addContact(try Contact(ownerID: alice.id, name: "Dr. Lee", faxNumber: "5550188", note: "mornings", createdAt: Date()))
        _ = try await fixture.database.addContact(try Contact(ownerID: bob.id, name: "Bob's bank", faxNumber: "5550123", createdAt: Date()))
        try await fixture.test { client in
            let browser = try await Self.signedIn("alice", client)
            let html = try await browser.get("/contacts").text
            #expect(html.contains("<title>Contacts · Faxline</title>") && html.contains("href=\"/contacts\" aria-current=\"page\">Contacts<"))
            #expect(html.contains("Head office") && html.contains("Dr. Lee") && html.contains("mornings") && !html.contains("s bank"))
            #expect(html.contains(">shared<") && html.contains(">yours<"))
            // Edit and remove only for her own; no sharing for her.
            #expect(html.components(separatedBy: "/remove\"").count == 2)
            #expect(!html.contains("id=\"shared\"") && !html.contains("id=\"all\""))
            for input in ["q", "name", "company", "number", "note"] {
                #expect(html.contains("for=\"\(input)\"") && html.contains("id=\"\(input)\""), "\(input)")
            }
            #expect(!html.contains("<script>") && !html.contains("style="))

            let admin = try await Self.signedIn("admin", client)
            let everybody = try await admin.get("/contacts?all=1").text
            #expect(everybody.contains("s bank") && everybody.contains(">bob<") && everybody.contains("id=\"shared\""))
            #expect(!(try await admin.get("/contacts").text.contains("s bank")))
        }
    }

    @Test("adding, editing and removing a contact; bad values come back with the reason and what was typed")
    func addEditRemove() async throws {
        let fixture = try await WebAppTests.fixture()
        try await fixture.test { client in
            let browser = try await Self.signedIn("alice", client)
            let refused = try await browser.post("/contacts", [("name", "Dr. Lee"), ("company", "Clinic"), ("number", "call me")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("is not a phone number") && refused.text.contains("value=\"Dr. Lee\"") && refused.text.contains("value=\"Clinic\""))
            #expect(try await browser.post("/contacts", [("name", " "), ("number", "5550188")]).text.contains("must not be empty"))
            #expect(try await Self.contacts(fixture.database).isEmpty)

            #expect(try await browser.post("/contacts", [("name", "Dr. Lee"), ("number", "5550188")], withToken: false).status == .forbidden)
            let added = try await browser.post("/contacts", [("name", "Dr. Lee"), ("company", "Clinic"), ("number", "+1 (555) 010-0188")])
            #expect(added.status == .seeOther && added.headers[.location] == "/contacts?done=added")
            #expect(try await browser.get("/contacts?done=added").text.contains("The contact was added."))
            let lee = try #require(try await Self.contacts(fixture.database).first)
            #expect(lee.faxNumber == "+15550100188" && lee.ownerName == "alice")

            let edit = try await browser.get("/contacts/\(lee.id)")
            #expect(edit.status == .ok && edit.text.contains("value=\"+15550100188\"") && edit.text.contains("Whose: yours"))
            let badEdit = try await browser.post("/contacts/\(lee.id)", [("name", "Dr. Lee"), ("company", "Clinic"), ("number", "555&0100")])
            #expect(badEdit.status == .unprocessableContent && badEdit.text.contains("555&amp;0100"))
            let saved = try await browser.post("/contacts/\(lee.id)", [("name", "Dr. Lee"), ("company", "City Clinic"), ("number", "5550199"), ("note", "")])
            #expect(saved.headers[.location] == "/contacts?done=changed")
            #expect(try await fixture.database.contact(id: lee.id)?.company == "City Clinic")

            // Bob may neither see her contact's form nor change or remove it.
            let bob = try await Self.signedIn("bob", client)
            #expect(try await bob.get("/contacts/\(lee.id)").status == .forbidden)
            #expect(try await bob.post("/contacts/\(lee.id)/remove", []).status == .forbidden)
            #expect(try await bob.get("/contacts/\(UUID().uuidString.lowercased())").status == .notFound)

            #expect(try await browser.post("/contacts/\(lee.id)/remove", []).headers[.location] == "/contacts?done=removed")
            #expect(try await fixture.database.contact(id: lee.id) == nil)
        }
    }

    @Test("only administrators share contacts and change shared ones")
    func sharedContacts() async throws {
        let fixture = try await WebAppTests.fixture()
        try await fixture.test { client in
            let alice = try await Self.signedIn("alice", client)
            #expect(try await alice.post("/contacts", [("name", "Office"), ("number", "5550100"), ("shared", "1")]).status == .forbidden)
            let admin = try await Self.signedIn("admin", client)
            #expect(try await admin.post("/contacts", [("name", "Office"), ("number", "5550100"), ("shared", "1")]).status == .seeOther)
            let office = try #require(try await Self.contacts(fixture.database).first)
            #expect(office.isShared)
            #expect(try await alice.get("/contacts/\(office.id)").status == .forbidden)
            #expect(try await alice.post("/contacts/\(office.id)/remove", []).status == .forbidden)
            #expect(try await admin.get("/contacts/\(office.id)").text.contains("Whose: shared"))
        }
    }

    @Test("search finds name, company and number as typed; pages are walked by name")
    func searchAndPaging() async throws {
        let fixture = try await WebAppTests.fixture()
        for index in 0..<(InboxPage.pageSize + 3) {
            _ = try await fixture.database.addContact(
                try Contact(ownerID: nil, name: String(format: "Contact %03d", index), company: index == 7 ? "Acme" : "", faxNumber: "+4930555\(1000 + index)",
                            createdAt: Date()))
        }
        try await fixture.test { client in
            let browser = try await Self.signedIn("bob", client)
            let first = try await browser.get("/contacts").text
            #expect(first.contains("Contact 000") && first.contains("Contact 049") && !first.contains("Contact 050") && first.contains("rel=\"next\""))
            let next = try #require(first.components(separatedBy: "href=\"").first { $0.hasPrefix("/contacts?cursor=") }?.components(separatedBy: "\"").first)
            let second = try await browser.get(next.replacingOccurrences(of: "&amp;", with: "&")).text
            #expect(second.contains("Contact 050") && second.contains("Contact 052") && !second.contains("Contact 049") && !second.contains("rel=\"next\""))
            let acme = try await browser.get("/contacts?q=acme").text
            #expect(acme.contains("Contact 007") && !acme.contains("Contact 008"))
            let number = try await browser.get("/contacts?q=" + "+49 30 555-1012".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!).text
            #expect(number.contains("Contact 012") && !number.contains("Contact 011"))
            #expect(try await browser.get("/contacts?q=nobody").text.contains("No contacts that match."))
        }
    }

    @Test("Send offers the address book; ticked contacts are recipients, named in the preview, each number once")
    func sendToContacts() async throws {
        let fixture = try await WebAppTests.fixture()
        let alice = try #require(try await fixture.database.user(name: "alice"))
        let bob = try #require(try await fixture.database.user(name: "bob"))
        let lee = try await fixture.database.addContact(try Contact(ownerID: alice.id, name: "Dr. Lee", company: "Clinic", faxNumber: "5550188", createdAt: Date()))
        let office = try await fixture.database.addContact(try Contact(ownerID: nil, name: "Head office", faxNumber: "5550100", createdAt: Date()))
        let bank = try await fixture.database.addContact(try Contact(ownerID: bob.id, name: "Bob's bank", faxNumber: "5550123", createdAt: Date()))
        let letter = try Data(contentsOf: try TestDocuments.letter())
        try await fixture.test { client in
            let browser = try await Self.signedIn("alice", client, on: "/send?contact=\(lee.id)")
            let form = try await browser.get("/send?contact=\(lee.id)").text
            #expect(form.contains("id=\"contact-\(lee.id)\" name=\"contact\" value=\"\(lee.id)\" checked"))
            #expect(form.contains("for=\"contact-\(office.id)\"") && !form.contains(bank.id))
            #expect(!form.contains("rows=\"3\" required"), "the numbers may stay empty when contacts are ticked")

            func upload(_ numbers: String, contacts: [String]) async throws -> TestResponse {
                let upload = MultipartForm()
                upload.add("form_token", try #require(browser.formToken))
                upload.add("numbers", numbers)
                for id in contacts { upload.add("contact", id) }
                upload.addFile("file", filename: "letter.tif", contentType: "image/tiff", letter)
                upload.add("device", "201")
                return try await browser.postMultipart("/send", upload)
            }
            // Another user's contact is not hers to send to.
            #expect(try await upload("", contacts: [bank.id]).status == .forbidden)
            let none = try await upload("", contacts: [])
            #expect(none.status == .unprocessableContent && none.text.contains("tick a contact"))

            let uploaded = try await upload("555 0100\n5550177", contacts: [lee.id, office.id])
            #expect(uploaded.status == .seeOther, "\(uploaded.text)")
            let preview = try await browser.get(try #require(uploaded.headers[.location])).text
            #expect(preview.contains("To (3 numbers)"))
            #expect(preview.contains("Head office · 5550100, 5550177, Dr. Lee (Clinic) · 5550188"))
            #expect(try await browser.post(try #require(uploaded.headers[.location]) + "/confirm", []).status == .seeOther)
            let numbers = try await fixture.database.jobPage(JobListQuery(scope: .everything)).items.map(\.number).sorted()
            #expect(numbers == ["5550100", "5550177", "5550188"])
        }
    }
}
