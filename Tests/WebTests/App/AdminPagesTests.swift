import Accounts
import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Store
import Testing
@testable import Web

/// The administrators' pages in process: each lists the real data, each change goes through
/// and shows, bad input brings the form back with the reason and changes nothing, an ordinary
/// user gets 403, and a form without its token is refused.
@Suite("Web app: administration", .serialized)
struct AdminPagesTests {
    static let password = WebAppTests.password

    static func fixture(configure: (inout FaxlineConfiguration) -> Void = { _ in }) async throws -> APIFixture {
        let fixture = try await APIFixture.make(configure: configure)
        let accounts = AccountAdministration(store: fixture.database)
        for name in ["admin", "alice"] {
            try await accounts.setPassword(name: name, to: password, actor: "test", at: Date())
        }
        return fixture
    }

    @Test("an ordinary user gets 403 on every admin page and form, and no Admin entry; an administrator has it")
    func onlyAdministrators() async throws {
        let fixture = try await Self.fixture()
        let rule = try await fixture.database.addRule(try RoutingRule(didPattern: DialPattern("555X"), action: .deliver(toExtension: "201")))
        try await fixture.test { client in
            let alice = WebBrowser(client)
            try await alice.signIn("alice", password: Self.password)
            #expect(try await alice.get("/inbox").text.contains("href=\"/admin\"") == false)
            for path in ["/admin", "/admin/devices", "/admin/devices/201", "/admin/routes", "/admin/groups", "/admin/configuration"] {
                let page = try await alice.get(path)
                #expect(page.status == .forbidden, "\(path)")
                #expect(page.text.contains("only administrators may do this"), "\(path)")
            }
            let posts: [(String, [(String, String)])] = [
                ("/admin/devices", [("extension", "203"), ("name", "Fax"), ("emails", "x@example.com"), ("format", "pdf")]),
                ("/admin/devices/201", [("name", "Mine now"), ("emails", "x@example.com"), ("format", "pdf")]),
                ("/admin/devices/201/remove", [("confirm", "1")]),
                ("/admin/routes", [("action", "reject"), ("caller", "1900.")]),
                ("/admin/routes/\(rule.id ?? 0)/remove", []),
                ("/admin/routes/default", [("faxing", "")]),
            ]
            for (path, fields) in posts { #expect(try await alice.post(path, fields).status == .forbidden, "\(path)") }

            let admin = WebBrowser(client)
            try await admin.signIn("admin", password: Self.password)
            let inbox = try await admin.get("/inbox").text
            #expect(inbox.contains("<a href=\"/admin\">Admin</a>"))
            let index = try await admin.get("/admin")
            #expect(index.status == .ok && index.text.contains("<title>Administration · Faxline</title>"))
            for href in ["/admin/devices", "/admin/routes", "/admin/groups", "/admin/configuration", "/admin/users", "/admin/webhooks", "/admin/audit"] {
                #expect(index.text.contains("href=\"\(href)\""), "\(href)")
            }
            #expect(index.text.contains("aria-current=\"page\">Admin<"))
        }
        #expect(try await fixture.database.devices().map(\.extensionNumber) == ["201", "202"])
        #expect(try await fixture.database.device(extension: "201")?.name == "Sales")
        #expect(try await fixture.database.routingTable().rules.count == 1)
        #expect(try await fixture.database.routingTable().flags.globallyEnabled)
    }

    @Test("devices: the list shows each device with its users; add, change (retention too) and remove; bad input comes back with the reason")
    func devices() async throws {
        let fixture = try await Self.fixture()
        try await fixture.test { client in
            let admin = WebBrowser(client)
            try await admin.signIn("admin", password: Self.password)
            let list = try await admin.get("/admin/devices")
            #expect(list.status == .ok && list.text.contains("<title>Devices · Faxline</title>"))
            #expect(list.text.contains("201 · Sales") && list.text.contains("202 · Legal") && list.text.contains("sales@example.com as pdf"))
            #expect(list.text.contains("<dt>Users</dt><dd>alice</dd>") && list.text.contains("<dt>Users</dt><dd>bob</dd>"))
            for id in ["extension", "name", "emails", "format", "group", "station_id", "header", "retention_days"] {
                #expect(list.text.contains("<label for=\"\(id)\""), "label for \(id)")
            }

            let added = try await admin.post("/admin/devices", [
                ("extension", "203"), ("name", "Support"), ("emails", "support@example.com\nlead@example.com"), ("format", "inline"),
                ("group", "service"), ("station_id", "+1 555 0203"), ("retention_days", "60"), ("enabled", "1"),
            ])
            #expect(added.status == .seeOther && added.headers[.location] == "/admin/devices?done=added")
            let shown = try await admin.get("/admin/devices").text
            #expect(shown.contains("203 · Support") && shown.contains("support@example.com, lead@example.com as inline") && shown.contains("60 days"))

            let badMail = try await admin.post("/admin/devices", [("extension", "204"), ("name", "Bad"), ("emails", "jörg@example.com"), ("format", "pdf")])
            #expect(badMail.status == .unprocessableContent && badMail.text.contains("role=\"alert\"") && badMail.text.contains("email"))
            #expect(badMail.text.contains("value=\"204\""), "the form keeps what was typed")
            let taken = try await admin.post("/admin/devices", [("extension", "201"), ("name", "Again"), ("emails", "a@example.com"), ("format", "pdf")])
            #expect(taken.status == .conflict && taken.text.contains("201"))
            let badDays = try await admin.post("/admin/devices", [
                ("extension", "205"), ("name", "Days"), ("emails", "d@example.com"), ("format", "pdf"), ("retention_days", "soon"),
            ])
            #expect(badDays.status == .unprocessableContent && badDays.text.contains("not a whole number of days"))
            let shortDays = try await admin.post("/admin/devices", [
                ("extension", "205"), ("name", "Days"), ("emails", "d@example.com"), ("format", "pdf"), ("retention_days", "3"),
            ])
            #expect(shortDays.status == .unprocessableContent && shortDays.text.contains("retention days"))

            let edit = try await admin.get("/admin/devices/203")
            #expect(edit.status == .ok && edit.text.contains("value=\"Support\"") && edit.text.contains("value=\"60\""))
            let changed = try await admin.post("/admin/devices/203", [
                ("name", "Customer support"), ("emails", "support@example.com"), ("format", "pdf"), ("group", ""), ("zero_retention", "1"),
            ])
            #expect(changed.status == .seeOther)
            let badChange = try await admin.post("/admin/devices/203", [("name", "  "), ("emails", "support@example.com"), ("format", "pdf")])
            #expect(badChange.status == .unprocessableContent && badChange.text.contains("name"))

            _ = try await fixture.database.addRule(try RoutingRule(didPattern: DialPattern("5550"), action: .deliver(toExtension: "202")))
            let inUse = try await admin.post("/admin/devices/202/remove", [("confirm", "1")])
            #expect(inUse.status == .conflict && inUse.text.contains("role=\"alert\""))
            #expect(try await admin.get("/admin/devices/299").status == .notFound)
        }
        let device = try #require(try await fixture.database.device(extension: "203"))
        #expect(device.name == "Customer support" && device.emailAddresses == ["support@example.com"] && device.deliveryFormat == .pdf)
        #expect(device.group == nil && !device.isEnabled, "an unticked box switches it off")
        let override = try await fixture.database.retentionOverrides().devices["203"]
        #expect(override?.days == nil && override?.zeroRetention == true, "blank days go back to the default")
        #expect(try await fixture.database.devices().map(\.extensionNumber) == ["201", "202", "203"])

        try await fixture.test { client in
            let admin = WebBrowser(client)
            try await admin.signIn("admin", password: Self.password)
            try await admin.get("/admin/devices/203")
            #expect(try await admin.post("/admin/devices/203/remove", [("confirm", "1")], withToken: false).status == .forbidden)
            #expect(try await fixture.database.device(extension: "203") != nil)
            let removed = try await admin.post("/admin/devices/203/remove", [("confirm", "1")])
            #expect(removed.status == .seeOther && removed.headers[.location] == "/admin/devices?done=removed")
            #expect(try await admin.get("/admin/devices").text.contains("203 · ") == false)
        }
        #expect(try await fixture.database.device(extension: "203") == nil)
        let audit = try await fixture.database.auditEntries(limit: 10)
        #expect(audit.first?.kind == .deviceRemoved && audit.first?.actor == "admin (web)")
        #expect(audit.contains { $0.kind == .deviceAdded && $0.summary.hasPrefix("added device 203 · ") }, "\(audit.map(\.summary))")
    }

    @Test("routes: rules in order with their positions; add, move up and down, switch off, remove; the default route; bad rules come back")
    func routes() async throws {
        let fixture = try await Self.fixture()
        try await fixture.test { client in
            let admin = WebBrowser(client)
            try await admin.signIn("admin", password: Self.password)
            #expect(try await admin.get("/admin/routes").text.contains("<title>Routes · Faxline</title>"))
            let first = try await admin.post("/admin/routes", [
                ("did", "5550[1-3]XX"), ("action", "deliver"), ("to", "201"), ("description", "sales DIDs"), ("enabled", "1"),
            ])
            #expect(first.status == .seeOther && first.headers[.location] == "/admin/routes?done=added")
            try await admin.post("/admin/routes", [("caller", "1900."), ("action", "reject"), ("description", "junk"), ("enabled", "1")])
            let page = try await admin.get("/admin/routes").text
            let sales = try #require(page.range(of: "sales DIDs")), junk = try #require(page.range(of: "junk"))
            #expect(sales.lowerBound < junk.lowerBound, "listed in their order")
            #expect(page.contains("deliver to 201 (Sales)") && page.contains("Move rule 2 up") && !page.contains("Move rule 1 up"))

            let rules = try await fixture.database.routingTable().rules
            let junkID = try #require(rules.first { $0.description == "junk" }?.id)
            let moved = try await admin.post("/admin/routes/\(junkID)/move", [("direction", "up")])
            #expect(moved.status == .seeOther)
            #expect(try await fixture.database.routingTable().rules.map(\.description) == ["junk", "sales DIDs"])
            try await admin.post("/admin/routes/\(junkID)/move", [("direction", "down")])
            #expect(try await fixture.database.routingTable().rules.map(\.description) == ["sales DIDs", "junk"])
            #expect(try await admin.post("/admin/routes/\(junkID)/move", [("direction", "up")], withToken: false).status == .forbidden)
            #expect(try await fixture.database.routingTable().rules.map(\.description) == ["sales DIDs", "junk"])

            let badPattern = try await admin.post("/admin/routes", [("did", "[9-"), ("action", "deliver"), ("to", "201"), ("enabled", "1")])
            #expect(badPattern.status == .unprocessableContent && badPattern.text.contains("role=\"alert\"") && badPattern.text.contains("value=\"[9-\""))
            let rejectContinue = try await admin.post("/admin/routes", [("caller", "1"), ("action", "reject"), ("continue", "1")])
            #expect(rejectContinue.status == .unprocessableContent && rejectContinue.text.contains("does not apply to a reject rule"))
            let noDevice = try await admin.post("/admin/routes", [("did", "1"), ("action", "deliver"), ("to", "")])
            #expect(noDevice.status == .unprocessableContent && noDevice.text.contains("target extension"))
            let unknown = try await admin.post("/admin/routes", [("did", "1"), ("action", "deliver"), ("to", "299")])
            #expect(unknown.status == .notFound && unknown.text.contains("299"))
            #expect(try await fixture.database.routingTable().rules.count == 2)

            #expect(try await admin.post("/admin/routes/\(junkID)/switch", []).status == .seeOther)
            #expect(try await admin.get("/admin/routes").text.contains("Switch rule 2 on"))
            #expect(try await admin.post("/admin/routes/default", [("default", "202"), ("faxing", "1")]).status == .seeOther)
            #expect(try await admin.get("/admin/routes").text.contains("deliver to 202 (Legal)"))
            let salesID = try #require(rules.first { $0.description == "sales DIDs" }?.id)
            #expect(try await admin.post("/admin/routes/\(salesID)/remove", []).status == .seeOther)
            #expect(try await admin.post("/admin/routes/\(salesID)/remove", []).status == .notFound)
        }
        let table = try await fixture.database.routingTable()
        #expect(table.rules.map(\.description) == ["junk"] && table.rules.first?.isEnabled == false && table.rules.first?.position == 1)
        #expect(table.defaultExtension == "202" && table.flags.globallyEnabled)
        let audit = try await fixture.database.auditEntries(limit: 20).filter { $0.kind.rawValue.hasPrefix("rout") }
        #expect(audit.allSatisfy { $0.actor == "admin (web)" })
        #expect(audit.contains { $0.kind == .routeChanged && $0.summary.hasSuffix("moved from position 2 to 1") })
        #expect(audit.contains { $0.kind == .routeRemoved } && audit.contains { $0.kind == .routingChanged })
    }

    @Test("groups: each with its devices and retention; switch off and set days; days out of range come back and change nothing")
    func groups() async throws {
        let fixture = try await Self.fixture { $0.retention.receivedFaxDays = 45 }
        _ = try await fixture.database.changeDevice(extension: "202", FaxDevice.Changes(group: .set("legal")), retention: RetentionChange())
        try await fixture.test { client in
            let admin = WebBrowser(client)
            try await admin.signIn("admin", password: Self.password)
            let page = try await admin.get("/admin/groups")
            #expect(page.status == .ok && page.text.contains("<title>Groups and retention · Faxline</title>"))
            #expect(page.text.contains("<h2>legal</h2>") && page.text.contains("<dt>Devices</dt><dd>202</dd>") && page.text.contains("45 days"))
            #expect(page.text.contains("<label for=\"days-legal\""))

            let saved = try await admin.post("/admin/groups/legal", [("retention_days", "90")])
            #expect(saved.status == .seeOther && saved.headers[.location] == "/admin/groups?done=legal")
            #expect(try await admin.get("/admin/groups").text.contains("90 days"))
            let tooShort = try await admin.post("/admin/groups/legal", [("retention_days", "3"), ("enabled", "1")])
            #expect(tooShort.status == .unprocessableContent && tooShort.text.contains("retention days") && tooShort.text.contains("value=\"3\""))
            #expect(try await admin.post("/admin/groups/legal", [("enabled", "1")], withToken: false).status == .forbidden)
            #expect(try await admin.post("/admin/groups/nosuch", [("enabled", "1")]).status == .notFound)
        }
        #expect(try await fixture.database.routingTable().flags.disabledGroups == ["legal"], "an unticked box switches the group off")
        #expect(try await fixture.database.retentionOverrides().groups["legal"]?.days == 90)
        let audit = try await fixture.database.auditEntries(limit: 10).filter { $0.kind == .groupChanged }
        #expect(audit.map(\.summary) == ["changed group legal: faxing disabled, retention default → 90 days"])
    }

    @Test("configuration: every section with the defaults, the set values, and no secret in the page")
    func configuration() async throws {
        let secrets = ["ami-secret-do-not-show", "smtp-password-do-not-show", "agi-key-do-not-show-0123", "callback-secret-do-not-show-0123456789"]
        let fixture = try await Self.fixture { configuration in
            configuration.ami.username = "faxline"
            configuration.ami.secret = Secret(secrets[0])
            configuration.smtp.username = "mailer"
            configuration.smtp.password = Secret(secrets[1])
            configuration.agiSecret = Secret(secrets[2])
            configuration.webhooks.callbackSecret = Secret(secrets[3])
            configuration.lines = 6
        }
        try await fixture.test { client in
            let admin = WebBrowser(client)
            try await admin.signIn("admin", password: Self.password)
            let page = try await admin.get("/admin/configuration")
            #expect(page.status == .ok && page.text.contains("<title>Configuration · Faxline</title>"))
            let html = page.text
            for section in ["general", "agi", "audiosocket", "spool", "retention", "mail", "ami", "outbound", "web", "mail-in", "print", "webhooks"] {
                #expect(html.contains("<h2 id=\"section-\(section)\">[\(section)]</h2>"), "\(section)")
            }
            #expect(html.contains("<dt>lines</dt><dd>6</dd>") && html.contains("<dt>received_days</dt><dd>30</dd>"))
            #expect(html.contains("<dt>username</dt><dd>faxline</dd>"))
            #expect(html.contains("<dt>secret</dt><dd><span class=\"secret\">••••</span></dd>"))
            for secret in secrets { #expect(!html.contains(secret)) }
            #expect(html.contains(fixture.server.configuration.filePath))
        }
    }
}
