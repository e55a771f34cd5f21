import FaxCore
import StoreTestSupport
import Foundation
import GRDB
import Testing

@testable import Store

/// The schema refuses bad rows on its own, whatever code writes them.
@Suite struct SchemaConstraintTests {
    static let goodDevice =
        "INSERT INTO device (extensionNumber, name, emailAddresses, deliveryFormat, stationID, headerText, isEnabled, groupName) VALUES "

    static let badDeviceRows: [String] = [
        "('20a', 'n', '[\"a@b.c\"]', 'pdf', '', '', 1, NULL)",
        "('', 'n', '[\"a@b.c\"]', 'pdf', '', '', 1, NULL)",
        "('123456789012345678901', 'n', '[\"a@b.c\"]', 'pdf', '', '', 1, NULL)",
        "('200', '', '[\"a@b.c\"]', 'pdf', '', '', 1, NULL)",
        "('200', NULL, '[\"a@b.c\"]', 'pdf', '', '', 1, NULL)",
        "('200', 'n', '[]', 'pdf', '', '', 1, NULL)",
        "('200', 'n', 'a@b.c', 'pdf', '', '', 1, NULL)",
        "('200', 'n', '[\"a@b.c\"]', 'fax', '', '', 1, NULL)",
        "('200', 'n', '[\"a@b.c\"]', 'pdf', '123456789012345678901', '', 1, NULL)",
        "('200', 'n', '[\"a@b.c\"]', 'pdf', '', '\(String(repeating: "h", count: 51))', 1, NULL)",
        "('200', 'n', '[\"a@b.c\"]', 'pdf', '', '', 2, NULL)",
        "('200', 'n', '[\"a@b.c\"]', 'pdf', '', '', 1, 'bad group')",
    ]

    @Test(arguments: badDeviceRows)
    func badDeviceRowsAreRefused(_ values: String) throws {
        let database = try FaxDatabase.inMemory()
        #expect(throws: DatabaseError.self) { try database.executeRaw(Self.goodDevice + values) }
    }

