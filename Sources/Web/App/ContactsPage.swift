import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// The address book: the user's own contacts and the shared ones by name, searched and paged
/// like the inbox; adding, changing and removing what `AccessPolicy` lets the user change (their
/// own; the shared ones for administrators, who may also list everybody's). The contacts are
/// the store's (`APIServices.contacts`), as the API's are.
struct ContactsPage: Sendable {
    let app: WebApp
    static let href = "/contacts"

    struct Row {
        var id: String
        var name: String
        var company: String
        var number: String
        var note: String
        var owner: String
        var sendHref: String
        var editHref: String?
    }

    /// What the add or edit form holds (again, after a refusal).
    struct Fields {
        var name = ""
        var company = ""
        var number = ""
        var note = ""
        var shared = false

        init() {}

        init(_ form: WebForm) {
            name = form["name"] ?? ""
            company = form["company"] ?? ""
            number = form["number"] ?? ""
            note = form["note"] ?? ""
            shared = form.flag("shared")
        }

        init(_ contact: Contact) {
            name = contact.name
            company = contact.company
            number = contact.faxNumber
            note = contact.note
            shared = contact.isShared
        }
    }

    struct Model {
        var chrome: Chrome
        var notice: String?
        var message: String?
        /// `nil` (not empty) without a search: the template shows "Clear" and "that match" only then.
        var search: String?
        var everybody: Bool
        var mayListEverybody: Bool
        var mayShare: Bool
        var summary: String?
        var contacts: [Row]
        var empty: Bool
        var firstHref: String?
        var nextHref: String?
        var new: Fields
    }

    struct EditModel {
        var chrome: Chrome
        var message: String?
        var action: String
        var owner: String
        var fields: Fields
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/contacts") { request, context in try await show(request, context: context) }
        router.post("/contacts") { request, context in try await add(request, context: context) }
        router.get("/contacts/:id") { request, context in try await edit(request, context: context) }
        router.post("/contacts/:id") { request, context in try await change(request, context: context) }
        router.post("/contacts/:id/remove") { request, context in try await remove(request, context: context) }
    }

    private func show(_ request: Request, context: WebRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let notice: String? = switch WebForm(query: request)["done"] {
        case "added": "The contact was added."
        case "changed": "The contact was changed."
        case "removed": "The contact was removed."
        default: nil
        }
        return try await page(session, query: WebForm(query: request), notice: notice)
    }

    private func add(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session) = try await WebForm.posted(request, context: context)
        let fields = Fields(form)
        let ownerID = fields.shared ? nil : session.principal.user.id
        try WebApp.require(session, .contact(.change, ownerID: ownerID))
        do {
            let contact = try Contact(
                ownerID: ownerID, name: fields.name, company: fields.company, faxNumber: fields.number, note: fields.note, createdAt: app.now())
            _ = try await app.services.contacts.addContact(contact)
        } catch {
            return try await page(session, query: WebForm(encoded: ""), refusal: try PeoplePages.Refusal.from(error), new: fields)
        }
        return WebApp.redirect(Self.href + "?done=added")
    }

    private func edit(_ request: Request, context: WebRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let contact = try await contact(context, session: session)
        return editPage(session, contact: contact, fields: Fields(contact))
    }

    private func change(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session) = try await WebForm.posted(request, context: context)
        let contact = try await contact(context, session: session)
        let fields = Fields(form)
        do {
            let changed = try contact.applying(
                Contact.Changes(name: fields.name, company: fields.company, faxNumber: fields.number, note: fields.note), at: app.now())
            _ = try await app.services.contacts.updateContact(changed)
        } catch {
            return editPage(session, contact: contact, fields: fields, refusal: try PeoplePages.Refusal.from(error))
        }
        return WebApp.redirect(Self.href + "?done=changed")
    }

    private func remove(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (_, session) = try await WebForm.posted(request, context: context)
        let contact = try await contact(context, session: session)
        try await app.services.contacts.removeContact(id: contact.id)
        return WebApp.redirect(Self.href + "?done=removed")
    }

    /// The contact of the URL, if the user may change it: 404 when there is none, 403 when it
    /// is another user's or (for someone who is not an administrator) shared.
    private func contact(_ context: WebRequestContext, session: WebSessions.SignedIn) async throws -> Contact {
        let id = try context.parameters.require("id")
        guard UUID(uuidString: id) != nil, let contact = try await app.services.contacts.contact(id: id) else {
            throw WebPageError.notFound("Contact \(id)")
        }
        try WebApp.require(session, .contact(.change, ownerID: contact.ownerID))
        return contact
    }

    private func editPage(_ session: WebSessions.SignedIn, contact: Contact, fields: Fields, refusal: PeoplePages.Refusal? = nil) -> Response {
        let model = EditModel(
            chrome: Chrome(title: "Contact \(contact.name)", session: session, current: .contacts), message: refusal?.message,
            action: Self.href + "/" + contact.id, owner: Self.owner(of: contact, for: session.principal), fields: fields)
        return app.renderer.page("contact", model, status: refusal?.status ?? .ok)
    }

    private func page(
        _ session: WebSessions.SignedIn, query: WebForm, notice: String? = nil, refusal: PeoplePages.Refusal? = nil, new: Fields = Fields()
    ) async throws -> Response {
        let principal = session.principal
        let search = query.text("q").map { String($0.prefix(ContactListQuery.maximumSearchLength)) }
        let mayListEverybody = AccessPolicy.decideContactList(principal, .everything).isAllowed
        let everybody = mayListEverybody && query.flag("all")
        guard let own = AccessPolicy.contactScope(for: principal) else { throw WebPageError.notFound("Your address book") }
        let cursor = query.text("cursor")
        let page = try await app.services.contacts.contactPage(
            ContactListQuery(scope: everybody ? .everything : own, search: search, limit: InboxPage.pageSize, cursor: cursor))
        let filters: [(String, String)] = [("q", search ?? ""), ("all", everybody ? "1" : "")].filter { !$0.1.isEmpty }
        let model = Model(
            chrome: Chrome(title: "Contacts", session: session, current: .contacts), notice: notice, message: refusal?.message,
            search: search, everybody: everybody, mayListEverybody: mayListEverybody,
            mayShare: AccessPolicy.decide(principal, .contact(.change, ownerID: nil)).isAllowed,
            summary: page.items.isEmpty ? nil : Plural.count(page.items.count, cursor == nil ? "contact" : "more contact")
                + (page.nextCursor == nil ? "" : ", more below"),
            contacts: page.items.map { contact in
                Row(id: contact.id, name: contact.name, company: contact.company, number: contact.faxNumber, note: contact.note,
                    owner: Self.owner(of: contact, for: principal), sendHref: "/send?" + WebForm.encode([("contact", contact.id)]),
                    editHref: AccessPolicy.decide(principal, .contact(.change, ownerID: contact.ownerID)).isAllowed
                        ? Self.href + "/" + contact.id : nil)
            },
            empty: page.items.isEmpty,
            firstHref: cursor == nil ? nil : Self.href + (filters.isEmpty ? "" : "?" + WebForm.encode(filters)),
            nextHref: page.nextCursor.map { Self.href + "?" + WebForm.encode(filters + [("cursor", $0)]) }, new: new)
        return app.renderer.page("contacts", model, status: refusal?.status ?? .ok)
    }

    /// Whose it is, from the reader's side.
    static func owner(of contact: Contact, for principal: Principal) -> String {
        guard let ownerID = contact.ownerID else { return "shared" }
        return ownerID == principal.user.id ? "yours" : contact.ownerName ?? "another user"
    }
}
