import FaxCore
import Foundation
import GRDB

/// Rows of `contact`, with the owner's login name.
enum ContactRow {
    static let select = "SELECT c.*, u.name AS ownerName FROM contact c LEFT JOIN user u ON u.id = c.ownerId"

    static func model(_ row: Row) throws -> Contact {
        do {
            return try Contact(
                id: row["id"], ownerID: row["ownerId"], ownerName: row["ownerName"], name: row["name"], company: row["company"],
                faxNumber: row["faxNumber"], note: row["note"], createdAt: row["createdAt"], updatedAt: row["updatedAt"])
        } catch {
            throw StoreCorruption(what: "contact \((row["id"] as String?) ?? "?"): \(error)")
        }
    }
}

/// Where a page of contacts ended: the name and id of its last contact.
struct ContactCursor: Equatable {
    var name: String
    var id: String

    /// The id first: it has a fixed length and no `|`, so any name follows it intact.
    init(decoding text: String) throws {
        let invalid = FaxValidationError(field: "cursor", reason: "is not a cursor this server gave")
        guard text.utf8.count <= 1000, let data = Data(base64URLEncoded: text), let decoded = String(data: data, encoding: .utf8)
        else { throw invalid }
        let parts = decoded.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 36, parts[0].allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == "-") }),
              parts[1].count <= Contact.maximumNameLength
        else { throw invalid }
        id = String(parts[0])
        name = String(parts[1])
    }

    init(name: String, id: String) {
        self.name = name
        self.id = id
    }

    var encoded: String { Data("\(id)|\(name)".utf8).base64URLEncoded }
}

extension StoreTransaction {
    func addContact(_ contact: Contact) throws -> Contact {
        do {
            try db.execute(
                sql: "INSERT INTO contact (id, ownerId, name, company, faxNumber, note, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    contact.id.lowercased(), contact.ownerID, contact.name, contact.company, contact.faxNumber, contact.note,
                    contact.createdAt, contact.updatedAt,
                ])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw RepositoryError.notFound("user \(contact.ownerID.map(String.init) ?? "?")")
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw RepositoryError.conflict("a contact with id \(contact.id) already exists")
        }
        return try stored(contact.id)
    }

    func updateContact(_ contact: Contact) throws -> Contact {
        try db.execute(
            sql: "UPDATE contact SET name = ?, company = ?, faxNumber = ?, note = ?, updatedAt = ? WHERE id = ?",
            arguments: [contact.name, contact.company, contact.faxNumber, contact.note, contact.updatedAt, contact.id.lowercased()])
        guard db.changesCount > 0 else { throw RepositoryError.notFound("contact \(contact.id)") }
        return try stored(contact.id)
    }

    func contact(id: String) throws -> Contact? {
        try Row.fetchOne(db, sql: "\(ContactRow.select) WHERE c.id = ?", arguments: [id.lowercased()]).map(ContactRow.model)
    }

    func removeContact(id: String) throws {
        try db.execute(sql: "DELETE FROM contact WHERE id = ?", arguments: [id.lowercased()])
        guard db.changesCount > 0 else { throw RepositoryError.notFound("contact \(id)") }
    }

    func contactIDs(startingWith prefix: String, limit: Int) throws -> [String] {
        try ids(in: "contact", startingWith: prefix, limit: limit)
    }

    func contactPage(_ query: ContactListQuery) throws -> ListPage<Contact> {
        var conditions: [String] = []
        var arguments = StatementArguments()
        switch query.scope {
        case .addressBook(let userID):
            conditions.append("(c.ownerId IS NULL OR c.ownerId = ?)")
            arguments += [userID]
        case .owned(let userID):
            conditions.append("c.ownerId = ?")
            arguments += [userID]
        case .shared:
            conditions.append("c.ownerId IS NULL")
        case .everything:
            break
        }
        if let search = query.search?.trimmingCharacters(in: .whitespaces), !search.isEmpty {
            guard search.count <= ContactListQuery.maximumSearchLength else {
                throw FaxValidationError(field: "search", reason: "must be at most \(ContactListQuery.maximumSearchLength) characters")
            }
            // A number is found however it was typed: "555-0100" finds +15550100.
            let number = (try? FaxNumber.normalized(search)) ?? search
            conditions.append("(c.name LIKE ? ESCAPE '\\' OR c.company LIKE ? ESCAPE '\\' OR c.faxNumber LIKE ? ESCAPE '\\')")
            let pattern = "%" + Self.likePrefix(search)
            arguments += [pattern, pattern, "%" + Self.likePrefix(number)]
        }
        if let cursor = query.cursor {
            let position = try ContactCursor(decoding: cursor)
            conditions.append("(c.name COLLATE NOCASE > ? OR (c.name COLLATE NOCASE = ? AND c.id > ?))")
            arguments += [position.name, position.name, position.id]
        }
        let (limit, fetch) = ListPage<Contact>.rowsToFetch(query.limit)
        arguments += [fetch]
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try Row.fetchAll(
            db, sql: "\(ContactRow.select) \(filter) ORDER BY c.name COLLATE NOCASE, c.id LIMIT ?", arguments: arguments)
        return try ListPage(rows: rows, limit: limit, item: ContactRow.model, cursor: { ContactCursor(name: $0["name"], id: $0["id"]).encoded })
    }

    private func stored(_ id: String) throws -> Contact {
        guard let contact = try contact(id: id) else { throw RepositoryError.notFound("contact \(id)") }
        return contact
    }
}

extension FaxDatabase: ContactRepository {
    public func addContact(_ contact: Contact) async throws -> Contact { try await write { try $0.addContact(contact) } }
    public func updateContact(_ contact: Contact) async throws -> Contact { try await write { try $0.updateContact(contact) } }
    public func contact(id: String) async throws -> Contact? { try await read { try $0.contact(id: id) } }
    public func removeContact(id: String) async throws { try await write { try $0.removeContact(id: id) } }
    public func contactPage(_ query: ContactListQuery) async throws -> ListPage<Contact> {
        try await read { try $0.contactPage(query) }
    }
    public func contactIDs(startingWith prefix: String, limit: Int) async throws -> [String] {
        try await read { try $0.contactIDs(startingWith: prefix, limit: limit) }
    }
}
