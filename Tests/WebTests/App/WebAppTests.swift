import Accounts
import Crypto
import FaxCore
import FaxTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Store
import Testing
@testable import Web

/// The web app in process (HummingbirdTesting's router): sign-in, sessions, form tokens, the
/// security headers, and that a page shows only what `AccessPolicy` lets its user see.
@Suite("Web app", .serialized)
struct WebAppTests {
    static let password = "fax machines 4ever"

    static func fixture() async throws -> APIFixture {
        let fixture = try await APIFixture.make()
        let accounts = AccountAdministration(store: fixture.database)
        for name in ["admin", "alice", "bob"] {
            try await accounts.setPassword(name: name, to: password, actor: "test", at: Date())
        }
        return fixture
    }

    @Test("every page has the security headers, lang and a title; the sign-in form has labelled inputs")
    func securityHeaders() async throws {
        let fixture = try await Self.fixture()
        try await fixture.test { client in
            let browser = WebBrowser(client)
            let page = try await browser.get("/signin")
            #expect(page.status == .ok)
            let csp = try #require(page.headers[.contentSecurityPolicy])
            #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"))
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
            let html = page.text
            #expect(html.contains("<html lang=\"en\">") && html.contains("<title>Sign in · Faxline</title>"))
            #expect(html.contains("<label for=\"name\">") && html.contains("id=\"name\"") && html.contains("<label for=\"password\">"))
            #expect(!html.contains("<script>"), "no inline script")
            let css = try await browser.get("/static/faxline.css")
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
            let etag = try #require(css.headers[.eTag])
            var conditional = HTTPFields()
            conditional[.ifNoneMatch] = etag
            #expect(try await browser.get("/static/faxline.css", headers: conditional).status == .notModified)
        }
    }

    @Test("sign-in: wrong password refused with the sign-in page; right one sets an HttpOnly, SameSite=Strict cookie stored only hashed")
    func signIn() async throws {
        let fixture = try await Self.fixture()
        try await fixture.test { client in
            let browser = WebBrowser(client)
            let wrong = try await browser.signIn("alice", password: "not the password")
            #expect(wrong.status == .unauthorized && wrong.text.contains("wrong"))
            let inbox = try await browser.get("/inbox")
            #expect(inbox.status == .seeOther && inbox.headers[.location]?.hasPrefix("/signin?next=") == true)

            let right = try await browser.signIn("alice", password: Self.password)
            #expect(right.status == .seeOther && right.headers[.location] == "/inbox")
            let cookie = try #require(right.headers[values: .setCookie].first { $0.hasPrefix(WebApp.sessionCookie + "=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"))
            let secret = try #require(browser.cookies[WebApp.sessionCookie])
            let signedIn = try await browser.get("/inbox")
            #expect(signedIn.status == .ok && signedIn.text.contains("alice"))
            #expect(try await fixture.database.session(secretHash: Array(secret.utf8)) == nil)
            #expect(try await fixture.database.session(secretHash: APITokenHashForTests.sha256(secret)) != nil)
        }
    }

    @Test("a form without the session's form token is refused (403) and changes nothing; sign-in without its token too")
    func formTokens() async throws {
        let fixture = try await Self.fixture()
        let fax = try await fixture.receivedFax(on: "201")
        try await fixture.test { client in
            let browser = WebBrowser(client)
            let noToken = try await browser.post("/signin", [("name", "alice"), ("password", Self.password)], withToken: false)
            #expect(noToken.status == .forbidden && noToken.text.contains("form token"))
            try await browser.signIn("alice", password: Self.password)
            try await browser.get("/faxes/\(fax.id)")
            let refused = try await browser.post("/faxes/\(fax.id)/note", [("note", "forged"), ("tags", "x")], withToken: false)
            #expect(refused.status == .forbidden)
            let wrongToken = try await browser.post("/faxes/\(fax.id)/note", [("form_token", "not-it"), ("note", "forged")], withToken: false)
            #expect(wrongToken.status == .forbidden)
            #expect(try await fixture.database.annotation(faxID: fax.id) == FaxAnnotation())

            let saved = try await browser.post("/faxes/\(fax.id)/note", [("note", "Call back\nMonday"), ("tags", "Invoice, urgent invoice")])
            #expect(saved.status == .seeOther)
            #expect(try await fixture.database.annotation(faxID: fax.id) == FaxAnnotation(note: "Call back\nMonday", tags: ["invoice", "urgent"]))
            let deleteRefused = try await browser.post("/faxes/\(fax.id)/delete", [("confirm", "1")], withToken: false)
            #expect(deleteRefused.status == .forbidden)
            #expect(try await fixture.database.fax(id: fax.id) != nil)
        }
    }

