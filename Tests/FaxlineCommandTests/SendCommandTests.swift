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
        ["--tag", String(repeating: "t", count: 51)],
        ["--tag", "Offer\u{7}4711"],
        ["--tag", " "],
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

    @Test("a bad tag is a usage error that names the limit")
    func badTag() async throws {
        let message = await CommandLineTests.usageError {
            try await run(["send", "-d", "5550100", "--tag", String(repeating: "t", count: 51), try letter])
        }
        #expect(message?.contains("--tag") == true && message?.contains("must be 1 to 50 characters without control characters") == true,
                "\(message ?? "accepted")")
    }

    @Test("--tag is stored with every job of the broadcast; faxline jobs shows it and finds the jobs by it")
    func tagShownAndFound() async throws {
        try #require(FaxlineProgram.isBuilt, "faxline is built next to the tests")
        let sent = try FaxlineProgram.run(["send", "-d", "5550100", "-d", "5550101", "--tag", " Offer 4711 ", try letter, "--data", folder.path])
        #expect(sent.status == 0, "\(sent.standardError)")
        #expect(sent.standardOutput.contains("to 5550101: queued (1 page, broadcast"))
        #expect(sent.standardOutput.contains(", tag Offer 4711)"), "\(sent.standardOutput)")
        _ = try FaxlineProgram.run(["send", "-d", "5550102", try letter, "--data", folder.path])
        let jobs = try await folder.openDatabase().jobs(JobQuery())
        #expect(jobs.map { $0.tag?.text } == [nil, "Offer 4711", "Offer 4711"])

        let list = try FaxlineProgram.run(["jobs", "--tag", "Offer 4711", "--data", folder.path])
        #expect(list.status == 0, "\(list.standardError)")
        let lines = list.standardOutput.split(separator: "\n")
        #expect(lines.first?.contains("TAG") == true)
        #expect(lines.count == 3 && lines.dropFirst().allSatisfy { $0.contains("Offer 4711") }, "\(list.standardOutput)")
        #expect(!list.standardOutput.contains("5550102"))
        let none = try FaxlineProgram.run(["jobs", "--all", "--tag", "Offer 4712", "--data", folder.path])
        #expect(none.standardOutput == "No jobs tagged \"Offer 4712\".\n")
        let bad = try FaxlineProgram.run(["jobs", "--tag", String(repeating: "t", count: 51), "--data", folder.path])
        #expect(bad.status != 0 && bad.standardError.contains("must be 1 to 50 characters"), "\(bad.standardError)")

        let show = try FaxlineProgram.run(["jobs", "show", String(try #require(jobs[1].id)), "--data", folder.path])
        #expect(show.standardOutput.contains("\ntag Offer 4711\n"), "\(show.standardOutput)")
    }
}
