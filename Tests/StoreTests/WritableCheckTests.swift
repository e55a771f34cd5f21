import FaxCore
import Foundation
import Store
import StoreTestSupport
import Testing

/// `checkWritable` (what `/readyz` asks): a committed write, or the reason there is none.
@Suite("Store: is it writable")
struct WritableCheckTests {
    @Test("a store that takes writes commits the probe, again and again", arguments: StoreKind.allCases)
    func writable(kind: StoreKind) async throws {
        let subject = try kind.make()
        try await subject.store.checkWritable()
        try await subject.store.checkWritable()
        // The probe touches nothing a user sees.
        #expect(try await subject.store.recentFaxes(FaxQuery(limit: 10)).isEmpty)
        withExtendedLifetime(subject) {}
    }

    @Test("the same file opened read-only: reads work, the probe throws SQLite's reason")
    func readOnly() async throws {
        let folder = try TemporaryFolder()
        let fax = try Sample.fax(createdAt: Sample.start, extensions: ["200"], status: .received)
        do {
            let database = try folder.openDatabase()
            try await database.insertFax(fax)
        }
        let reader = try FaxDatabase.openReadOnly(path: folder.databasePath)
        #expect(try await reader.fax(id: fax.id)?.id == fax.id)
        let error = await #expect(throws: (any Error).self) { try await reader.checkWritable() }
        #expect(ErrorWords.describe(try #require(error)).contains("readonly"))
        // Nothing was changed by trying.
        #expect(try await reader.recentFaxes(FaxQuery(limit: 10)).map(\.id) == [fax.id])
    }
}
