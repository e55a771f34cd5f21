import FaxCore
import GRDB

/// A row of `device`.
struct DeviceRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "device"

    var id: Int64?
    var extensionNumber: String
    var name: String
    var emailAddresses: String
    var deliveryFormat: String
    var stationID: String
    var headerText: String
    var isEnabled: Bool
    var groupName: String?

    enum Columns {
        static let extensionNumber = Column(CodingKeys.extensionNumber)
        static let groupName = Column(CodingKeys.groupName)
    }

    init(_ device: FaxDevice) throws {
        id = device.id
        extensionNumber = device.extensionNumber
        name = device.name
        emailAddresses = try StoreJSON.encode(device.emailAddresses)
        deliveryFormat = device.deliveryFormat.rawValue
        stationID = device.stationID
        headerText = device.headerText
        isEnabled = device.isEnabled
        groupName = device.group
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    func model() throws -> FaxDevice {
        var device = try FaxDevice(
            extensionNumber: extensionNumber, name: name,
            emailAddresses: StoreJSON.decode([String].self, from: emailAddresses, column: "device.emailAddresses"),
            deliveryFormat: decodeEnum(DeliveryFormat.self, deliveryFormat, column: "device.deliveryFormat"),
            stationID: stationID, headerText: headerText, isEnabled: isEnabled, group: groupName)
        device.id = id
        return device
    }
}

extension StoreTransaction {
    func devices() throws -> [FaxDevice] {
        try DeviceRow.order(DeviceRow.Columns.extensionNumber).fetchAll(db).map { try $0.model() }
    }

    func device(extension number: String) throws -> FaxDevice? {
        try DeviceRow.filter(DeviceRow.Columns.extensionNumber == number).fetchOne(db)?.model()
    }

    func addDevice(_ device: FaxDevice) throws -> FaxDevice {
        try device.validate()
        var row = try DeviceRow(device)
        row.id = nil
        do {
            try row.insert(db)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw RepositoryError.conflict("a fax device with extension \(device.extensionNumber) already exists")
        }
        var stored = device
        stored.id = row.id
        return stored
    }

    func updateDevice(_ device: FaxDevice) throws -> FaxDevice {
        try device.validate()
        guard device.id != nil else { throw RepositoryError.notFound("fax device \(device.extensionNumber) (never stored)") }
        do {
            try DeviceRow(device).update(db)
        } catch RecordError.recordNotFound {
            throw RepositoryError.notFound("fax device \(device.extensionNumber)")
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw RepositoryError.conflict("a fax device with extension \(device.extensionNumber) already exists")
        }
        return device
    }

    func removeDevice(extension number: String) throws {
        let ruleIDs = try Int64.fetchAll(
            db, sql: "SELECT id FROM routingRule WHERE targetExtension = ? ORDER BY position", arguments: [number])
        let isDefault = try Bool.fetchOne(
            db, sql: "SELECT defaultExtension = ? FROM routingSettings WHERE id = 1", arguments: [number]) ?? false
        var users: [String] = []
        if !ruleIDs.isEmpty {
            users.append((ruleIDs.count == 1 ? "routing rule " : "routing rules ") + ruleIDs.map(String.init).joined(separator: ", "))
        }
        if isDefault { users.append("the default route") }
        guard users.isEmpty else {
            throw RepositoryError.inUse(
                "fax device \(number) is the target of \(users.joined(separator: " and ")); change those first")
        }
        let deleted = try DeviceRow.filter(DeviceRow.Columns.extensionNumber == number).deleteAll(db)
        guard deleted > 0 else { throw RepositoryError.notFound("fax device \(number)") }
    }

    func setDeviceEnabled(_ enabled: Bool, extension number: String) throws {
        try db.execute(
            sql: "UPDATE device SET isEnabled = ? WHERE extensionNumber = ?", arguments: [enabled, number])
        guard db.changesCount > 0 else { throw RepositoryError.notFound("fax device \(number)") }
    }
}