    @Test func goodDeviceRowIsAcceptedAndDuplicateExtensionRefused() throws {
        let database = try FaxDatabase.inMemory()
        try database.executeRaw(Self.goodDevice + "('200', 'n', '[\"a@b.c\"]', 'pdf', '', '', 1, 'sales-1')")
        #expect(throws: DatabaseError.self) {
            try database.executeRaw(Self.goodDevice + "('200', 'm', '[\"a@b.c\"]', 'pdf', '', '', 1, NULL)")
        }
    }

    @Test func ruleRowsNeedAConsistentActionAndAnExistingDevice() throws {
        let database = try FaxDatabase.inMemory()
        try database.executeRaw(Self.goodDevice + "('200', 'n', '[\"a@b.c\"]', 'pdf', '', '', 1, NULL)")
        let insert = "INSERT INTO routingRule (position, action, targetExtension) VALUES "
        try database.executeRaw(insert + "(1, 'deliver', '200')")
        try database.executeRaw(insert + "(2, 'reject', NULL)")
        for bad in ["(3, 'deliver', NULL)", "(3, 'reject', '200')", "(3, 'deliver', '999')", "(0, 'reject', NULL)", "(3, 'drop', NULL)"] {
            #expect(throws: DatabaseError.self, "\(bad)") { try database.executeRaw(insert + bad) }
        }
        #expect(throws: DatabaseError.self) { try database.executeRaw("DELETE FROM device WHERE extensionNumber = '200'") }
        #expect(throws: DatabaseError.self) { try database.executeRaw("INSERT INTO routingSettings (id) VALUES (2)") }
    }

    @Test func faxRowsAreChecked() throws {
        let database = try FaxDatabase.inMemory()
        let id = UUID().uuidString.lowercased()
        let columns = "INSERT INTO fax (id, direction, createdAt, status, tiffPath, pages, events, deliveryState) VALUES "
        try database.executeRaw(columns + "('\(id)', 'received', '2026-11-23 10:00:00.000', 'received', 'in/a.tif', 1, '[]', 'none')")
        let bad = [
            "('short', 'received', '2026-11-23 10:00:00.000', 'received', NULL, 1, '[]', 'none')",
            "('\(UUID().uuidString)', 'sideways', '2026-11-23 10:00:00.000', 'received', NULL, 1, '[]', 'none')",
            "('\(UUID().uuidString)', 'received', NULL, 'received', NULL, 1, '[]', 'none')",
            "('\(UUID().uuidString)', 'received', '2026-11-23 10:00:00.000', 'lost', NULL, 1, '[]', 'none')",
            "('\(UUID().uuidString)', 'received', '2026-11-23 10:00:00.000', 'received', '/etc/passwd', 1, '[]', 'none')",
            "('\(UUID().uuidString)', 'received', '2026-11-23 10:00:00.000', 'received', 'in/../../x', 1, '[]', 'none')",
            "('\(UUID().uuidString)', 'received', '2026-11-23 10:00:00.000', 'received', NULL, -1, '[]', 'none')",
            "('\(UUID().uuidString)', 'received', '2026-11-23 10:00:00.000', 'received', NULL, 1, 'not json', 'none')",
            "('\(UUID().uuidString)', 'received', '2026-11-23 10:00:00.000', 'received', NULL, 1, '[]', 'lost')",
            "('\(id)', 'received', '2026-11-23 10:00:00.000', 'received', NULL, 1, '[]', 'none')",
        ]
        for values in bad {
            #expect(throws: DatabaseError.self, "\(values)") { try database.executeRaw(columns + values) }
        }
        #expect(throws: DatabaseError.self) {
            try database.executeRaw("UPDATE fax SET finishedAt = '2026-11-23 09:00:00.000' WHERE id = '\(id)'")
        }
    }

    @Test func deliveryRowsAreCheckedAndGoWithTheirFax() throws {
        let database = try FaxDatabase.inMemory()
        let id = UUID().uuidString.lowercased()
        try database.executeRaw(
            "INSERT INTO fax (id, direction, createdAt, status) VALUES ('\(id)', 'received', '2026-11-23 10:00:00.000', 'received')")
        let insert = "INSERT INTO mailDelivery (faxId, recipient, format, state, nextAttemptAt, deliveredAt, createdAt) VALUES "
        let now = "'2026-11-23 10:00:00.000'"
        try database.executeRaw(insert + "('\(id)', 'a@b.c', 'pdf', 'pending', \(now), NULL, \(now))")
        let bad = [
            "('\(id)', 'a@b.c', 'pdf', 'pending', \(now), NULL, \(now))",  // same recipient twice
            "('\(UUID().uuidString.lowercased())', 'x@b.c', 'pdf', 'pending', \(now), NULL, \(now))",  // no such fax
            "('\(id)', 'y@b.c', 'pdf', 'pending', NULL, NULL, \(now))",  // pending without a due time
            "('\(id)', 'y@b.c', 'pdf', 'delivered', NULL, NULL, \(now))",  // delivered without a time
            "('\(id)', 'y@b.c', 'pdf', 'lost', NULL, NULL, \(now))",
            "('\(id)', 'y@b.c' || char(13) || char(10), 'pdf', 'failed', NULL, NULL, \(now))",
            "('\(id)', 'nobody', 'pdf', 'failed', NULL, NULL, \(now))",
            "('\(id)', 'y@b.c', 'docx', 'failed', NULL, NULL, \(now))",
        ]
        for values in bad {
            #expect(throws: DatabaseError.self, "\(values)") { try database.executeRaw(insert + values) }
        }
        try database.executeRaw("DELETE FROM fax WHERE id = '\(id)'")
        #expect(try database.read { try $0.deliveries(faxID: id) }.isEmpty)
    }
}
