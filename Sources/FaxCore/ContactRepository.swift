import Foundation

/// The address book. Fields are checked by `Contact`; the store adds the schema's own checks
/// and refuses a contact for a user that does not exist (`RepositoryError.notFound`).
public protocol ContactRepository: Sendable {
    func addContact(_ contact: Contact) async throws -> Contact
    /// Stores the fields of `contact` (not its owner or creation time) under its id.
    func updateContact(_ contact: Contact) async throws -> Contact
    func contact(id: String) async throws -> Contact?
    func removeContact(id: String) async throws
    func contactPage(_ query: ContactListQuery) async throws -> ListPage<Contact>
    /// Ids that start with `prefix` (lowercased), in order, at most `limit`.
    func contactIDs(startingWith prefix: String, limit: Int) async throws -> [String]
}