    @Test("the inbox shows the user's faxes, unread until opened; another user's fax by URL is 403, its pages and PDF too")
    func ownership() async throws {
        let fixture = try await Self.fixture()
        let mine = try await fixture.receivedFax(on: "201", caller: "5550111")
        let theirs = try await fixture.receivedFax(on: "202", caller: "5550222")
        try await fixture.test { client in
            let browser = WebBrowser(client)
            try await browser.signIn("alice", password: Self.password)
            let inbox = try await browser.get("/inbox").text
            #expect(inbox.contains("5550111") && !inbox.contains("5550222"))
            #expect(inbox.contains("class=\"fax unread\""))
            let page = try await browser.get("/faxes/\(mine.id)")
            #expect(page.status == .ok && page.text.contains("Page 3 of 3") && page.text.contains("negotiated 14400 bit/s"))
            #expect(try await browser.get("/inbox").text.contains("class=\"fax unread\"") == false)

            for path in ["", "/pages/1", "/pdf"] {
                let refused = try await browser.get("/faxes/\(theirs.id)\(path)")
                #expect(refused.status == .forbidden, "\(path)")
                #expect(refused.headers[.contentType]?.hasPrefix("text/html") == true)
            }
            #expect(try await browser.get("/faxes/\(UUID().uuidString.lowercased())").status == .notFound)

            let thumbnail = try await browser.get("/faxes/\(mine.id)/pages/1?size=thumbnail")
            #expect(thumbnail.status == .ok && thumbnail.headers[.contentType] == "image/png")
            var conditional = HTTPFields()
            conditional[.ifNoneMatch] = thumbnail.headers[.eTag]
            #expect(try await browser.get("/faxes/\(mine.id)/pages/1?size=thumbnail", headers: conditional).status == .notModified)
            let pdf = try await browser.get("/faxes/\(mine.id)/pdf?download=1")
            #expect(pdf.headers[.contentType] == "application/pdf" && pdf.headers[.contentDisposition]?.hasPrefix("attachment") == true)
        }
    }

    @Test("inbox filters and search: by status, by device, by station id; 50 a page with a link to the older ones")
    func inboxFiltersAndPaging() async throws {
        let fixture = try await Self.fixture()
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        for index in 0..<55 {
            try await fixture.receivedFax(on: "201", caller: "55501\(String(format: "%02d", index))", at: start.addingTimeInterval(Double(index) * 60),
                                          withFiles: false)
        }
        try await fixture.test { client in
            let browser = WebBrowser(client)
            try await browser.signIn("admin", password: Self.password)
            let first = try await browser.get("/inbox").text
            #expect(first.components(separatedBy: "<li class=\"fax").count - 1 == 50)
            #expect(first.contains("5550154") && !first.contains("5550104"))
            let next = try #require(first.range(of: "href=\"/inbox?cursor=").map { first[$0.upperBound...].prefix { $0 != "\"" } })
            let second = try await browser.get("/inbox?cursor=\(next)").text
            #expect(second.components(separatedBy: "<li class=\"fax").count - 1 == 5 && second.contains("5550104"))
            let searched = try await browser.get("/inbox?q=0153").text
            #expect(searched.components(separatedBy: "<li class=\"fax").count - 1 == 1)
            let byStation = try await browser.get("/inbox?q=555+0100").text
            #expect(byStation.components(separatedBy: "<li class=\"fax").count - 1 == 50)
            #expect(try await browser.get("/inbox?status=failed").text.contains("No faxes here that match"))
            #expect(try await browser.get("/inbox?device=202").text.contains("No faxes here that match"))
        }
    }

