import Foundation

/// A person (or a program) who uses Faxline through the web app, the REST API or the mail
/// gateway. A user owns fax devices: they see those devices' faxes and send as them.
/// Administrators see and manage everything.
public struct User: Sendable, Codable, Equatable {
    /// Assigned by the store; `nil` until the user has been saved.
    public var id: Int64?
    /// The login name: see `validateName`.
    public var name: String
    /// How the user is shown; empty means the login name.
    public var displayName: String
    public var email: String
    public var isAdmin: Bool
    /// A disabled user can neither sign in nor use a token.
    public var isEnabled: Bool
    /// Extensions of the devices the user owns, sorted, each once.
    public var deviceExtensions: [String]
    public var createdAt: Date
    public var updatedAt: Date
    public var lastLoginAt: Date?
    /// Set by the store. A user without a password signs in only with API tokens.
    public var hasPassword: Bool

    public static let maximumNameLength = 64
    public static let maximumDisplayNameLength = 100
    public static let maximumDevices = 500

    /// Creates a user and checks every field. Device extensions are sorted and repeated ones
    /// dropped.
    public init(
        id: Int64? = nil, name: String, displayName: String = "", email: String, isAdmin: Bool = false,
        isEnabled: Bool = true, deviceExtensions: [String] = [], createdAt: Date, updatedAt: Date? = nil,
        lastLoginAt: Date? = nil, hasPassword: Bool = false
    ) throws {
        self.id = id
        self.name = name
        self.displayName = displayName
        self.email = email
        self.isAdmin = isAdmin
        self.isEnabled = isEnabled
        self.deviceExtensions = Self.normalizedDevices(deviceExtensions)
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.lastLoginAt = lastLoginAt
        self.hasPassword = hasPassword
        try validate()
    }

    /// The display name, or the login name when there is none.
    public var shownName: String { displayName.isEmpty ? name : displayName }

    /// Checks every field; the store calls it before each write, because the properties are
    /// mutable.
    public func validate() throws {
        try Self.validateName(name)
        guard displayName.count <= Self.maximumDisplayNameLength, !FieldRules.hasControlCharacters(displayName) else {
            throw FaxValidationError(
                field: "display name",
                reason: "\(FieldRules.quoted(displayName)) must be at most \(Self.maximumDisplayNameLength) characters without control characters")
        }
        try EmailAddress.validate(email)
        guard deviceExtensions.count <= Self.maximumDevices else {
            throw FaxValidationError(field: "device", reason: "a user owns at most \(Self.maximumDevices) devices")
        }
        for number in deviceExtensions { _ = try FieldRules.extensionNumber(number, field: "device") }
        guard updatedAt >= createdAt else {
            throw FaxValidationError(field: "user", reason: "changed before it was created")
        }
    }

    /// Login names: 1 to 64 lowercase letters, digits, '.', '_', '-' or '@', starting with a
    /// letter or a digit — safe in a URL, a mail address and an SMTP AUTH exchange.
    public static func validateName(_ name: String) throws {
        let allowed = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@")
        }
        let startsWell = name.utf8.first.map { first in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        } ?? false
        guard !name.isEmpty, name.utf8.count <= maximumNameLength, allowed, startsWell else {
            let hint = name != name.lowercased() ? " (use lowercase letters)" : ""
            throw FaxValidationError(
                field: "user name",
                reason: "\(FieldRules.quoted(name)) must be 1 to \(maximumNameLength) lowercase letters, digits, '.', '_', '-' or '@', "
                    + "starting with a letter or digit\(hint)")
        }
    }

    /// What a person typed as their login name, as it is stored: names are compared without
    /// case and without surrounding blanks.
    public static func loginName(_ typed: String) -> String {
        typed.trimmingCharacters(in: .whitespaces).lowercased()
    }

    static func normalizedDevices(_ extensions: [String]) -> [String] {
        Array(Set(extensions)).sorted()
    }
}

extension User {
    /// Fields to change on an existing user; `nil` leaves a field as it is.
    public struct Changes: Sendable, Equatable {
        public var displayName: String?
        public var email: String?
        public var isAdmin: Bool?
        public var isEnabled: Bool?
        public var addDevices: [String]
        public var removeDevices: [String]

        public init(
            displayName: String? = nil, email: String? = nil, isAdmin: Bool? = nil, isEnabled: Bool? = nil,
            addDevices: [String] = [], removeDevices: [String] = []
        ) {
            self.displayName = displayName
            self.email = email
            self.isAdmin = isAdmin
            self.isEnabled = isEnabled
            self.addDevices = addDevices
            self.removeDevices = removeDevices
        }

        public var isEmpty: Bool { self == Changes() }
    }

    /// The user with `changes` applied at `now`, checked. Removing a device the user does not
    /// own is an error (a typo should not pass silently).
    public func applying(_ changes: Changes, at now: Date) throws -> User {
        var changed = self
        if let displayName = changes.displayName { changed.displayName = displayName }
        if let email = changes.email { changed.email = email }
        if let isAdmin = changes.isAdmin { changed.isAdmin = isAdmin }
        if let isEnabled = changes.isEnabled { changed.isEnabled = isEnabled }
        for number in changes.removeDevices where !deviceExtensions.contains(number) {
            throw FaxValidationError(field: "device", reason: "\(name) does not own device \(FieldRules.quoted(number))")
        }
        let removed = Set(changes.removeDevices)
        changed.deviceExtensions = Self.normalizedDevices(changed.deviceExtensions.filter { !removed.contains($0) } + changes.addDevices)
        changed.updatedAt = max(now, createdAt)
        try changed.validate()
        return changed
    }

    /// What `changed` differs in from this user, in words for the audit log ("email, devices
    /// +201 -200, administrator").
    public func differences(to changed: User) -> [String] {
        var parts: [String] = []
        if displayName != changed.displayName { parts.append("display name") }
        if email != changed.email { parts.append("email \(changed.email)") }
        let added = Set(changed.deviceExtensions).subtracting(deviceExtensions)
        let removed = Set(deviceExtensions).subtracting(changed.deviceExtensions)
        if !added.isEmpty || !removed.isEmpty {
            let words = Self.normalizedDevices(Array(added)).map { "+" + $0 } + Self.normalizedDevices(Array(removed)).map { "-" + $0 }
            parts.append("devices " + words.joined(separator: " "))
        }
        if isAdmin != changed.isAdmin { parts.append(changed.isAdmin ? "made administrator" : "no longer administrator") }
        if isEnabled != changed.isEnabled { parts.append(changed.isEnabled ? "enabled" : "disabled") }
        return parts
    }
}
