import FaxCore
import Foundation
import Store
import StoreTestSupport
import Testing

/// `faxline contacts` as the real program, against a temporary data folder.
@Suite struct ContactsCommandTests {
    let folder: TemporaryFolder

    init() async throws {
        folder = try TemporaryFolder()
        let database = try folder.openDatabase()
        _ = try await database.addUser(User(name: "alice", email: "alice@example.com", createdAt: Date()), passwordHash: nil)
        _ = try await database.addUser(User(name: "bob", email: "bob@example.com", createdAt: Date()), passwordHash: nil)
    }

    func faxline(_ arguments: [String]) throws -> FaxlineProgram.Output {
        try FaxlineProgram.run(arguments + ["--data", folder.path])
    }

    var database: FaxDatabase { get throws { try folder.openDatabase() } }

    @Test func addListSearchRemove() async throws {
        try #require(FaxlineProgram.isBuilt, "faxline is built next to the tests")
        let shared = try faxline(["contacts", "add", "Head office", "--number", "+49 30 555-0100", "--company", "Acme"])
        #expect(shared.status == 0, "\(shared.standardError)")
        #expect(shared.standardOutput.contains("for everybody: Head office (Acme), +49305550100"))
        let own = try faxline(["contacts", "add", "Dr. Lee", "--number", "555 0199", "--user", "alice"])
        #expect(own.status == 0, "\(own.standardError)")
        #expect(try faxline(["contacts", "add", "Bob's bank", "--number", "5550123", "--user", "bob"]).status == 0)

        let everything = try faxline(["contacts", "list"])
        #expect(everything.status == 0)
        let lines = everything.standardOutput.split(separator: "\n")
        #expect(lines.count == 4, "\(everything.standardOutput)")
        // By name, whoever owns them.
        #expect(lines.count == 4 && lines[1].contains("Bob's bank") && lines[2].contains("Dr. Lee") && lines[3].contains("Head office"))
        #expect(everything.standardOutput.contains("(shared)") && everything.standardOutput.contains("bob"))

        let alices = try faxline(["contacts", "list", "--user", "alice"])
        #expect(alices.standardOutput.contains("Dr. Lee") && alices.standardOutput.contains("Head office"))
        #expect(!alices.standardOutput.contains("Bob's bank"))
        let found = try faxline(["contacts", "list", "--search", "555-0199"])
        #expect(found.standardOutput.contains("Dr. Lee") && !found.standardOutput.contains("Head office"))

        let lee = try #require(try await database.contactPage(ContactListQuery(scope: .everything, search: "Lee")).items.first)
        #expect(lee.ownerName == "alice" && lee.faxNumber == "5550199")
        let removed = try faxline(["contacts", "remove", String(lee.id.prefix(8))])
        #expect(removed.status == 0 && removed.standardOutput.contains("Removed contact \(lee.id)"), "\(removed.standardError)")
        #expect(try await database.contact(id: lee.id) == nil)
    }

    @Test func badInputIsExplained() throws {
        try #require(FaxlineProgram.isBuilt, "faxline is built next to the tests")
        let badNumber = try faxline(["contacts", "add", "Acme", "--number", "call me"])
        #expect(badNumber.status != 0 && badNumber.standardError.contains("is not a phone number"))
        let emptyName = try faxline(["contacts", "add", " ", "--number", "5550100"])
        #expect(emptyName.status != 0 && emptyName.standardError.contains("invalid name: must not be empty"))
        let both = try faxline(["contacts", "add", "Acme", "--number", "5550100", "--user", "alice", "--shared"])
        #expect(both.status != 0 && both.standardError.contains("either --user or --shared"))
        let nobody = try faxline(["contacts", "add", "Acme", "--number", "5550100", "--user", "carol"])
        #expect(nobody.status != 0 && nobody.standardError.contains("no user carol"))
        #expect(try faxline(["contacts", "remove", "0000"]).standardError.contains("no contact 0000"))
        #expect(try faxline(["contacts", "remove", "zz"]).standardError.contains("is not a contact id"))
        #expect(try faxline(["contacts", "list"]).standardOutput.contains("No contacts."))
    }
}
