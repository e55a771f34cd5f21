import FaxCore
import Foundation
import StoreTestSupport
import Testing

@testable import Store

/// The address book's repository contract: users' and shared contacts, keyset pages by name,
/// search, and what the schema refuses on its own.
@Suite struct ContactStoreTests {
    let now = Sample.start

    func users(_ store: any FaxStore) async throws -> (alice: User, bob: User) {
        let alice = try await store.addUser(User(name: "alice", email: "a@example.com", createdAt: now), passwordHash: nil)
        let bob = try await store.addUser(User(name: "bob", email: "b@example.com", createdAt: now), passwordHash: nil)
        return (alice, bob)
    }

    @Test(arguments: StoreKind.allCases)
    func contactsAreAddedChangedAndRemoved(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        let (alice, _) = try await users(store)
        let added = try await store.addContact(
            try Contact(ownerID: alice.id, name: " Acme Legal ", company: "Acme", faxNumber: "+1 (555) 010-0", note: "ask for Ann", createdAt: now))
        #expect(added.name == "Acme Legal")
        #expect(added.faxNumber == "+15550100")
        #expect(added.ownerName == "alice")

        let changed = try added.applying(Contact.Changes(company: "Acme Inc.", faxNumber: "555 0199"), at: now.addingTimeInterval(60))
        let stored = try await store.updateContact(changed)
        #expect(stored.company == "Acme Inc.")
        #expect(stored.faxNumber == "5550199")
        #expect(stored.updatedAt == now.addingTimeInterval(60))
        #expect(try await store.contact(id: added.id.uppercased()) == stored)

        try await store.removeContact(id: added.id)
        #expect(try await store.contact(id: added.id) == nil)
        await #expect(throws: RepositoryError.notFound("contact \(added.id)")) { try await store.removeContact(id: added.id) }
        await #expect(throws: RepositoryError.notFound("contact \(added.id)")) { try await store.updateContact(stored) }
    }

    @Test(arguments: StoreKind.allCases)
    func aContactForAUserWhoDoesNotExistIsRefused(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        await #expect(throws: RepositoryError.notFound("user 42")) {
            try await store.addContact(try Contact(ownerID: 42, name: "Nobody's", faxNumber: "5550100", createdAt: now))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func scopesShowOwnAndSharedContacts(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        let (alice, bob) = try await users(store)
        for (owner, name) in [(alice.id, "Alice's doctor"), (bob.id, "Bob's bank"), (nil, "Head office")] {
            _ = try await store.addContact(try Contact(ownerID: owner, name: name, faxNumber: "5550100", createdAt: now))
        }
        func names(_ scope: ContactScope) async throws -> [String] {
            try await store.contactPage(ContactListQuery(scope: scope)).items.map(\.name)
        }
        #expect(try await names(.addressBook(userID: alice.id!)) == ["Alice's doctor", "Head office"])
        #expect(try await names(.owned(userID: bob.id!)) == ["Bob's bank"])
        #expect(try await names(.shared) == ["Head office"])
        #expect(try await names(.everything) == ["Alice's doctor", "Bob's bank", "Head office"])

        // A user's contacts go with the user.
        try await store.removeUser(name: "bob")
        #expect(try await names(.everything) == ["Alice's doctor", "Head office"])
    }

    @Test(arguments: StoreKind.allCases)
    func pagesWalkByNameWithoutCaseAndSearchFindsNumbersAsTyped(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        let names = ["delta", "Alpha", "charlie", "Bravo", "echo|pipe", "alpha"]
        for (index, name) in names.enumerated() {
            _ = try await store.addContact(try Contact(ownerID: nil, name: name, company: index == 2 ? "100% Fax" : "", faxNumber: "+4930555\(index)", createdAt: now))
        }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await store.contactPage(ContactListQuery(scope: .shared, limit: 4, cursor: cursor))
            seen += page.items.map(\.name)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen.map { $0.lowercased() } == ["alpha", "alpha", "bravo", "charlie", "delta", "echo|pipe"])

        func search(_ text: String) async throws -> [String] {
            try await store.contactPage(ContactListQuery(scope: .shared, search: text)).items.map(\.name)
        }
        #expect(try await search("HARL") == ["charlie"])
        #expect(try await search("100%") == ["charlie"])
        #expect(try await search("%") == ["charlie"])
        #expect(try await search("+49 30 5553") == ["Bravo"])
        #expect(try await search("nobody").isEmpty)
        await #expect(throws: FaxValidationError.self) {
            try await store.contactPage(ContactListQuery(scope: .shared, cursor: "not-ours"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func idsAreFoundByTheirStart(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        let contact = try await store.addContact(try Contact(ownerID: nil, name: "Head office", faxNumber: "5550100", createdAt: now))
        #expect(try await store.contactIDs(startingWith: String(contact.id.prefix(8)).uppercased(), limit: 5) == [contact.id])
        #expect(try await store.contactIDs(startingWith: "ffffffff-ffff", limit: 5).isEmpty)
    }

    static let badContactRows: [String] = [
        "('short', NULL, 'n', '', '5550100', '', 0, 0)",
        "('\(UUID().uuidString)', NULL, '   ', '', '5550100', '', 0, 0)",
        "('\(UUID().uuidString)', NULL, NULL, '', '5550100', '', 0, 0)",
        "('\(UUID().uuidString)', NULL, '\(String(repeating: "n", count: 101))', '', '5550100', '', 0, 0)",
        "('\(UUID().uuidString)', NULL, 'n', '\(String(repeating: "c", count: 101))', '5550100', '', 0, 0)",
        "('\(UUID().uuidString)', NULL, 'n', '', '555 0100', '', 0, 0)",
        "('\(UUID().uuidString)', NULL, 'n', '', '555&0100', '', 0, 0)",
        "('\(UUID().uuidString)', NULL, 'n', '', '55+50100', '', 0, 0)",
        "('\(UUID().uuidString)', NULL, 'n', '', '+', '', 0, 0)",
        "('\(UUID().uuidString)', NULL, 'n', '', '\(String(repeating: "5", count: 33))', '', 0, 0)",
        "('\(UUID().uuidString)', NULL, 'n', '', '5550100', '\(String(repeating: "x", count: 501))', 0, 0)",
        "('\(UUID().uuidString)', NULL, 'n', '', '5550100', '', 10, 0)",
        "('\(UUID().uuidString)', 99, 'n', '', '5550100', '', 0, 0)",
    ]

    @Test(arguments: badContactRows)
    func badContactRowsAreRefused(_ values: String) throws {
        let database = try FaxDatabase.inMemory()
        let insert = "INSERT INTO contact (id, ownerId, name, company, faxNumber, note, createdAt, updatedAt) VALUES "
        try database.executeRaw(insert + "('\(UUID().uuidString)', NULL, 'n', '', '+*#5550100', '', 0, 0)")
        #expect(throws: (any Error).self) { try database.executeRaw(insert + values) }
    }
}
