import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation
import Store

/// `faxline contacts …`: the address book the web app's Send page picks recipients from.
struct ContactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts",
        abstract: "Add, list and remove address book contacts (name, company, fax number).",
        discussion: """
            A contact is a user's own (--user) or shared with everybody. Users see their own \
            and the shared ones in the web app and the REST API; only administrators change \
            the shared ones. Numbers are stored as dialed, by the rules of faxline send.
            """,
        subcommands: [Add.self, List.self, Remove.self],
        defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a contact; without --user it is shared with everybody.")

        @Argument(help: ArgumentHelp("The person's or office's name.", valueName: "name")) var name: String
        @Option(help: ArgumentHelp("The fax number (spaces, dashes, dots and brackets are dropped).", valueName: "number")) var number: String
        @Option(help: "The company.") var company = ""
        @Option(help: "A note shown with the contact.") var note = ""
        @Option(help: ArgumentHelp("The user whose contact it is.", valueName: "name")) var user: String?
        @Flag(help: "Shared with everybody (the default without --user).") var shared = false
        @OptionGroup var data: DataOptions

        func validate() throws {
            if shared, user != nil { throw ValidationError("give either --user or --shared, not both") }
            _ = try reportingInvalidValues { try Contact(ownerID: nil, name: name, company: company, faxNumber: number, note: note, createdAt: Date()) }
        }

        func run() async throws {
            let database = try data.openDatabase()
            var owner: User?
            if let user { owner = try await ContactsCommand.user(named: user, in: database) }
            let contact = try await database.addContact(try reportingInvalidValues {
                try Contact(ownerID: owner?.id, name: name, company: company, faxNumber: number, note: note, createdAt: Date())
            })
            print("Added contact \(contact.id) for \(owner.map { "user \($0.name)" } ?? "everybody"): \(contact.label), \(contact.faxNumber).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List contacts by name: everybody's, or one user's address book.")

        @Option(help: ArgumentHelp("Only what this user sees: their own contacts and the shared ones.", valueName: "name")) var user: String?
        @Option(help: ArgumentHelp("Only contacts whose name, company or number contains this.", valueName: "text")) var search: String?
        @OptionGroup var data: DataOptions

        func run() async throws {
            let database = try data.openDatabase()
            var scope = ContactScope.everything
            if let user, let id = try await ContactsCommand.user(named: user, in: database).id { scope = .addressBook(userID: id) }
            var contacts: [Contact] = []
            var cursor: String?
            repeat {
                let page = try await reportingInvalidValues {
                    try await database.contactPage(ContactListQuery(scope: scope, search: search, limit: FaxListQuery.maximumLimit, cursor: cursor))
                }
                contacts += page.items
                cursor = page.nextCursor
            } while cursor != nil
            print(contacts.isEmpty ? "No contacts. Add one with: faxline contacts add NAME --number NUMBER" : Self.table(contacts))
        }

        static func table(_ contacts: [Contact]) -> String {
            TextTable.render(
                header: ["ID", "OWNER", "NUMBER", "NAME", "COMPANY"],
                rows: contacts.map { [String($0.id.prefix(8)), $0.ownerName ?? "(shared)", $0.faxNumber, $0.name, $0.company] })
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a contact.")

        @Argument(help: ArgumentHelp("The contact's id, or enough of its start.", valueName: "id")) var id: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            let database = try data.openDatabase()
            let contact = try await lookingUp {
                try await IDPrefixLookup.find(
                    id, naming: "contact", ids: { try await database.contactIDs(startingWith: $0, limit: $1) },
                    record: { try await database.contact(id: $0) })
            }
            try await database.removeContact(id: contact.id)
            print("Removed contact \(contact.id) (\(contact.label), \(contact.faxNumber)).")
        }
    }

    static func user(named name: String, in database: FaxDatabase) async throws -> User {
        guard let user = try await database.user(name: User.loginName(name)) else { throw CommandFailure("no user \(name)") }
        return user
    }
}
