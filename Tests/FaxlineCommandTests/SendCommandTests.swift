import ArgumentParser
import FaxCore
import Foundation
import Store
import StoreTestSupport
import Testing

@testable import faxline

/// `faxline send`: every option checked before anything is converted; a refused send leaves
/// nothing in the spool; a send nobody will dial says so.
@Suite struct SendCommandTests {
    let folder: TemporaryFolder

    init() async throws {
        folder = try TemporaryFolder()
        _ = try await folder.openDatabase().addDevice(Sample.device("201"))
    }

    var letter: String {
        get throws {
            let path = folder.path + "/letter.txt"
            if !FileManager.default.fileExists(atPath: path) {
                try Data("Dear customer,\n\nyour order has shipped.\n".utf8).write(to: URL(fileURLWithPath: path))
            }
            return path
        }
    }

    func run(_ arguments: [String]) async throws {
        try await CommandLineTests.run(Faxline.parseAsRoot(arguments + ["--data", folder.path]))
    }

    /// Every file in the spool (none before the first send).
    var spoolFiles: [String] {
        let spool = folder.path + "/spool"
        return (FileManager.default.enumerator(atPath: spool)?.allObjects as? [String] ?? []).filter { name in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: spool + "/" + name, isDirectory: &isFolder) && !isFolder.boolValue
        }
    }

    @Test("a refused send leaves no file in the spool and no job", arguments: [
        ["--notify", "boss at example"],
        ["--priority", "300"],
        ["--tries", "0"],
        ["--kill-after", "3"],
        ["--kill-after", "3y"],
        ["--at", "2020-01-01T08:00:00Z"],
        ["--at", "tomorrow"],
        ["--station-id", "Ümlaut Fax"],
        ["--header", String(repeating: "x", count: 51)],
        ["--caller-id", "555-CALL-NOW"],
        ["--from", "999"],
    ])
    func refusedBeforeConverting(options: [String]) async throws {
        await #expect(throws: (any Error).self) { try await run(["send", "-d", "5550100", try letter] + options) }
        #expect(spoolFiles.isEmpty, "left \(spoolFiles)")
        #expect(try await folder.openDatabase().jobs(JobQuery()).isEmpty)
    }

    @Test("a document that cannot be converted leaves nothing either")
    func brokenDocument() async throws {
        let broken = folder.path + "/broken.pdf"
        try Data("%PDF-1.4\n1 0 obj << /Type /Catalog >>\nendobj\n".utf8).write(to: URL(fileURLWithPath: broken))
        await #expect(throws: CommandFailure.self) { try await run(["send", "-d", "5550100", try letter, broken]) }
        #expect(spoolFiles.isEmpty, "left \(spoolFiles)")
        #expect(await CommandLineTests.usageError { try await run(["send", "-d", "5550100", folder.path]) }
            == "invalid document: cannot read \(folder.path) (not a readable file)")
        #expect(await CommandLineTests.usageError { try await run(["send", "-d", "5550100", folder.path + "/missing.pdf"]) }
            == "invalid document: cannot read \(folder.path)/missing.pdf (not a readable file)")
        #expect(try await folder.openDatabase().jobs(JobQuery()).isEmpty)
    }

    @Test("the options as they are understood")
    func options() throws {
        #expect(try TimeSpec.seconds("90m", option: "--kill-after") == 5400)
        #expect(throws: ValidationError.self) { try TimeSpec.seconds("3", option: "--kill-after") }
        do {
            _ = try TimeSpec.seconds("3", option: "--kill-after")
        } catch let error as ValidationError {
            #expect(error.message == "--kill-after 3 needs a unit: 3s, 3m, 3h or 3d")
        }
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        #expect(try TimeSpec.date("+30m", now: now) == now.addingTimeInterval(1800))
        #expect(try TimeSpec.date("2026-09-22T08:00:00Z", now: now) > now)
        #expect(throws: ValidationError.self) { try TimeSpec.date("2026-09-21T08:00:00Z", now: now) }
        #expect(try DateArgument.parse("7d", option: "--since", now: now) == now.addingTimeInterval(-7 * 86_400))
        #expect(throws: ValidationError.self) { try DateArgument.parse("last week", option: "--since", now: now) }
    }

    @Test("queued jobs nobody will send are called so: outbound off, no server; --wait does not wait for nothing")
    func queuedButNobodySends() async throws {
        try #require(FaxlineProgram.isBuilt, "faxline is built next to the tests")
        let off = try FaxlineProgram.run(["send", "-d", "5550100", try letter, "--data", folder.path])
        #expect(off.status == 0, "\(off.standardError)")
        #expect(off.standardOutput.contains("queued (1 page, broadcast"))
        #expect(off.standardOutput.contains("Queued, but outbound is off: \(folder.path)/faxline.conf has no [ami] username"))

        try Data("[ami]\nusername = faxline\nsecret = s3cret\n".utf8).write(to: URL(fileURLWithPath: folder.path + "/faxline.conf"))
        let noServer = try FaxlineProgram.run(["send", "-d", "5550100", try letter, "--wait", "--data", folder.path])
        #expect(noServer.status == 1)
        #expect(noServer.standardOutput.contains("Queued, but no faxline serve is running on \(folder.path): the jobs wait until it runs."))
        #expect(noServer.standardError.contains("not waiting: nothing will send the jobs until then"))
        let jobs = try await folder.openDatabase().jobs(JobQuery())
        #expect(jobs.count == 2 && jobs.allSatisfy { $0.state == .queued }, "queued all the same")
    }
}
