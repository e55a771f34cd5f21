import Foundation

/// An address book entry: someone faxes are sent to. A contact is a user's own, or (no owner)
/// shared with everybody; who may read and change which is `AccessPolicy`'s business
/// (`AccessRequest.contact`).
public struct Contact: Sendable, Equatable {
    /// A UUID in lowercase; people name it by its first characters.
    public var id: String
    /// The user it belongs to; `nil`: shared with everybody.
    public var ownerID: Int64?
    /// The owner's login name, filled in by the store.
    public var ownerName: String?
    public var name: String
    public var company: String
    /// As dialed (`FaxNumber.normalized`), so that the address book never holds a number
    /// `faxline send` would refuse.
    public var faxNumber: String
    public var note: String
    public var createdAt: Date
    public var updatedAt: Date

    public static let maximumNameLength = 100
    public static let maximumCompanyLength = 100
    public static let maximumNoteLength = 500

    /// Checks every field: the name and company are trimmed, the number normalized.
    public init(
        id: String = UUID().uuidString.lowercased(), ownerID: Int64?, ownerName: String? = nil, name: String, company: String = "",
        faxNumber: String, note: String = "", createdAt: Date, updatedAt: Date? = nil
    ) throws(FaxValidationError) {
        self.id = id
        self.ownerID = ownerID
        self.ownerName = ownerName
        self.name = try Self.text(name, field: "name", maximum: Self.maximumNameLength, required: true)
        self.company = try Self.text(company, field: "company", maximum: Self.maximumCompanyLength, required: false)
        self.faxNumber = try FaxNumber.normalized(faxNumber, field: "fax number")
        self.note = try Self.text(note, field: "note", maximum: Self.maximumNoteLength, required: false, allowingLineBreaks: true)
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    public var isShared: Bool { ownerID == nil }

    /// The contact with `changes` applied at `now`, checked like a new one.
    public func applying(_ changes: Changes, at now: Date) throws(FaxValidationError) -> Contact {
        try Contact(
            id: id, ownerID: ownerID, ownerName: ownerName, name: changes.name ?? name, company: changes.company ?? company,
            faxNumber: changes.faxNumber ?? faxNumber, note: changes.note ?? note, createdAt: createdAt, updatedAt: max(now, createdAt))
    }

    /// How lists and the Send preview show it: "Name (Company)".
    public var label: String { company.isEmpty ? name : "\(name) (\(company))" }

    /// Fields to change; `nil` leaves one as it is. The owner never changes: a contact moves
    /// between address books by being added to the other and removed from this one.
    public struct Changes: Sendable, Equatable {
        public var name: String?
        public var company: String?
        public var faxNumber: String?
        public var note: String?

        public init(name: String? = nil, company: String? = nil, faxNumber: String? = nil, note: String? = nil) {
            self.name = name
            self.company = company
            self.faxNumber = faxNumber
            self.note = note
        }
    }

    private static func text(
        _ value: String, field: String, maximum: Int, required: Bool, allowingLineBreaks: Bool = false
    ) throws(FaxValidationError) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if required, trimmed.isEmpty { throw FaxValidationError(field: field, reason: "must not be empty") }
        guard trimmed.count <= maximum else {
            throw FaxValidationError(field: field, reason: "must be at most \(maximum) characters (it has \(trimmed.count))")
        }
        // A note may have several lines; nothing else may hold a line break.
        let unified = allowingLineBreaks ? trimmed.replacingOccurrences(of: "\r\n", with: "\n") : trimmed
        let checked = allowingLineBreaks ? unified.replacingOccurrences(of: "\n", with: " ") : unified
        guard !FieldRules.hasControlCharacters(checked) else {
            throw FaxValidationError(field: field, reason: "\(FieldRules.quoted(value)) must not hold control characters")
        }
        return unified
    }
}

/// Whose contacts a list shows (`AccessPolicy.decideContactList` says who may ask for which).
public enum ContactScope: Sendable, Equatable {
    /// A user's address book: their own contacts and the shared ones.
    case addressBook(userID: Int64)
    /// Only this user's own.
    case owned(userID: Int64)
    case shared
    /// Every user's and the shared ones (administrators).
    case everything
}

/// The address book as people page through it: by name (then id), keyset paging like the
/// other lists.
public struct ContactListQuery: Sendable, Equatable {
    public var scope: ContactScope
    /// Name, company or fax number containing this, in any case (for the number: also as
    /// typed with spaces or dashes).
    public var search: String?
    public var limit: Int
    /// Where the previous page ended (`ListPage.nextCursor`).
    public var cursor: String?

    public static let maximumSearchLength = 100

    public init(scope: ContactScope, search: String? = nil, limit: Int = 50, cursor: String? = nil) {
        self.scope = scope
        self.search = search
        self.limit = limit
        self.cursor = cursor
    }
}
