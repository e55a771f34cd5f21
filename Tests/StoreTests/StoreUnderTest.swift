import FaxCore
import StoreTestSupport
import Foundation
import Store
import Testing

/// The stores every repository contract test runs against. The tests use nothing but
/// FaxCore's repository protocols (`FaxStore`), so a new store module — PostgreSQL for several
/// nodes — is tested by adding its case here.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqliteFile = "SQLite file"
    case sqliteInMemory = "SQLite in memory"

    var testDescription: String { rawValue }

    /// A fresh, empty store.
    func make() throws -> StoreUnderTest {
        switch self {
        case .sqliteFile:
            let folder = try TemporaryFolder()
            return StoreUnderTest(store: try folder.openDatabase(), folder: folder) { try folder.openDatabase() }
        case .sqliteInMemory:
            let database = try FaxDatabase.inMemory()
            return StoreUnderTest(store: database, folder: nil) { database }
        }
    }
}

/// One store under test, with a way to reach the same data again.
struct StoreUnderTest: Sendable {
    let store: any FaxStore
    /// Keeps a file store's folder as long as the test runs.
    let folder: TemporaryFolder?
    /// The same data through a new connection (a restart, a second process); the same store
    /// where the store lives in memory.
    let reopen: @Sendable () throws -> any FaxStore

    init(store: any FaxStore, folder: TemporaryFolder?, reopen: @escaping @Sendable () throws -> any FaxStore) {
        self.store = store
        self.folder = folder
        self.reopen = reopen
    }
}
