/// What an extension means to the fax server: where its faxes go and how it identifies itself.
public struct FaxDevice: Sendable, Codable, Equatable {
    /// Assigned by the store; `nil` until the device has been saved.
    public var id: Int64?
    /// The extension number (digits only) that the device owns.
    public var extensionNumber: String
    public var name: String
    /// Where received faxes are mailed; at least one.
    public var emailAddresses: [String]
    public var deliveryFormat: DeliveryFormat
    /// CSID/TSI sent to the far end: up to 20 printable ASCII characters.
    public var stationID: String
    /// Page header line on faxes sent from this device: up to 50 printable ASCII characters.
    public var headerText: String
    public var isEnabled: Bool
    public var group: String?

    public static let maximumEmailAddresses = 20

    /// Creates a device and checks every field.
    public init(
        id: Int64? = nil, extensionNumber: String, name: String, emailAddresses: [String],
        deliveryFormat: DeliveryFormat = .pdf, stationID: String = "", headerText: String = "",
        isEnabled: Bool = true, group: String? = nil
    ) throws {
        self.id = id
        self.extensionNumber = extensionNumber
        self.name = name
        self.emailAddresses = emailAddresses
        self.deliveryFormat = deliveryFormat
        self.stationID = stationID
        self.headerText = headerText
        self.isEnabled = isEnabled
        self.group = group
        try validate()
    }

    /// Checks every field; the store calls it before each write, because the properties are
    /// mutable.
    public func validate() throws {
        _ = try FieldRules.extensionNumber(extensionNumber)
        try Self.validateName(name)
        try Self.validateEmailAddresses(emailAddresses)
        try Self.validateStationID(stationID)
        try Self.validateHeaderText(headerText)
        if let group { _ = try FieldRules.groupName(group) }
    }

    /// Extensions: 1 to 20 digits.
    public static func validateExtension(_ number: String) throws {
        _ = try FieldRules.extensionNumber(number)
    }

    /// Group names: 1 to 64 letters, digits, '-', '_' or '.'.
    public static func validateGroupName(_ group: String) throws {
        _ = try FieldRules.groupName(group)
    }

    static func validateName(_ name: String) throws {
        guard !name.allSatisfy(\.isWhitespace) else {
            throw FaxValidationError(field: "name", reason: "must not be empty")
        }
        guard name.count <= 100 else {
            throw FaxValidationError(field: "name", reason: "must be at most 100 characters (it has \(name.count))")
        }
        guard !FieldRules.hasControlCharacters(name) else {
            throw FaxValidationError(field: "name", reason: "\(FieldRules.quoted(name)) contains control characters")
        }
    }

    static func validateEmailAddresses(_ addresses: [String]) throws {
        guard !addresses.isEmpty else {
            throw FaxValidationError(field: "email", reason: "a device needs at least one email address")
        }
        guard addresses.count <= maximumEmailAddresses else {
            throw FaxValidationError(
                field: "email", reason: "at most \(maximumEmailAddresses) addresses (got \(addresses.count))")
        }
        var seen = Set<String>()
        for address in addresses {
            try EmailAddress.validate(address)
            guard seen.insert(address.lowercased()).inserted else {
                throw FaxValidationError(field: "email", reason: "\(FieldRules.quoted(address)) is listed twice")
            }
        }
    }

    static func validateStationID(_ stationID: String) throws {
        guard stationID.utf8.count <= 20, FieldRules.isPrintableASCII(stationID) else {
            throw FaxValidationError(
                field: "station id", reason: "\(FieldRules.quoted(stationID)) must be at most 20 printable ASCII characters")
        }
    }

    static func validateHeaderText(_ headerText: String) throws {
        guard headerText.utf8.count <= 50, FieldRules.isPrintableASCII(headerText) else {
            throw FaxValidationError(
                field: "header", reason: "\(FieldRules.quoted(headerText)) must be at most 50 printable ASCII characters")
        }
    }
}

extension FaxDevice {
    /// Fields to change on an existing device; `nil` leaves a field as it is.
    public struct Changes: Sendable, Equatable {
        public enum GroupChange: Sendable, Equatable {
            case set(String)
            case remove
        }

        public var name: String?
        public var emailAddresses: [String]?
        public var deliveryFormat: DeliveryFormat?
        public var stationID: String?
        public var headerText: String?
        public var isEnabled: Bool?
        public var group: GroupChange?

        public init(
            name: String? = nil, emailAddresses: [String]? = nil, deliveryFormat: DeliveryFormat? = nil,
            stationID: String? = nil, headerText: String? = nil, isEnabled: Bool? = nil, group: GroupChange? = nil
        ) {
            self.name = name
            self.emailAddresses = emailAddresses
            self.deliveryFormat = deliveryFormat
            self.stationID = stationID
            self.headerText = headerText
            self.isEnabled = isEnabled
            self.group = group
        }

        public var isEmpty: Bool { self == Changes() }
    }

    /// The device with `changes` applied, checked.
    public func applying(_ changes: Changes) throws -> FaxDevice {
        var changed = self
        if let name = changes.name { changed.name = name }
        if let emailAddresses = changes.emailAddresses { changed.emailAddresses = emailAddresses }
        if let deliveryFormat = changes.deliveryFormat { changed.deliveryFormat = deliveryFormat }
        if let stationID = changes.stationID { changed.stationID = stationID }
        if let headerText = changes.headerText { changed.headerText = headerText }
        if let isEnabled = changes.isEnabled { changed.isEnabled = isEnabled }
        switch changes.group {
        case .set(let group): changed.group = group
        case .remove: changed.group = nil
        case nil: break
        }
        try changed.validate()
        return changed
    }
}
