import Accounts
import FaxCore
import FaxTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Store
import Testing
@testable import Web

/// The administration pages for people in process: users and their tokens, webhooks, the
/// audit log. Each change goes through the services the API uses and shows on the page; a bad
/// value is named and changes nothing; only administrators get in; every form needs its token.
@Suite("Web app: users, tokens, webhooks, audit log", .serialized)
struct PeoplePagesTests {
    static let password = WebAppTests.password

    /// Signed in as the administrator, on `path` (so the browser holds its form token).
    static func administrator(_ client: any TestClientProtocol, on path: String = "/admin/users") async throws -> WebBrowser {
        let browser = WebBrowser(client)
        try await browser.signIn("admin", password: password)
        let page = try await browser.get(path)
        #expect(page.status == .ok, "\(path): \(page.status)")
        return browser
    }

    /// The main part of a page, without the layout around it.
    static func main(_ response: TestResponse) -> String {
        response.text.components(separatedBy: "<main").last ?? ""
    }

    @Test("the users page lists every user with address, role, devices, state and last sign-in; labels and a title")
    func usersAreListed() async throws {
        let fixture = try await WebAppTests.fixture()
        _ = try await AccountAdministration(store: fixture.database).changeUser(
            name: "bob", User.Changes(isEnabled: false), actor: "test", at: Date())
        try await fixture.test { client in
            let browser = try await Self.administrator(client)
            let page = try await browser.get("/admin/users")
            let html = page.text
            #expect(html.contains("<title>Users · Faxline</title>") && html.contains("3 users"))
            for text in ["alice@example.com", "bob@example.com", "admin@example.com", ">201<", ">202<", "administrator", "disabled"] {
                #expect(html.contains(text), "\(text)")
            }
            #expect(html.contains("href=\"/admin/users/alice\""))
            // The administrator signed in just now; alice never did.
            #expect(Self.main(page).contains("never"))
            for input in ["name", "display_name", "email", "password", "device-201", "device-202"] {
                #expect(html.contains("for=\"\(input)\"") && html.contains("id=\"\(input)\""), "\(input)")
            }
            #expect(html.contains("<label class=\"check\"><input type=\"checkbox\" id=\"admin\""))
            #expect(!html.contains("<script>") && !html.contains("style="))
        }
    }

