import ArgumentParser
import FaxCore
import Foundation
import Store
import StoreTestSupport
import Testing

@testable import faxline

/// `faxline jobs kill` and `retry` without a running server: the transitions go through the
/// repository (with a server they go through its control socket: FaxlineServerTests).
@Suite struct JobsCommandTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    func run(_ arguments: [String]) async throws {
        try await CommandLineTests.run(Faxline.parseAsRoot(arguments + ["--data", folder.path]))
    }

    @Test func killAndRetryWithoutAServer() async throws {
        let database = try folder.openDatabase()
        let job = try await database.submitJob(try Job(number: "5550100", document: SpoolPath("out/x.tif"), pageCount: 1))
        let id = try #require(job.id)
        try await run(["jobs", "kill", String(id)])
        let killed = try #require(try await database.job(id: id))
        #expect(killed.state == .killed && killed.reason.hasPrefix("killed by "))
        await #expect(throws: CommandFailure.self) { try await run(["jobs", "kill", String(id)]) }
        await #expect(throws: CommandFailure.self) { try await run(["jobs", "kill", "999"]) }
        try await run(["jobs", "retry", String(id)])
        #expect(try await database.job(id: id)?.state == .queued)
        await #expect(throws: CommandFailure.self) { try await run(["jobs", "retry", String(id)]) }
    }
}
