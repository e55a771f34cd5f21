import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation
import Store
import StoreTestSupport
import Testing

@testable import faxline

/// `faxline faxes`: list, show, resend, export; faxes named by the start of their id.
@Suite struct FaxesCommandTests {
    let folder: TemporaryFolder
    let database: FaxDatabase
    let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))

    init() async throws {
        folder = try TemporaryFolder()
        database = try folder.openDatabase()
        _ = try await database.addDevice(Sample.device("200", format: .both))
        _ = try await database.addDevice(Sample.device("201"))
    }

    func run(_ arguments: [String]) async throws {
        try await CommandLineTests.run(Faxline.parseAsRoot(arguments + ["--data", folder.path]))
    }

    var spool: String { folder.path + "/spool" }

    /// A received fax with its three files in the spool.
    func received(_ id: String, minutesAgo: Double, caller: String = "+49301234", devices: [String] = ["200"],
                  status: FaxStatus = .received) async throws -> FaxRecord {
        var fax = try Sample.fax(createdAt: now.addingTimeInterval(-minutesAgo * 60), extensions: devices, status: status)
        fax.id = id
        fax.callerNumber = caller
        fax.files = FaxSpoolFiles(
            tiff: try SpoolPath("in/\(id).tif"), pdf: try SpoolPath("in/\(id).pdf"), thumbnail: try SpoolPath("in/\(id).png"))
        try FileManager.default.createDirectory(atPath: spool + "/in", withIntermediateDirectories: true)
        for (file, text) in [("tif", "II*\0 pages"), ("pdf", "%PDF-1.4 pages"), ("png", "PNG")] {
            try Data("\(text) of \(id)".utf8).write(to: URL(fileURLWithPath: spool + "/in/\(id).\(file)"))
        }
        try await database.insertFax(fax)
        return fax
    }

    func sent(_ id: String, minutesAgo: Double, number: String) async throws -> FaxRecord {
        var fax = FaxRecord(
            id: id, direction: .sent, createdAt: now.addingTimeInterval(-minutesAgo * 60), finishedAt: now.addingTimeInterval(-minutesAgo * 60 + 60),
            deviceExtensions: ["201"], callerNumber: "5550199", did: number, status: .sent,
            session: FaxSessionSummary(pages: 1, errorText: "OK", statusString: "sent"))
        fax.log("note", "outbound job 7: 1 call, 1 try")
        try await database.insertFax(fax)
        return fax
    }

    static let ids = (1...6).map { "3f2c1a9\($0)-0000-4000-8000-00000000000\($0)" }

    @Test("the list: newest first, filtered by device, status, direction, time and far end; paged by the last fax shown")
    func list() async throws {
        let a = try await received(Self.ids[0], minutesAgo: 50)
        let b = try await received(Self.ids[1], minutesAgo: 40, caller: "5550123", devices: ["201"], status: .partial)
        let c = try await sent(Self.ids[2], minutesAgo: 30, number: "5550177")
        let d = try await received(Self.ids[3], minutesAgo: 60 * 48)
        let all = [c, b, a, d]

        func listed(_ arguments: [String]) async throws -> [String] {
            let command = try FaxesCommand.List.parse(arguments + ["--data", folder.path])
            let query = try await command.query(database: database)
            return try await database.recentFaxes(query).map(\.id)
        }
        #expect(try await listed([]) == all.map(\.id))
        #expect(try await listed(["--received"]) == [b, a, d].map(\.id))
        #expect(try await listed(["--sent"]) == [c.id])
        #expect(try await listed(["--device", "201"]) == [c, b].map(\.id))
        #expect(try await listed(["--status", "partial", "--status", "sent"]) == [c, b].map(\.id))
        #expect(try await listed(["--since", "1d"]) == [c, b, a].map(\.id))
        #expect(try await listed(["--until", "1d"]) == [d.id])
        #expect(try await listed(["--caller", "5550123"]) == [b.id])
        #expect(try await listed(["--caller", "5550177"]) == [c.id])
        // Page two starts after the last fax of page one, named by the start of its id.
        #expect(try await listed(["--before", String(b.id.prefix(8))]) == [a, d].map(\.id))

        let table = FaxesCommand.List.table(all)
        let lines = table.split(separator: "\n")
        #expect(lines[0].hasPrefix("ID        TIME"))
        #expect(lines[1].hasPrefix("3f2c1a93") && lines[1].contains(" out ") && lines[1].contains("5550177"))
        #expect(lines[2].contains("partial") && lines[2].contains("5550123 (Caller GmbH)"))

        let page = FaxPage(faxes: [FaxListing(b)], next: b.id)
        let json = try FaxesCommand.json(page)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(decoded?["next"] as? String == b.id)
        let first = (decoded?["faxes"] as? [[String: Any]])?.first
        #expect(first?["status"] as? String == "partial" && first?["callerNumber"] as? String == "5550123")
        #expect(first?["events"] == nil, "the list leaves the T.30 log to faxes show")

        await #expect(throws: (any Error).self) { try await run(["faxes", "--limit", "0"]) }
        await #expect(throws: (any Error).self) { try await run(["faxes", "--since", "yesterday"]) }
        await #expect(throws: (any Error).self) { try await run(["faxes", "--status", "lost"]) }
        try await run(["faxes", "--json"])
        try await run(["faxes", "--limit", "1"])
    }

    @Test("any unique start of an id names a fax; an ambiguous one lists the candidates; a wrong one says so")
    func idPrefixes() async throws {
        let a = try await received(Self.ids[0], minutesAgo: 5)
        _ = try await received(Self.ids[1], minutesAgo: 4)
        #expect(try await FaxesCommand.find("3F2C1A91", database: database, data: try DataOptions.parse(["--data", folder.path])) == a)
        do {
            _ = try await FaxesCommand.find("3f2c1a9", database: database, data: try DataOptions.parse(["--data", folder.path]))
            Issue.record("an ambiguous prefix named a fax")
        } catch let error as CommandFailure {
            let lines = error.description.split(separator: "\n")
            #expect(lines.first == "3f2c1a9 names more than one fax; give more of the id:")
            #expect(lines.count == 3 && lines[1].contains(Self.ids[0]) && lines[2].contains(Self.ids[1]))
            #expect(lines[1].contains("received from +49301234 (Caller GmbH), received, 3 pages"))
        }
        await #expect(throws: CommandFailure("no fax 4242")) { try await run(["faxes", "show", "4242"]) }
        #expect(await CommandLineTests.usageError { try await run(["faxes", "show", "../etc/passwd"]) }
            == "invalid fax id: \"../etc/passwd\" is not a fax id (hexadecimal digits and '-', like 3f2c1a9b)")
        try await run(["faxes", "show", "3f2c1a91"])
        try await run(["faxes", "show", "3f2c1a91", "--json"])

        // delete-fax takes the same prefixes, and checks every one before it deletes any.
        await #expect(throws: CommandFailure.self) { try await run(["cleanup", "delete-fax", "3f2c1a91", "3f2c1a9"]) }
        #expect(try await database.fax(id: a.id) != nil)
        try await run(["cleanup", "delete-fax", "3f2c1a91"])
        #expect(try await database.fax(id: a.id) == nil)
        #expect(!FileManager.default.fileExists(atPath: spool + "/in/\(a.id).pdf"))
    }

    @Test("show: the call, the far end, the result, the files, every mail and the T.30 log")
    func show() async throws {
        let fax = try await received(Self.ids[0], minutesAgo: 5)
        let deliveries = try await database.enqueueDeliveries(
            faxID: fax.id, recipients: [MailRecipient(address: "a@example.com", format: .pdf), MailRecipient(address: "b@example.com", format: .pdf)],
            at: now)
        _ = try await database.markSending(id: deliveries[0].id, at: now)
        try await database.markDelivered(id: deliveries[0].id, at: now)
        _ = try await database.markSending(id: deliveries[1].id, at: now)
        try await database.markFailed(id: deliveries[1].id, error: "451 mailbox busy\u{1b}[2J", nextAttemptAt: now.addingTimeInterval(300))
        let stored = try #require(try await database.fax(id: fax.id))
        let text = FaxesCommand.Show.text(stored, deliveries: try await database.deliveries(faxID: fax.id), brief: false)
        for fact in [
            "fax \(fax.id)", "from +49301234 (Caller GmbH), dialled 4930555200", "to devices 200",
            "status received: 3 pages, 14400 bit/s, ECM, 204x196, T.6", "far station id +49 30 1234", "result OK",
            "files in/\(fax.id).pdf, in/\(fax.id).tif, in/\(fax.id).png", "mail pending",
            "a@example.com (pdf): delivered", "b@example.com (pdf): pending, next try", "1 attempt so far; last error: 451 mailbox busy?[2J",
            "event log:", "B phase B", "E phase E",
        ] {
            #expect(text.contains(fact), "lacks \(fact)")
        }
        #expect(!text.contains("\u{1b}"), "a far end's text cannot reach the terminal raw")
        #expect(!FaxesCommand.Show.text(stored, deliveries: [], brief: true).contains("event log"))

        let sent = try await sent(Self.ids[1], minutesAgo: 3, number: "5550177")
        let sentText = FaxesCommand.Show.text(sent, deliveries: [], brief: false)
        #expect(sentText.contains("to 5550177, from device 201") && !sentText.contains("mail "))

        let details = try FaxesCommand.json(FaxDetails(fax: stored, deliveries: deliveries))
        #expect(details.contains("\"events\"") && details.contains("\"deliveries\""))
    }

    @Test("resend: through the mail queue, to the devices or to --to; a sent fax or one without images is refused")
    func resend() async throws {
        let fax = try await received(Self.ids[0], minutesAgo: 5)
        let queued = try await database.enqueueDeliveries(faxID: fax.id, recipients: [MailRecipient(address: "fax200@example.com", format: .both)], at: now)
        _ = try await database.markSending(id: queued[0].id, at: now)
        try await database.markDelivered(id: queued[0].id, at: now)

        try await run(["faxes", "resend", "3f2c1a91"])
        var deliveries = try await database.deliveries(faxID: fax.id)
        #expect(deliveries.map(\.recipient) == ["fax200@example.com"])
        #expect(deliveries[0].state == .pending && deliveries[0].attempts == 0)
        #expect(try await database.fax(id: fax.id)?.deliveryState == .pending)

        try await run(["faxes", "resend", "3f2c1a91", "--to", "boss@example.com"])
        deliveries = try await database.deliveries(faxID: fax.id)
        #expect(deliveries.map(\.recipient) == ["fax200@example.com", "boss@example.com"])
        #expect(deliveries[1].format == .both, "in the format of the fax's device")
        let audit = try #require(try await database.latestAuditEntry(kind: .faxResent))
        #expect(audit.summary == "fax \(fax.id) mailed again to boss@example.com" && audit.actor.hasPrefix("cli:"))

        #expect(await CommandLineTests.usageError { try await run(["faxes", "resend", "3f2c1a91", "--to", "not an address"]) }
            == "invalid email: \"not an address\" must not contain \" \"")
        let sent = try await sent(Self.ids[1], minutesAgo: 3, number: "5550177")
        await #expect(throws: CommandFailure("fax \(sent.id) was sent, not received: only received faxes are mailed")) {
            try await run(["faxes", "resend", "3f2c1a92"])
        }
        // Zero retention took the images: nothing to mail, and nothing is queued.
        var bare = try await received(Self.ids[2], minutesAgo: 2)
        bare.files = FaxSpoolFiles()
        try await database.updateFax(bare)
        await #expect(throws: CommandFailure.self) { try await run(["faxes", "resend", "3f2c1a93"]) }
        #expect(try await database.deliveries(faxID: bare.id).isEmpty)
    }

    @Test("export: the PDF and the TIFF as filed; an existing file only with --force")
    func export() async throws {
        let fax = try await received(Self.ids[0], minutesAgo: 5)
        let out = try TemporaryFolder()
        try await run(["faxes", "export", "3f2c1a91", "--pdf", out.path + "/fax.pdf", "--tiff", out.path + "/fax.tif"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: out.path + "/fax.pdf")) == Data("%PDF-1.4 pages of \(fax.id)".utf8))
        #expect(try Data(contentsOf: URL(fileURLWithPath: out.path + "/fax.tif")) == Data("II*\0 pages of \(fax.id)".utf8))
        await #expect(throws: CommandFailure("\(out.path)/fax.pdf exists; give --force to replace it")) {
            try await run(["faxes", "export", "3f2c1a91", "--pdf", out.path + "/fax.pdf"])
        }
        try await run(["faxes", "export", "3f2c1a91", "--pdf", out.path + "/fax.pdf", "--force"])
        await #expect(throws: (any Error).self) { try await run(["faxes", "export", "3f2c1a91"]) }

        try FileManager.default.removeItem(atPath: spool + "/in/\(fax.id).tif")
        await #expect(throws: CommandFailure.self) {
            try await run(["faxes", "export", "3f2c1a91", "--pdf", out.path + "/again.pdf", "--tiff", out.path + "/again.tif"])
        }
        #expect(!FileManager.default.fileExists(atPath: out.path + "/again.pdf"), "every file is checked before one is written")
    }
}