    @Test("send: upload with a cover page → a preview of the converted pages, nothing queued; confirm queues it; discard removes it")
    func sendWithPreview() async throws {
        let fixture = try await Self.fixture()
        let letter = try Data(contentsOf: try TestDocuments.letter())
        try await fixture.test { client in
            let browser = WebBrowser(client)
            try await browser.signIn("alice", password: Self.password)
            let sendPage = try await browser.get("/send")
            #expect(sendPage.text.contains("enctype=\"multipart/form-data\"") && sendPage.text.contains("<label for=\"files\">"))

            let forged = MultipartForm()
            forged.add("numbers", "5550101")
            forged.addFile("file", filename: "letter.tif", contentType: "image/tiff", letter)
            #expect(try await browser.postMultipart("/send", forged).status == .forbidden)

            let form = MultipartForm()
            form.add("form_token", try #require(browser.formToken))
            form.add("numbers", "555 0101")
            form.addFile("file", filename: "letter.tif", contentType: "image/tiff", letter)
            form.add("device", "201")
            form.add("priority", "127")
            form.add("cover", "1")
            form.add("cover_to", "Bob")
            form.add("cover_subject", "The letter")
            let uploaded = try await browser.postMultipart("/send", form)
            #expect(uploaded.status == .seeOther, "\(uploaded.text)")
            let preview = try #require(uploaded.headers[.location])
            #expect(try await fixture.database.jobPage(JobListQuery(scope: .everything)).items.isEmpty)
            let page = try await browser.get(preview)
            #expect(page.text.contains("Page 4 of 4") && page.text.contains("with the cover page") && page.text.contains("Send 4 pages"))
            let image = try await browser.get(preview + "/pages/1")
            #expect(image.status == .ok && image.headers[.contentType] == "image/png")

            let bob = WebBrowser(client)
            try await bob.signIn("bob", password: Self.password)
            #expect(try await bob.get(preview).status == .notFound)

            #expect(try await browser.post(preview + "/confirm", [], withToken: false).status == .forbidden)
            let confirmed = try await browser.post(preview + "/confirm", [])
            #expect(confirmed.status == .seeOther)
            let jobs = try await fixture.database.jobPage(JobListQuery(scope: .everything)).items
            #expect(jobs.count == 1 && jobs[0].pageCount == 4 && jobs[0].number == "5550101" && jobs[0].owner == "alice")
            #expect(confirmed.headers[.location] == "/jobs/\(jobs[0].id ?? 0)?done=queued")
            let jobPage = try await browser.get("/jobs/\(jobs[0].id ?? 0)")
            #expect(jobPage.text.contains("Fax to 5550101") && jobPage.text.contains("data-live=\"\(JobsPage.refreshMilliseconds)\""))
            #expect(try await browser.get(preview).status == .notFound, "a confirmed draft is gone")
            #expect(try await bob.get("/jobs/\(jobs[0].id ?? 0)").status == .forbidden)

            let killed = try await browser.post("/jobs/\(jobs[0].id ?? 0)/kill", [])
            #expect(killed.status == .seeOther)
            #expect(try await fixture.database.job(id: jobs[0].id ?? 0)?.state == .killed)
        }
    }

    @Test("a document that cannot be converted is named as the user named it, and the form comes back")
    func sendBadDocument() async throws {
        let fixture = try await Self.fixture()
        try await fixture.test { client in
            let browser = WebBrowser(client)
            try await browser.signIn("alice", password: Self.password)
            try await browser.get("/send")
            let form = MultipartForm()
            form.add("form_token", try #require(browser.formToken))
            form.add("numbers", "5550101")
            form.addFile("file", filename: "notes.bin", contentType: "application/octet-stream", Data([0, 1, 2, 3, 0xFF, 0xFE]))
            let answer = try await browser.postMultipart("/send", form)
            #expect(answer.status == .unprocessableContent && answer.text.contains("notes.bin") && !answer.text.contains("input-1"),
                    "\(answer.status) \(answer.text.components(separatedBy: "<main").last ?? "")")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.server.spool.temporaryDirectory)
            #expect(!leftovers.contains { $0.hasPrefix(SendDraft.prefix) })
        }
    }

