import FaxCore
import StoreTestSupport
import Foundation
import Testing

/// The fax repository's contract, for every store.
@Suite struct FaxStoreTests {
    @Test(arguments: StoreKind.allCases)
    func faxRoundTripsEveryField(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        var fax = try Sample.fax(extensions: ["200", "201"])
        try await database.insertFax(fax)
        #expect(try await subject.reopen().fax(id: fax.id) == fax)
        #expect(try await database.fax(id: fax.id.uppercased()) == fax)

        fax.status = .partial
        fax.session.completionCode = 48
        fax.session.errorText = "Far end hung up"
        fax.files.thumbnail = nil
        fax.deliveryState = .failed
        fax.log("note", "mail failed")
        try await database.updateFax(fax)
        #expect(try await database.fax(id: fax.id) == fax)
        #expect(try await database.fax(id: UUID().uuidString) == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func insertTwiceAndUpdateMissingAreErrors(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        let fax = try Sample.fax()
        try await database.insertFax(fax)
        await #expect(throws: RepositoryError.conflict("a fax with id \(fax.id) already exists")) { try await database.insertFax(fax) }
        await #expect(throws: RepositoryError.self) { try await database.updateFax(try Sample.fax()) }
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func recentFaxesFilterAndOrder(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        var faxes: [FaxRecord] = []
        for index in 0..<6 {
            var fax = try Sample.fax(
                createdAt: Sample.start.addingTimeInterval(Double(index) * 60), extensions: index.isMultiple(of: 2) ? ["200"] : ["201", "202"],
                status: index == 5 ? .failed : .received)
            if index == 4 { fax.direction = .sent; fax.status = .sent }
            faxes.append(fax)
            try await database.insertFax(fax)
        }
        let ids = { (list: [FaxRecord]) in list.map(\.id) }
        #expect(ids(try await database.recentFaxes(FaxQuery())) == ids(faxes.reversed()))
        #expect(ids(try await database.recentFaxes(FaxQuery(limit: 2))) == [faxes[5].id, faxes[4].id])
        #expect(ids(try await database.recentFaxes(FaxQuery(direction: .sent))) == [faxes[4].id])
        #expect(ids(try await database.recentFaxes(FaxQuery(statuses: [.failed, .sent]))) == [faxes[5].id, faxes[4].id])
        #expect(ids(try await database.recentFaxes(FaxQuery(deviceExtension: "202"))) == [faxes[5].id, faxes[3].id, faxes[1].id])
        #expect(ids(try await database.recentFaxes(FaxQuery(deviceExtension: "20"))) == [])
        #expect(ids(try await database.recentFaxes(FaxQuery(since: faxes[3].createdAt, before: faxes[5].createdAt))) == [faxes[4].id, faxes[3].id])
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func invalidFaxIsRefusedBeforeSQL(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        var fax = try Sample.fax()
        fax.id = "fax-1"
        await #expect(throws: FaxValidationError.self) { try await database.insertFax(fax) }
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func manyFaxesAtOnce(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        let faxes = try (0..<3).map { try Sample.fax(createdAt: Sample.start.addingTimeInterval(Double($0))) }
        try await database.insertFaxes(faxes)
        #expect(try await database.recentFaxes(FaxQuery()).map(\.id) == faxes.reversed().map(\.id))
        // One transaction: a batch with a bad record stores none of it.
        var bad = try Sample.fax()
        bad.id = "not-a-uuid"
        await #expect(throws: FaxValidationError.self) { try await database.insertFaxes([try Sample.fax(), bad]) }
        #expect(try await database.recentFaxes(FaxQuery()).count == 3)
        withExtendedLifetime(subject) {}
    }

    @Test("a list page holds each record as stored, but for its event log", arguments: StoreKind.allCases)
    func listPageRecordsAreTheStoredOnes(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        var full = try Sample.fax(extensions: ["200", "201", "202"])
        var bare = try Sample.fax(createdAt: Sample.start.addingTimeInterval(-60), extensions: [])
        bare.finishedAt = nil
        bare.lineName = nil
        bare.session.completionCode = nil
        bare.files = FaxSpoolFiles()
        bare.deliveryState = .failed
        var odd = try Sample.fax(createdAt: Sample.start.addingTimeInterval(-120), extensions: ["7"])
        odd.callerName = "Qu\"ote \\ back/slash, Ünïcødé 📠"
        odd.direction = .sent
        odd.status = .sent
        full.callerName = ""
        for fax in [full, bare, odd] { try await database.insertFax(fax) }
        let page = try await database.faxPage(FaxListQuery(scope: .everything))
        #expect(page.items.map(\.id) == [full.id, bare.id, odd.id])
        for item in page.items {
            var stored = try #require(try await database.fax(id: item.id))
            #expect(!stored.events.isEmpty && item.events.isEmpty)
            stored.events = []
            #expect(item == stored)
        }
        withExtendedLifetime(subject) {}
    }
}
