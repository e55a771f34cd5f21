import Accounts
import FaxCore
import Foundation
import Store
import Testing

/// A data folder in the system's temporary directory, removed when the value goes away.
final class AccountsTestFolder: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-accounts-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func openDatabase() throws -> FaxDatabase { try FaxDatabase(path: path + "/" + FaxDatabase.fileName) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// What the account tests need of a store: the account repositories, and devices to own.
typealias AccountTestStore = AccountStore & DeviceRepository

/// Makes an empty store. The contract tests run against every factory listed in `all`; a new
/// store implementation (PostgreSQL) adds its line there.
struct AccountStoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    /// The store, and what must live as long as it (a temporary folder).
    let make: @Sendable () throws -> (store: any AccountTestStore, keepAlive: AnyObject?)

    var testDescription: String { name }

    static let sqliteInMemory = AccountStoreFactory(name: "SQLite in memory") { (try FaxDatabase.inMemory(), nil) }
    static let sqliteFile = AccountStoreFactory(name: "SQLite file") {
        let folder = try AccountsTestFolder()
        return (try folder.openDatabase(), folder)
    }

    static let all = [sqliteInMemory, sqliteFile]
}

enum AccountSample {
    /// Whole seconds: timestamps are stored to the millisecond.
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// Cheap hashes where a test only needs one; the cost-12 default is tested on its own.
    static let hasher = BcryptPasswordHasher(cost: 4)
    static let password = "correct horse battery"

    static func device(_ number: String) throws -> FaxDevice {
        try FaxDevice(extensionNumber: number, name: "Device \(number)", emailAddresses: ["fax\(number)@example.com"])
    }

    static func user(_ name: String, admin: Bool = false, devices: [String] = [], enabled: Bool = true) throws -> User {
        try User(name: name, displayName: name.capitalized, email: "\(name)@example.com", isAdmin: admin, isEnabled: enabled,
                 deviceExtensions: devices, createdAt: start)
    }

    /// A store with devices 200, 201 and 300.
    static func storeWithDevices(_ factory: AccountStoreFactory) async throws -> (store: any AccountTestStore, keepAlive: AnyObject?) {
        let made = try factory.make()
        for number in ["200", "201", "300"] { _ = try await made.store.addDevice(device(number)) }
        return made
    }
}