    @Test("adding a user: stored with devices and a bcrypt password, audited as the web admin; the user signs in with it")
    func addUser() async throws {
        let fixture = try await WebAppTests.fixture()
        try await fixture.test { client in
            let browser = try await Self.administrator(client)
            let added = try await browser.post("/admin/users", [
                ("name", "Carol"), ("display_name", "Carol Clerk"), ("email", "carol@example.com"), ("admin", "1"),
                ("device", "201"), ("device", "202"), ("password", "paper jam 2026 ok"),
            ])
            #expect(added.status == .seeOther && added.headers[.location] == "/admin/users/carol?done=added", "\(added.text)")
            let page = try await browser.get(try #require(added.headers[.location]))
            #expect(page.text.contains("The user was added.") && page.text.contains("<title>User carol · Faxline</title>"))
            let carol = WebBrowser(client)
            #expect(try await carol.signIn("carol", password: "paper jam 2026 ok").status == .seeOther)
        }
        let carol = try #require(try await fixture.database.user(name: "carol"))
        #expect(carol.isAdmin && carol.deviceExtensions == ["201", "202"] && carol.displayName == "Carol Clerk" && carol.hasPassword)
        let audit = try await fixture.database.auditEntries(limit: 20)
        #expect(audit.contains { $0.kind == .userAdded && $0.actor == "admin (web)" && $0.summary.contains("carol") })
    }

    @Test("bad users are refused with the reason and the form again, and nothing is stored",
          arguments: [
            (["name": "dave", "email": "dave@example.com", "password": "short"], HTTPResponse.Status.unprocessableContent, "at least 10 characters"),
            (["name": "dave", "email": "dave@example.com", "password": "dave is great 2026"], .unprocessableContent, "name or mail address"),
            (["name": "alice", "email": "other@example.com", "password": ""], .conflict, "already exists"),
            (["name": "dave", "email": "not an address", "password": ""], .unprocessableContent, "email"),
            (["name": "Dave Smith", "email": "dave@example.com", "password": ""], .unprocessableContent, "user name"),
            (["name": "dave", "email": "dave@example.com", "password": "", "device": "999"], .notFound, "device 999 was not found"),
          ])
    func badUsers(fields: [String: String], status: HTTPResponse.Status, reason: String) async throws {
        let fixture = try await WebAppTests.fixture()
        // Everything but the administrator's last sign-in, which the test itself changes.
        let before = try await fixture.database.users().map { [$0.name, $0.email, $0.deviceExtensions.joined(separator: ",")] }
        let auditBefore = try await fixture.database.auditEntries(limit: 100).count
        try await fixture.test { client in
            let browser = try await Self.administrator(client)
            let answer = try await browser.post("/admin/users", fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            #expect(answer.status == status, "\(Self.main(answer))")
            let main = Self.main(answer)
            #expect(main.contains("class=\"notice bad\" role=\"alert\"") && main.contains(reason), "\(main)")
            // The form comes back with what was typed, never the password.
            #expect(main.contains("value=\"\(fields["email"] ?? "")\""))
            if let password = fields["password"], !password.isEmpty { #expect(!main.contains(password)) }
        }
        #expect(try await fixture.database.users().map { [$0.name, $0.email, $0.deviceExtensions.joined(separator: ",")] } == before)
        #expect(try await fixture.database.auditEntries(limit: 100).count == auditBefore)
    }

    @Test("changing a user: email, devices, role; disable and enable; all audited and shown")
    func changeUser() async throws {
        let fixture = try await WebAppTests.fixture()
        try await fixture.test { client in
            let browser = try await Self.administrator(client, on: "/admin/users/alice")
            let saved = try await browser.post("/admin/users/alice", [
                ("email", "alice@office.example.com"), ("display_name", "Alice A."), ("device", "202"),
            ])
            #expect(saved.status == .seeOther && saved.headers[.location] == "/admin/users/alice?done=changed")
            let page = try await browser.get(try #require(saved.headers[.location]))
            #expect(page.text.contains("Saved.") && page.text.contains("value=\"alice@office.example.com\""))
            #expect(page.text.contains("id=\"device-202\" name=\"device\" value=\"202\" checked"))
            #expect(!page.text.contains("id=\"device-201\" name=\"device\" value=\"201\" checked"))
            #expect(try await browser.post("/admin/users/alice/disable", []).headers[.location] == "/admin/users/alice?done=disabled")
            #expect(try await fixture.database.user(name: "alice")?.isEnabled == false)
            let disabled = try await browser.get("/admin/users/alice")
            #expect(disabled.text.contains("Enable user"))
            let alice = WebBrowser(client)
            #expect(try await alice.signIn("alice", password: Self.password).status == .unauthorized)
            #expect(try await browser.post("/admin/users/alice/enable", []).status == .seeOther)
        }
        let alice = try #require(try await fixture.database.user(name: "alice"))
        #expect(alice.email == "alice@office.example.com" && alice.deviceExtensions == ["202"] && alice.isEnabled && !alice.isAdmin)
        let audit = try await fixture.database.auditEntries(limit: 20).filter { $0.kind == .userChanged && $0.actor == "admin (web)" }
        #expect(audit.count == 3)
        #expect(audit.contains { $0.summary.contains("email alice@office.example.com") && $0.summary.contains("devices +202 -201") })
    }

    @Test("an administrator cannot take their own administration, disable or remove themselves: refused, nothing changes")
    func noSelfLockout() async throws {
        let fixture = try await WebAppTests.fixture()
        try await fixture.test { client in
            let browser = try await Self.administrator(client, on: "/admin/users/admin")
            let page = try await browser.get("/admin/users/admin")
            #expect(!page.text.contains("Remove user") && !page.text.contains("Disable user"))
            let demoted = try await browser.post("/admin/users/admin", [("email", "admin@example.com")])
            #expect(demoted.status == .conflict && Self.main(demoted).contains("cannot take their own administration"))
            #expect(try await browser.post("/admin/users/admin/disable", []).status == .conflict)
            let removed = try await browser.post("/admin/users/admin/remove", [("confirm", "1")])
            #expect(removed.status == .conflict && Self.main(removed).contains("cannot remove themselves"))
        }
        let admin = try #require(try await fixture.database.user(name: "admin"))
        #expect(admin.isAdmin && admin.isEnabled)
        #expect(try await fixture.database.auditEntries(limit: 20).allSatisfy { $0.actor != "admin (web)" })
    }

    @Test("reset password: a weak one or two that differ are refused; a good one works at once, the old one no longer")
    func resetPassword() async throws {
        let fixture = try await WebAppTests.fixture()
        try await fixture.test { client in
            let browser = try await Self.administrator(client, on: "/admin/users/bob")
            let weak = try await browser.post("/admin/users/bob/password", [("password", "bobbobbob"), ("confirm", "bobbobbob")])
            #expect(weak.status == .unprocessableContent && Self.main(weak).contains("at least 10 characters"))
            let differ = try await browser.post("/admin/users/bob/password", [("password", "new fax line 42"), ("confirm", "new fax line 24")])
            #expect(differ.status == .unprocessableContent && Self.main(differ).contains("differ"))
            let bob = WebBrowser(client)
            #expect(try await bob.signIn("bob", password: Self.password).status == .seeOther, "nothing changed yet")

            let set = try await browser.post("/admin/users/bob/password", [("password", "new fax line 42"), ("confirm", "new fax line 42")])
            #expect(set.status == .seeOther && set.headers[.location] == "/admin/users/bob?done=password")
            #expect(try await WebBrowser(client).signIn("bob", password: Self.password).status == .unauthorized)
            #expect(try await WebBrowser(client).signIn("bob", password: "new fax line 42").status == .seeOther)
        }
        let audit = try await fixture.database.auditEntries(limit: 20)
        #expect(audit.filter { $0.kind == .passwordChanged && $0.actor == "admin (web)" }.map(\.summary) == ["set the password of bob"])
    }

    @Test("removing a user needs the box ticked; then they and their tokens are gone, their devices stay")
    func removeUser() async throws {
        let fixture = try await WebAppTests.fixture()
        try await fixture.test { client in
            let browser = try await Self.administrator(client, on: "/admin/users/bob")
            let unconfirmed = try await browser.post("/admin/users/bob/remove", [])
            #expect(unconfirmed.status == .unprocessableContent && Self.main(unconfirmed).contains("Tick the box"))
            #expect(try await fixture.database.user(name: "bob") != nil)
            let removed = try await browser.post("/admin/users/bob/remove", [("confirm", "1")])
            #expect(removed.status == .seeOther && removed.headers[.location] == "/admin/users?done=removed")
            let list = try await browser.get(try #require(removed.headers[.location]))
            #expect(list.text.contains("was removed") && !list.text.contains("bob@example.com"))
            #expect(try await browser.get("/admin/users/bob").status == .notFound)
            #expect(try await client.request("/api/v1/me", token: fixture.tokens["bob"]).status == .unauthorized)
        }
        #expect(try await fixture.database.device(extension: "202") != nil)
        #expect(try await fixture.database.auditEntries(limit: 20).contains { $0.kind == .userRemoved && $0.actor == "admin (web)" })
    }

    @Test("a sign-in lock shows on the user's page and the administrator lifts it")
    func unlock() async throws {
        let fixture = try await WebAppTests.fixture()
        try await fixture.test { client in
            let bob = WebBrowser(client)
            for _ in 0..<LoginThrottlePolicy().maximumFailures { try await bob.signIn("bob", password: "wrong password!") }
            let browser = try await Self.administrator(client, on: "/admin/users/bob")
            let page = try await browser.get("/admin/users/bob")
            #expect(page.text.contains("locked until") && page.text.contains("Lift the sign-in lock"))
            #expect(try await browser.post("/admin/users/bob/unlock", []).status == .seeOther)
            #expect(!(try await browser.get("/admin/users/bob").text.contains("locked until")))
            #expect(try await bob.signIn("bob", password: Self.password).status == .seeOther)
        }
    }

    @Test("a token is shown once, works against the API, is listed with its scope and expiry, and revoked is refused")
    func tokens() async throws {
        let fixture = try await WebAppTests.fixture()
        try await fixture.test { client in
            let browser = try await Self.administrator(client, on: "/admin/users/alice")
            let created = try await browser.post("/admin/users/alice/tokens", [("scope", "read"), ("expires_days", "30"), ("label", "scanner")])
            #expect(created.status == .ok)
            let text = try #require(created.text.range(of: "value=\"fxl_").map { range in
                "fxl_" + created.text[range.upperBound...].prefix { $0 != "\"" }
            })
            #expect(Self.main(created).contains("shown only this once"))
            let me = try await client.request("/api/v1/me", token: text)
            #expect(me.status == .ok)
            #expect(try me.json()["scope"] as? String == "read")

            let page = try await browser.get("/admin/users/alice")
            #expect(!page.text.contains(text) && !page.text.contains("value=\"fxl_"), "the token is not shown again")
            let id = try #require(APITokenText(parsing: text)?.id)
            #expect(page.text.contains(">scanner<") && page.text.contains(">read<") && page.text.contains("/tokens/\(id)/revoke"))

            // Bad values: named, nothing made.
            let tooLong = try await browser.post("/admin/users/alice/tokens", [("scope", "send"), ("expires_days", "5000")])
            #expect(tooLong.status == .unprocessableContent && Self.main(tooLong).contains("0 (never) to 3650"))
            let notANumber = try await browser.post("/admin/users/alice/tokens", [("scope", "send"), ("expires_days", "soon")])
            #expect(notANumber.status == .unprocessableContent && Self.main(notANumber).contains("not a number of days"))
            let noScope = try await browser.post("/admin/users/alice/tokens", [("scope", "root"), ("expires_days", "5")])
            #expect(noScope.status == .unprocessableContent)

            let revoked = try await browser.post("/admin/users/alice/tokens/\(id)/revoke", [])
            #expect(revoked.status == .seeOther && revoked.headers[.location] == "/admin/users/alice?done=revoked")
            #expect(try await client.request("/api/v1/me", token: text).status == .unauthorized)
            #expect(try await browser.get("/admin/users/alice").text.contains(">revoked<"))
            // Another user's token by this user's URL is not found.
            let bobsToken = try #require(try await fixture.database.tokens(userID: try #require(try await fixture.database.user(name: "bob")?.id)).first)
            #expect(try await browser.post("/admin/users/alice/tokens/\(bobsToken.id ?? 0)/revoke", []).status == .notFound)
        }
        let tokens = try await AccountAdministration(store: fixture.database).tokens(userName: "alice")
        #expect(tokens.count == 2, "the fixture's and the one made here; refused ones made none")
        let audit = try await fixture.database.auditEntries(limit: 20).filter { $0.actor == "admin (web)" }
        #expect(audit.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.tokenCreated, .tokenRevoked])
    }

    @Test("webhooks: add a global one (secret shown once) and a user's; a user's URL into the local network, a bad URL or secret are refused")
    func webhooks() async throws {
        let fixture = try await WebAppTests.fixture()
        try await fixture.test { client in
            let browser = try await Self.administrator(client, on: "/admin/webhooks")
            let global = try await browser.post("/admin/webhooks", [("url", "http://10.0.0.5/hook"), ("owner", ""), ("event", "fax.received")])
            #expect(global.status == .ok, "\(Self.main(global))")
            let secret = try #require(global.text.range(of: "id=\"added-secret\" class=\"token\" readonly value=\"").map { range in
                String(global.text[range.upperBound...].prefix { $0 != "\"" })
            })
            #expect(secret.hasPrefix("whsec_"))
            #expect(!(try await browser.get("/admin/webhooks").text.contains(secret)), "shown once")

            let given = try await browser.post("/admin/webhooks", [
                ("url", "https://crm.example.com/in"), ("owner", "alice"), ("secret", "alices-own-secret-123"),
                ("event", "job.done"), ("event", "job.failed"),
            ])
            #expect(given.status == .ok && !given.text.contains("alices-own-secret-123") && !given.text.contains("id=\"added-secret\""))

            let privateForUser = try await browser.post("/admin/webhooks", [("url", "http://192.168.1.20/hook"), ("owner", "alice")])
            #expect(privateForUser.status == .unprocessableContent, "\(Self.main(privateForUser))")
            #expect(Self.main(privateForUser).contains("role=\"alert\"") && Self.main(privateForUser).contains("value=\"http://192.168.1.20/hook\""))
            for (url, reason) in [("ftp://files.example.com/x", "http:// or https://"), ("https://user:pw@example.com/h", "user name or password")] {
                let refused = try await browser.post("/admin/webhooks", [("url", url), ("owner", "")])
                #expect(refused.status == .unprocessableContent && Self.main(refused).contains(reason), "\(url)")
            }
            let shortSecret = try await browser.post("/admin/webhooks", [("url", "https://x.example.com/h"), ("secret", "short")])
            #expect(shortSecret.status == .unprocessableContent && Self.main(shortSecret).contains("secret"))
            let unknownOwner = try await browser.post("/admin/webhooks", [("url", "https://x.example.com/h"), ("owner", "nobody")])
            #expect(unknownOwner.status == .notFound && Self.main(unknownOwner).contains("nobody was not found"))

            let page = try await browser.get("/admin/webhooks").text
            #expect(page.contains("http://10.0.0.5/hook") && page.contains("global (everything)") && page.contains("fax.received"))
            #expect(page.contains("https://crm.example.com/in") && page.contains("job.done, job.failed") && page.contains("no deliveries yet"))
        }
        let stored = try await fixture.database.webhooks(userID: nil)
        #expect(stored.count == 2)
        let alices = try #require(stored.first { $0.userName == "alice" })
        #expect(alices.secret.revealed == "alices-own-secret-123" && alices.events == [.jobDone, .jobFailed])
        let audit = try await fixture.database.auditEntries(limit: 20).filter { $0.kind == .webhookAdded }
        #expect(audit.count == 2 && audit.allSatisfy { $0.actor == "admin (web)" })
    }

    @Test("webhook deliveries: listed with state and attempts, filtered, replayed (audited); a webhook removed with them")
    func deliveries() async throws {
        let fixture = try await WebAppTests.fixture()
        let webhook = try await fixture.database.addWebhook(
            try Webhook(url: "https://ops.example.com/all", secret: "global-secret-0123456789", createdAt: Date()))
        var filed = try await fixture.receivedFax(on: "201", withFiles: false)
        // Filed as the server files one: on the line first, then received (the event).
        filed.status = .receiving
        try await fixture.database.updateFax(filed)
        filed.status = .received
        try await fixture.database.updateFax(filed)
        let fax = filed
        let delivery = try #require(try await fixture.database.webhookDeliveries(WebhookDeliveryQuery()).first)
        _ = try await fixture.database.markWebhookSending(id: delivery.id, at: Date())
        try await fixture.database.markWebhookFailed(id: delivery.id, status: 503, error: "the receiver answered 503", nextAttemptAt: nil)
        try await fixture.test { client in
            let browser = try await Self.administrator(client, on: "/admin/webhooks")
            let page = try await browser.get("/admin/webhooks").text
            #expect(page.contains("fax.received") && page.contains("/faxes/\(fax.id)") && page.contains("HTTP 503"))
            #expect(page.contains("1 attempt") && page.contains("last delivery failed"))
            #expect(try await browser.get("/admin/webhooks?state=delivered").text.contains("No deliveries that match"))
            #expect(try await browser.get("/admin/webhooks?state=failed&webhook=\(webhook.id)").text.contains("HTTP 503"))

            let replayed = try await browser.post("/admin/webhooks/deliveries/\(delivery.id)/replay", [])
            #expect(replayed.status == .seeOther && replayed.headers[.location]?.hasPrefix("/admin/webhooks?done=replayed") == true)
            #expect(try await browser.post("/admin/webhooks/deliveries/\(UUID().uuidString.lowercased())/replay", []).status == .notFound)
        }
        let again = try #require(try await fixture.database.webhookDelivery(id: delivery.id))
        #expect(again.state == .pending && again.attempts == 0)
        #expect(try await fixture.database.auditEntries(limit: 20).contains { $0.kind == .webhookReplayed && $0.actor == "admin (web)" })

        try await fixture.test { client in
            let browser = try await Self.administrator(client, on: "/admin/webhooks")
            let removed = try await browser.post("/admin/webhooks/\(webhook.id)/remove", [])
            #expect(removed.status == .seeOther && removed.headers[.location] == "/admin/webhooks?done=removed")
            let page = try await browser.get(try #require(removed.headers[.location])).text
            #expect(page.contains("was removed") && !page.contains("https://ops.example.com/all") && page.contains("No webhooks."))
        }
        #expect(try await fixture.database.webhookDelivery(id: delivery.id) == nil)
        #expect(try await fixture.database.auditEntries(limit: 20).contains { $0.kind == .webhookRemoved && $0.actor == "admin (web)" })
    }

    @Test("the audit log: newest first, 50 a page with a link to older entries; filters by who, action and date")
    func auditLog() async throws {
        let fixture = try await WebAppTests.fixture()
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        let fixtureEntries = try await fixture.database.auditEntries(limit: 100).count
        for index in 0..<60 {
            try await fixture.database.appendAudit(AuditEntry(
                at: start.addingTimeInterval(Double(index) * 3600), kind: index.isMultiple(of: 2) ? .cleanup : .faxResent,
                actor: index.isMultiple(of: 3) ? "cron" : "carol (web)", summary: "entry \(index)"))
        }
        try await fixture.test { client in
            let browser = try await Self.administrator(client, on: "/admin/audit")
            let first = try await browser.get("/admin/audit").text
            #expect(first.contains("<title>Audit log · Faxline</title>"))
            let rows = first.components(separatedBy: "<td data-label=\"What\" class=\"summary\">").dropFirst().map { $0.prefix { $0 != "<" } }
            // The fixture's own entries (users and tokens, made now) are the newest.
            #expect(rows.count == 50 && rows.prefix(fixtureEntries).allSatisfy { !$0.hasPrefix("entry ") })
            #expect(rows.contains("entry 59") && rows.firstIndex(of: "entry 59")! < rows.firstIndex(of: "entry 58")!)
            let cursor = try #require(first.range(of: "href=\"/admin/audit?cursor=").map { first[$0.upperBound...].prefix { $0 != "\"" } })
            let second = try await browser.get("/admin/audit?cursor=\(cursor)").text
            let older = second.components(separatedBy: "class=\"summary\">").dropFirst().map { $0.prefix { $0 != "<" } }
            #expect(Set(rows).isDisjoint(with: older) && (rows.count + older.count) == 60 + fixtureEntries, "every entry once; the sign-in added none")
            #expect(second.contains("href=\"/admin/audit\"") && !second.contains("Older entries"))

            let byActor = try await browser.get("/admin/audit?actor=CAROL&action=fax-resent").text
            let filtered = byActor.components(separatedBy: "class=\"summary\">").dropFirst().map { $0.prefix { $0 != "<" } }
            // Odd indexes are fax-resent; carol is every index not a multiple of 3.
            #expect(filtered.count == (0..<60).filter { !$0.isMultiple(of: 2) && !$0.isMultiple(of: 3) }.count)
            let day = Date(timeIntervalSince1970: 1_780_000_000 + 24 * 3600)
            let dayText = day.formatted(Date.ISO8601FormatStyle(timeZone: .current).year().month().day().dateSeparator(.dash))
            let oneDay = try await browser.get("/admin/audit?since=\(dayText)&until=\(dayText)").text
            let inDay = oneDay.components(separatedBy: "class=\"summary\">").dropFirst().map { $0.prefix { $0 != "<" } }
            #expect(inDay.count == 24 || inDay.count == 23 || inDay.count == 25, "one day of hourly entries (\(inDay.count))")
            #expect(try await browser.get("/admin/audit?actor=nobody").text.contains("No entries that match"))
            #expect(try await browser.get("/admin/audit?cursor=not-a-cursor").status == .unprocessableContent)
        }
    }

    @Test("a signed-in user who is not an administrator gets 403 on every page and form, and changes nothing",
          arguments: ["/admin/users", "/admin/users/bob", "/admin/webhooks", "/admin/audit"])
    func notForUsers(path: String) async throws {
        let fixture = try await WebAppTests.fixture()
        try await fixture.test { client in
            let alice = WebBrowser(client)
            try await alice.signIn("alice", password: Self.password)
            let page = try await alice.get(path)
            #expect(page.status == .forbidden && page.text.contains("only administrators"), "\(path)")
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            try await alice.get("/inbox")
            #expect(try await alice.post("/admin/users", [("name", "mallory"), ("email", "m@example.com")]).status == .forbidden)
            #expect(try await alice.post("/admin/users/bob/password", [("password", "taken over 1234"), ("confirm", "taken over 1234")]).status == .forbidden)
            #expect(try await alice.post("/admin/users/alice", [("email", "alice@example.com"), ("admin", "1"), ("device", "201")]).status == .forbidden)
            #expect(try await alice.post("/admin/users/alice/tokens", [("scope", "admin"), ("expires_days", "1")]).status == .forbidden)
            #expect(try await alice.post("/admin/webhooks", [("url", "https://x.example.com/h")]).status == .forbidden)
            let signedOut = try await WebBrowser(client).get(path)
            #expect(signedOut.status == .seeOther && signedOut.headers[.location]?.hasPrefix("/signin") == true)
        }
        #expect(try await fixture.database.user(name: "mallory") == nil)
        #expect(try await fixture.database.user(name: "alice")?.isAdmin == false)
        #expect(try await fixture.database.webhooks(userID: nil).isEmpty)
        #expect(try await fixture.database.auditEntries(limit: 50).allSatisfy { $0.actor == "test" })
    }

    @Test("every form of these pages needs its form token: without it 403 and nothing changes")
    func formTokensRequired() async throws {
        let fixture = try await WebAppTests.fixture()
        let auditBefore = try await fixture.database.auditEntries(limit: 100)
        let bobsToken = try #require(try await fixture.database.tokens(userID: try #require(try await fixture.database.user(name: "bob")?.id)).first)
        try await fixture.test { client in
            let browser = try await Self.administrator(client)
            let posts: [(String, [(String, String)])] = [
                ("/admin/users", [("name", "mallory"), ("email", "m@example.com"), ("password", "a good password 1")]),
                ("/admin/users/bob", [("email", "b@example.com"), ("admin", "1")]),
                ("/admin/users/bob/disable", []),
                ("/admin/users/bob/password", [("password", "taken over 1234"), ("confirm", "taken over 1234")]),
                ("/admin/users/bob/remove", [("confirm", "1")]),
                ("/admin/users/bob/unlock", []),
                ("/admin/users/bob/tokens", [("scope", "admin"), ("expires_days", "1")]),
                ("/admin/users/bob/tokens/\(bobsToken.id ?? 0)/revoke", []),
                ("/admin/webhooks", [("url", "https://x.example.com/h")]),
            ]
            for (path, fields) in posts {
                let refused = try await browser.post(path, fields, withToken: false)
                #expect(refused.status == .forbidden && refused.text.contains("form token"), "\(path)")
            }
            // Every form on the pages carries the token.
            for path in ["/admin/users", "/admin/users/bob", "/admin/webhooks"] {
                let html = try await browser.get(path).text
                let forms = html.components(separatedBy: "<form method=\"post\"").count - 1
                let tokens = html.components(separatedBy: "name=\"form_token\" value=\"\(browser.formToken ?? "-")\"").count - 1
                #expect(forms > 0 && forms == tokens, "\(path): \(forms) forms, \(tokens) tokens")
            }
        }
        let bob = try #require(try await fixture.database.user(name: "bob"))
        #expect(bob.isEnabled && !bob.isAdmin && bob.email == "bob@example.com")
        #expect(try await fixture.database.token(id: bobsToken.id ?? 0)?.revokedAt == nil)
        #expect(try await fixture.database.user(name: "mallory") == nil)
        #expect(try await fixture.database.auditEntries(limit: 100) == auditBefore)
    }
}
