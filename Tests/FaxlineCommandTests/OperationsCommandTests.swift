import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation
import Logging
import Store
import StoreTestSupport
import Synchronization
import Testing

@testable import faxline

/// The admin's commands around the server: a data folder never made by mistake, devices and
/// groups as they are, status, running as a service, backups.
@Suite struct OperationsCommandTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    func run(_ arguments: [String]) async throws {
        try await CommandLineTests.run(Faxline.parseAsRoot(arguments + ["--data", folder.path]))
    }

    /// The source tree (Tests/FaxlineCommandTests/… → the package root).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    // MARK: - The data folder

    @Test("commands that only read, or change what exists, never make a data folder or a database", arguments: [
        ["devices", "list"], ["devices", "show", "200"], ["devices", "disable", "200"], ["jobs"], ["jobs", "show", "1"],
        ["jobs", "kill", "1"], ["jobs", "retry", "1"], ["status"], ["faxes"], ["faxes", "show", "3f2c"], ["routes", "list"],
        ["routes", "add", "--did", "_5XX", "--reject"], ["groups"], ["users", "list"], ["tokens", "list"], ["cleanup", "audit"],
        ["cleanup"], ["cleanup", "--dry-run"], ["send", "-d", "5550100", "/etc/hostname"], ["backup", "/tmp/faxline-never.sqlite"],
    ])
    func noDataFolderIsMade(arguments: [String]) async throws {
        let missing = folder.path + "/typo"
        await #expect(throws: CommandFailure("no Faxline data in \(missing) (use --data or FAXLINE_DATA)")) {
            try await CommandLineTests.run(Faxline.parseAsRoot(arguments + ["--data", missing]))
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test("the real program says it in one line, with the variable's folder too, and exits 1")
    func noDataFromTheProgram() throws {
        try #require(FaxlineProgram.isBuilt, "faxline is built next to the tests")
        let missing = folder.path + "/nothing"
        let output = try FaxlineProgram.run(["faxes"], environment: ["FAXLINE_DATA": missing])
        #expect(output.status == 1)
        #expect(output.standardError == "Error: no Faxline data in \(missing) (use --data or FAXLINE_DATA)\n")
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    // MARK: - Devices and groups

    @Test("devices list shows a device switched off by its group or globally; devices show tells everything")
    func devicesAsTheyAre() async throws {
        try await run(["devices", "add", "200", "--name", "Desk", "--email", "desk@example.com"])
        try await run(["devices", "add", "201", "--name", "Sales", "--email", "s@example.com", "--group", "sales", "--format", "inline"])
        try await run(["routes", "add", "--did", "_55501XX", "--to", "201", "--description", "sales DIDs"])
        try await run(["routes", "default", "--to", "201"])
        try await run(["routes", "disable", "--group", "sales"])
        try await run(["users", "add", "alice", "--email", "alice@example.com", "--device", "201"])
        let database = try folder.openDatabase()
        let devices = try await database.devices()
        var flags = try await database.routingTable().flags
        var lines = DevicesCommand.List.table(devices, flags: flags).split(separator: "\n")
        #expect(lines[1].hasPrefix("200") && lines[1].contains(" yes "))
        #expect(lines[2].hasPrefix("201") && lines[2].contains(" no (group sales) "))
        flags.globallyEnabled = false
        lines = DevicesCommand.List.table(devices, flags: flags).split(separator: "\n")
        #expect(lines.dropFirst().allSatisfy { $0.contains(" no (globally) ") })

        var fax = try Sample.fax(extensions: ["201"])
        fax.id = "3f2c1a9b-0000-4000-8000-000000000001"
        try await database.insertFax(fax)
        try await database.changeDeviceRetention(RetentionChange(days: .set(90)), extension: "201")
        let sales = try #require(devices.first { $0.extensionNumber == "201" })
        let text = DevicesCommand.Show.text(
            sales, table: try await database.routingTable(), overrides: try await database.retentionOverrides(),
            users: try await database.users(), faxes: try await database.recentFaxes(FaxQuery(deviceExtension: "201")))
        for fact in [
            "device 201: Sales", "enabled no (group sales)", "group sales", "mail to s@example.com as inline",
            "station id none (the server's)", "retention 90 days (its own)",
            "rule at position 1: DID _55501XX, caller * — sales DIDs", "the default route: faxes nobody claims", "users alice",
            "3f2c1a9b", "received from +49301234 (Caller GmbH)",
        ] {
            #expect(text.contains(fact), "lacks \(fact)")
        }
        try await run(["devices", "show", "201"])
        await #expect(throws: RepositoryError.notFound("fax device 999")) { try await run(["devices", "show", "999"]) }
    }

    @Test("a typo in a group name makes no group")
    func groupTypos() async throws {
        try await run(["devices", "add", "210", "--name", "Legal", "--email", "l@example.com", "--group", "legal"])
        await #expect(throws: CommandFailure(
            "no group legl: a group is made by putting a device in it (faxline devices change EXT --group legl); the groups are legal"
        )) {
            try await run(["groups", "retention", "legl", "--retention-days", "90"])
        }
        await #expect(throws: CommandFailure.self) { try await run(["routes", "disable", "--group", "legl"]) }
        let database = try folder.openDatabase()
        #expect(try await database.groupRetentions().isEmpty)
        #expect(try await database.routingTable().flags.disabledGroups.isEmpty)
        try await run(["groups", "retention", "legal", "--retention-days", "90"])
        #expect(try await database.groupRetentions().map(\.group) == ["legal"])
    }

    @Test("jobs are listed oldest first")
    func jobsOldestFirst() async throws {
        try await run(["devices", "add", "200", "--name", "Desk", "--email", "desk@example.com"])
        let database = try folder.openDatabase()
        for number in ["5550101", "5550102", "5550103"] {
            _ = try await database.submitJob(try Job(number: number, document: SpoolPath("out/x.tif"), pageCount: 1))
        }
        let newest = try await database.jobs(JobQuery(limit: 2))
        #expect(newest.map(\.number) == ["5550103", "5550102"], "the store gives the newest")
        try #require(FaxlineProgram.isBuilt, "faxline is built next to the tests")
        let output = try FaxlineProgram.run(["jobs", "--data", folder.path])
        let numbers = output.standardOutput.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true)[1] }
        #expect(numbers == ["5550101", "5550102", "5550103"])
        let limited = try FaxlineProgram.run(["jobs", "--limit", "2", "--data", folder.path])
        #expect(limited.standardOutput.contains("5550102") && limited.standardOutput.contains("5550103") && !limited.standardOutput.contains("5550101"))
        #expect(limited.standardOutput.hasSuffix("(the newest 2 jobs; --limit shows more)\n"))
    }

    // MARK: - Status

    @Test("status: the queues from the database whether or not a server runs, and a clear word when none does")
    func statusWithoutAServer() async throws {
        try await run(["devices", "add", "200", "--name", "Desk", "--email", "desk@example.com"])
        let database = try folder.openDatabase()
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        _ = try await database.submitJob(try Job(number: "5550101", document: SpoolPath("out/x.tif"), pageCount: 1))
        _ = try await database.submitJob(try Job(number: "5550102", document: SpoolPath("out/x.tif"), pageCount: 1,
                                                 notBefore: Date().addingTimeInterval(3600)))
        let fax = try Sample.fax(createdAt: start)
        try await database.insertFax(fax)
        let queued = try await database.enqueueDeliveries(faxID: fax.id, recipients: [MailRecipient(address: "a@example.com", format: .pdf)], at: start)
        _ = try await database.markSending(id: queued[0].id, at: start)
        try await database.markFailed(id: queued[0].id, error: "451", nextAttemptAt: start.addingTimeInterval(60))
        try await database.appendAudit(AuditEntry(at: start, kind: .cleanup, actor: "serve", summary: "2 fax records, 0 image sets"))
        let report = try await QueueStatus.read(from: database).report()
        #expect(report.contains("jobs: 1 waiting for a line, 1 scheduled later, 0 on the line\n"))
        #expect(report.contains("mail: 1 waiting (1 failing, retried later), the oldest since \(FaxText.clock(start))\n"))
        #expect(report.contains("cleanup: last \(FaxText.clock(start)) by serve: 2 fax records, 0 image sets\n"))
        await #expect(throws: CommandFailure("faxline serve is not running on \(folder.path) (no status file \(folder.path)/status.json)")) {
            try await run(["status"])
        }
        let empty = QueueStatus(jobs: JobQueueSummary(), mail: DeliveryQueueSummary(), lastCleanup: nil).report()
        #expect(empty == "jobs: none waiting\nmail: nothing waiting\ncleanup: not run yet\n")
    }

    // MARK: - Running as a service

    @Test("contrib/faxline.service is the unit install-service writes for the defaults, with the hardening asked for")
    func serviceUnit() throws {
        let shipped = try String(contentsOf: Self.packageRoot.appendingPathComponent("contrib/faxline.service"), encoding: .utf8)
        #expect(shipped == ServiceUnit().text)
        for line in [
            "User=faxline", "ExecStart=/usr/local/bin/faxline serve --data /var/lib/faxline", "StateDirectory=faxline",
            "Restart=on-failure", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
            "ReadWritePaths=/var/lib/faxline", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "CapabilityBoundingSet=",
        ] {
            #expect(shipped.split(separator: "\n").contains(Substring(line)), "lacks \(line)")
        }
        let elsewhere = ServiceUnit(program: "/opt/faxline/bin/faxline", dataDirectory: "/srv/fax", user: "fax").text
        #expect(elsewhere.contains("ExecStart=/opt/faxline/bin/faxline serve --data /srv/fax\n"))
        #expect(elsewhere.contains("ReadWritePaths=/srv/fax\n") && !elsewhere.contains("StateDirectory"))
    }

    @Test("install-service --dry-run prints every step and changes nothing")
    func installServiceDryRun() throws {
        try #require(FaxlineProgram.isBuilt, "faxline is built next to the tests")
        let target = try TemporaryFolder()
        let data = target.path + "/data"
        let output = try FaxlineProgram.run([
            "install-service", "--dry-run", "--user", "faxline-test-nobody", "--bin-dir", target.path + "/bin",
            "--unit-dir", target.path + "/systemd", "--man-dir", target.path + "/man", "--data", data,
            "--man-page", Self.packageRoot.appendingPathComponent("contrib/man/faxline.1").path,
        ])
        #expect(output.status == 0, "\(output.standardError)")
        let text = output.standardOutput
        for step in [
            "create the system user: useradd --system --user-group --home-dir \(data) --no-create-home --shell /usr/sbin/nologin faxline-test-nobody",
            "install the program: copy ", "to \(target.path)/bin/faxline",
            "give the data folder to faxline-test-nobody: chown -R faxline-test-nobody:faxline-test-nobody \(data)",
            "the systemd unit: write \(target.path)/systemd/faxline.service",
            "      ExecStart=\(target.path)/bin/faxline serve --data \(data)",
            "the man page: copy", "tell systemd: systemctl daemon-reload",
            "start it at every boot: systemctl enable faxline.service",
        ] {
            #expect(text.contains(step), "lacks \(step)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).isEmpty, "a dry run writes nothing")
        #expect(getpwnam("faxline-test-nobody") == nil)
    }

    @Test("install-service plans: an existing user is kept; --now starts it")
    func installPlan() {
        let plan = ServiceInstallation(
            program: "/usr/local/bin/faxline", binDirectory: "/usr/local/bin", unitDirectory: "/etc/systemd/system",
            manDirectory: "/usr/local/share/man/man1", manPage: nil, dataDirectory: "/var/lib/faxline", user: "faxline",
            start: true, userExists: true)
        let summaries = plan.steps.map(\.summary)
        #expect(summaries.first == "the user faxline exists already")
        #expect(!summaries.contains { $0.contains("useradd") || $0.contains("install the program") })
        #expect(summaries.last == "start it now and at every boot: systemctl enable --now faxline.service")
        #expect(summaries.contains { $0.hasPrefix("no man page found") })
    }

    @Test("the journal gets one line per entry: its priority, no timestamp, metadata as key=value")
    func journalLines() {
        let line = JournalLogHandler.line(
            level: .warning, message: "mail delivery failed;\nwill retry",
            metadata: ["fax.id": "3f2c", "error": "451 mailbox \"busy\"", "retry.at": "2026-11-23 14:05:00"])
        #expect(line == "<4>mail delivery failed; will retry error=\"451 mailbox \\\"busy\\\"\" fax.id=3f2c retry.at=\"2026-11-23 14:05:00\"\n")
        #expect(JournalLogHandler.line(level: .info, message: "serving", metadata: [:]) == "<6>serving\n")
        #expect(JournalLogHandler.line(level: .error, message: "x", metadata: ["empty": ""]) == "<3>x empty=\"\"\n")

        let collected = LogLines()
        var logger = Logger(label: "faxline") { _ in JournalLogHandler(logLevel: .info) { collected.append($0) } }
        logger[metadataKey: "line"] = "line0"
        logger.debug("not shown")
        logger.notice("fax received", metadata: ["pages": "3"])
        #expect(collected.lines == ["<5>fax received line=line0 pages=3\n"])
    }

    @Test("the man page is generated from the commands: every command is in it")
    func manPage() throws {
        let page = try String(contentsOf: Self.packageRoot.appendingPathComponent("contrib/man/faxline.1"), encoding: .utf8)
        for command in Faxline.configuration.subcommands.map({ $0.configuration.commandName ?? "" }) where !command.isEmpty {
            #expect(page.contains(command), "regenerate it with scripts/generate-man: \(command) is missing")
        }
        #expect(page.contains("faxes") && page.contains("install-service"))
    }

    // MARK: - Backups

    @Test("backup and restore: the database and the spool, a refused restore while a server holds the folder")
    func backupAndRestore() async throws {
        try await run(["devices", "add", "200", "--name", "Desk", "--email", "desk@example.com"])
        let database = try folder.openDatabase()
        var fax = try Sample.fax()
        fax.files = FaxSpoolFiles(pdf: try SpoolPath("in/2026/x.pdf"))
        try await database.insertFax(fax)
        try FileManager.default.createDirectory(atPath: folder.path + "/spool/in/2026", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.path + "/spool/tmp", withIntermediateDirectories: true)
        try Data("%PDF".utf8).write(to: URL(fileURLWithPath: folder.path + "/spool/in/2026/x.pdf"))
        try Data("half".utf8).write(to: URL(fileURLWithPath: folder.path + "/spool/tmp/call.tif"))

        let backups = try TemporaryFolder()
        let file = backups.path + "/faxline.sqlite"
        try await run(["backup", file, "--with-spool", backups.path + "/spool"])
        #expect(FileManager.default.fileExists(atPath: backups.path + "/spool/in/2026/x.pdf"))
        #expect(!FileManager.default.fileExists(atPath: backups.path + "/spool/tmp"), "files of calls in progress are not the spool's")
        await #expect(throws: CommandFailure("\(file) exists; give --force to replace it")) { try await run(["backup", file]) }
        #expect(try await database.latestAuditEntry(kind: .backup)?.summary.hasPrefix("database to \(file)") == true)

        let target = try TemporaryFolder()
        let restore = { (arguments: [String]) in
            try await CommandLineTests.run(Faxline.parseAsRoot(["restore"] + arguments + ["--data", target.path + "/data"]))
        }
        do {
            let server = try ServeLock.acquire(dataDirectory: target.path + "/data")
            await #expect(throws: CommandFailure(
                "faxline serve (pid \(getpid())) is using the data folder \(target.path)/data; only one server runs per data folder "
                    + "(stop it first, e.g. systemctl stop faxline)")) { try await restore([file]) }
            withExtendedLifetime(server) {}
        }
        try await restore([file, "--spool-from", backups.path + "/spool"])
        let restored = try FaxDatabase(path: target.path + "/data/faxline.sqlite")
        #expect(try await restored.fax(id: fax.id) == fax)
        #expect(FileManager.default.fileExists(atPath: target.path + "/data/spool/in/2026/x.pdf"))
        await #expect(throws: CommandFailure.self) { try await restore([file]) }
        await #expect(throws: CommandFailure.self) { try await restore(["/etc/hostname", "--force"]) }
    }
}

/// Log lines a test handler wrote.
final class LogLines: Sendable {
    private let stored = Mutex<[String]>([])

    var lines: [String] { stored.withLock { $0 } }

    func append(_ line: String) {
        stored.withLock { $0.append(line) }
    }
}