    @Test("sign out forgets the session: the old cookie signs nobody in")
    func signOut() async throws {
        let fixture = try await Self.fixture()
        try await fixture.test { client in
            let browser = WebBrowser(client)
            try await browser.signIn("bob", password: Self.password)
            let secret = try #require(browser.cookies[WebApp.sessionCookie])
            try await browser.get("/inbox")
            #expect(try await browser.post("/signout", []).status == .seeOther)
            #expect(try await fixture.database.session(secretHash: APITokenHashForTests.sha256(secret)) == nil)
            var headers = HTTPFields()
            headers[.cookie] = "\(WebApp.sessionCookie)=\(secret)"
            #expect(try await client.executeRequest(uri: "/inbox", method: .get, headers: headers, body: nil).status == .seeOther)
        }
    }

    @Test("deleting a fax from its page is audited with the user; a user without the right sees no delete")
    func deleteIsAudited() async throws {
        let fixture = try await Self.fixture()
        let fax = try await fixture.receivedFax(on: "201")
        try await fixture.test { client in
            let browser = WebBrowser(client)
            try await browser.signIn("alice", password: Self.password)
            #expect(try await browser.get("/faxes/\(fax.id)").text.contains("Delete fax"))
            let deleted = try await browser.post("/faxes/\(fax.id)/delete", [("confirm", "1")])
            #expect(deleted.status == .seeOther && deleted.headers[.location] == "/inbox")
        }
        #expect(try await fixture.database.fax(id: fax.id) == nil)
        let audit = try await fixture.database.auditEntries(limit: 10)
        #expect(audit.contains { $0.actor == "alice (web)" && $0.summary.contains(fax.id.prefix(8)) })
    }

    @Test("after the sign-in limit the form says the user is locked, also with the right password")
    func lockout() async throws {
        let fixture = try await Self.fixture()
        try await fixture.test { client in
            let browser = WebBrowser(client)
            for _ in 0..<LoginThrottlePolicy().maximumFailures { try await browser.signIn("bob", password: "wrong password!") }
            let locked = try await browser.signIn("bob", password: Self.password)
            #expect(locked.status == .unauthorized && locked.text.contains("Too many failed sign-ins"))
            #expect(browser.cookies[WebApp.sessionCookie] == nil)
        }
    }

    @Test("the outbox and monitor pages render for a signed-in user")
    func outboxAndMonitor() async throws {
        let fixture = try await Self.fixture()
        try await fixture.test { client in
            let browser = WebBrowser(client)
            try await browser.signIn("alice", password: Self.password)
            let outbox = try await browser.get("/jobs")
            #expect(outbox.status == .ok && outbox.text.contains("No faxes sent yet"))
            let monitor = try await browser.get("/monitor")
            #expect(monitor.status == .ok && monitor.text.contains("received today"), "\(monitor.text)")
        }
    }
}

/// The SHA-256 the store keys sessions by.
enum APITokenHashForTests {
    static func sha256(_ text: String) -> [UInt8] {
        Array(Crypto.SHA256.hash(data: Data(text.utf8)))
    }
}
