import FaxCore
import Foundation

extension FaxlineAPI {
    // MARK: - Address book

    func listContacts(_ input: Operations.ListContacts.Input) async throws -> Operations.ListContacts.Output {
        let principal = try RequestPrincipal.required()
        let query = input.query
        let scope = try await contactScope(user: query.user, shared: query.shared == true, all: query.all == true, for: principal)
        if case .denied(let denial) = AccessPolicy.decideContactList(principal, scope) { throw APIProblem.forbidden(denial) }
        let page = try await services.contacts.contactPage(
            ContactListQuery(scope: scope, search: query.search, limit: try Self.limit(query.limit), cursor: query.cursor))
        return .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.Contact.init), nextCursor: page.nextCursor))))
    }

    func addContact(_ input: Operations.AddContact.Input) async throws -> Operations.AddContact.Output {
        // Keeping one's own address book is the least that adding asks (a read token may not).
        let caller = try RequestPrincipal.required()
        let principal = try principal(allowedTo: .contact(.change, ownerID: caller.user.id))
        guard case .json(let new) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let owner = try await RecordOwner.resolve(
            nobodys: new.shared == true, userName: new.user, for: principal, accounts: services.accounts,
            othersNeed: .contact(.change, ownerID: nil), nobodysName: "a shared contact")
        let contact = try Contact(
            ownerID: owner?.id, name: new.name, company: new.company ?? "", faxNumber: new.faxNumber, note: new.note ?? "", createdAt: now())
        return .created(.init(body: .json(.init(try await services.contacts.addContact(contact)))))
    }

    func getContact(_ input: Operations.GetContact.Input) async throws -> Operations.GetContact.Output {
        let contact = try await contact(input.path.contactId, allowing: .read)
        return .ok(.init(body: .json(.init(contact))))
    }

    func changeContact(_ input: Operations.ChangeContact.Input) async throws -> Operations.ChangeContact.Output {
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let contact = try await contact(input.path.contactId, allowing: .change)
        let changed = try contact.applying(
            Contact.Changes(name: body.name, company: body.company, faxNumber: body.faxNumber, note: body.note), at: now())
        return .ok(.init(body: .json(.init(try await services.contacts.updateContact(changed)))))
    }

    func removeContact(_ input: Operations.RemoveContact.Input) async throws -> Operations.RemoveContact.Output {
        let contact = try await contact(input.path.contactId, allowing: .change)
        try await services.contacts.removeContact(id: contact.id)
        return .noContent(.init())
    }

    /// The contact, if the principal may do `operation` to it: 404 when there is none, 403 when
    /// it is another user's (or shared, for a change by someone who is not an administrator).
    private func contact(_ id: String, allowing operation: ContactOperation) async throws -> Contact {
        guard UUID(uuidString: id) != nil, let contact = try await services.contacts.contact(id: id) else {
            throw APIProblem.notFound("contact \(id)")
        }
        _ = try principal(allowedTo: .contact(operation, ownerID: contact.ownerID))
        return contact
    }

    /// Whose contacts a list asks for: at most one of `user`, `shared` and `all`; none is the
    /// caller's address book.
    private func contactScope(user: String?, shared: Bool, all: Bool, for principal: Principal) async throws -> ContactScope {
        guard [user != nil, shared, all].filter({ $0 }).count <= 1 else {
            throw APIProblem.badRequest("give at most one of user, shared and all")
        }
        if shared { return .shared }
        if all { return .everything }
        if let user {
            let name = User.loginName(user)
            if name == principal.user.name, let id = principal.user.id { return .owned(userID: id) }
            guard let owner = try await services.accounts.user(name: name), let id = owner.id else { throw APIProblem.notFound("user \(name)") }
            return .owned(userID: id)
        }
        guard let scope = AccessPolicy.contactScope(for: principal) else { throw APIProblem.notFound("the caller's address book") }
        return scope
    }
}

extension Components.Schemas.Contact {
    init(_ contact: Contact) {
        self.init(
            id: contact.id, name: contact.name, company: contact.company, faxNumber: contact.faxNumber, note: contact.note,
            shared: contact.isShared, user: contact.ownerName, createdAt: contact.createdAt, updatedAt: contact.updatedAt)
    }
}
