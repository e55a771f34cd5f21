import FaxCore
import Foundation
import Testing

@testable import Store

@Suite struct FaxStoreTests {
    /// Lives as long as the test: removing the folder earlier would pull the file from under the pool.
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    @Test func faxRoundTripsEveryField() async throws {
        let database = try folder.openDatabase()
        var fax = try Sample.fax(extensions: ["200", "201"])
        try await database.insertFax(fax)
        #expect(try await folder.openDatabase().fax(id: fax.id) == fax)
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

    @Test func insertTwiceAndUpdateMissingAreErrors() async throws {
        let database = try folder.openDatabase()
        let fax = try Sample.fax()
        try await database.insertFax(fax)
        await #expect(throws: RepositoryError.conflict("a fax with id \(fax.id) already exists")) { try await database.insertFax(fax) }
        await #expect(throws: RepositoryError.self) { try await database.updateFax(try Sample.fax()) }
    }

    @Test func recentFaxesFilterAndOrder() async throws {
        let database = try folder.openDatabase()
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
    }

    @Test func invalidFaxIsRefusedBeforeSQL() async throws {
        let database = try folder.openDatabase()
        var fax = try Sample.fax()
        fax.id = "fax-1"
        await #expect(throws: FaxValidationError.self) { try await database.insertFax(fax) }
    }
}
