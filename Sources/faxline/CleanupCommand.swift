import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation
import Logging
import Store

/// `faxline cleanup`: retention from cron or a systemd timer, and deletion of single faxes.
struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Delete expired faxes, records and stale spool files.",
        discussion: """
            Runs the same cleanup as the server's daily one (see [retention] in faxline.conf). \
            Exit status: 0 when done, also when another cleanup was already running (it says so \
            on standard error); 1 when something could not be deleted or the data folder is unusable.
            """,
        subcommands: [Run.self, DeleteFax.self, Audit.self],
        defaultSubcommand: Run.self)

    /// Who ran it, for the audit log.
    static var actor: String {
        let environment = ProcessInfo.processInfo.environment
        return "cli:" + (environment["SUDO_USER"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "unknown")
    }

    static func loadConfiguration(_ data: DataOptions) throws -> FaxlineConfiguration {
        do {
            return try FaxlineConfiguration.load(dataDirectory: data.directory)
        } catch {
            throw CommandFailure(error.description)
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the cleanup now (the default).")

        @Option(name: .customLong("older-than"),
                help: ArgumentHelp("Delete faxes older than this (e.g. 30d; default from faxline.conf, 30d). "
                                   + "Device and group overrides still apply.", valueName: "age"))
        var olderThan: String?
        @Flag(help: "Report what would be deleted; delete nothing.") var dryRun = false
        @Flag(help: "List every fax deleted.") var verbose = false
        @OptionGroup var data: DataOptions

        /// `30d` or `30`: whole days.
        static func days(_ text: String) throws -> Int {
            let digits = text.hasSuffix("d") ? String(text.dropLast()) : text
            guard let days = Int(digits), (1...36_500).contains(days), digits.allSatisfy(\.isASCII) else {
                throw ValidationError("--older-than takes days, e.g. 30d (1d to 36500d)")
            }
            return days
        }

        func validate() throws {
            if let olderThan { _ = try Self.days(olderThan) }
        }

        func run() async throws {
            var configuration = try CleanupCommand.loadConfiguration(data)
            if let olderThan {
                let days = try Self.days(olderThan)
                configuration.retention.receivedFaxDays = days
                configuration.retention.sentFaxDays = days
            }
            let database = try data.openDatabase()
            var logger = Logger(label: "faxline.cleanup")
            logger.logLevel = verbose ? .info : .warning
            let cleaner = SpoolCleaner(configuration: configuration, store: database, logger: logger)
            let outcome = try await cleaner.run(now: Date(), dryRun: dryRun, actor: CleanupCommand.actor)
            switch outcome {
            case .alreadyRunning:
                FileHandle.standardError.write(Data("faxline cleanup: another cleanup is running; nothing done\n".utf8))
            case .finished(let report):
                print(report.text(verbose: verbose))
                if !report.errors.isEmpty { throw ExitCode(1) }
            }
        }
    }

    struct DeleteFax: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete-fax", abstract: "Delete faxes now, records and files (written to the audit log).")

        @Argument(help: ArgumentHelp("Fax ids, or unique beginnings of them.", valueName: "id")) var ids: [String]
        @Flag(help: "Delete even a fax whose delivery is still pending.") var force = false
        @OptionGroup var data: DataOptions

        func validate() throws {
            guard !ids.isEmpty else { throw ValidationError("give at least one fax id") }
            for id in ids { _ = try reportingInvalidValues { try FaxIDPrefix(id) } }
        }

        func run() async throws {
            let configuration = try CleanupCommand.loadConfiguration(data)
            let database = try data.openDatabase()
            let cleaner = SpoolCleaner(configuration: configuration, store: database, logger: Logger(label: "faxline.cleanup"))
            // Every id names one fax before anything is deleted.
            var faxIDs: [String] = []
            for id in ids { faxIDs.append(try await FaxesCommand.find(id, database: database, data: data).id) }
            var failed = false
            for id in faxIDs {
                do {
                    let report = try await cleaner.deleteFax(id: id, evenIfUndelivered: force, actor: CleanupCommand.actor, now: Date())
                    print("Deleted fax \(id.lowercased()) (\(Plural.count(report.deletedFiles, "file")), \(Plural.count(report.deletedBytes, "byte"))).")
                    for error in report.errors { print("  error: \(error)") }
                    failed = failed || !report.errors.isEmpty
                } catch let error as RepositoryError {
                    FileHandle.standardError.write(Data("faxline cleanup: fax \(id.prefix(8)): \(error)\n".utf8))
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the audit log, newest first: cleanups, deletions, and every change to devices, routes, groups, users, tokens and webhooks.")

        @Option(help: "How many entries.") var limit = 20
        @OptionGroup var data: DataOptions

        func run() async throws {
            let entries = try await data.openDatabase().auditEntries(limit: limit)
            let formatter = ISO8601DateFormatter()
            print(entries.isEmpty ? "No audit entries." : TextTable.render(
                header: ["TIME", "KIND", "BY", "WHAT"],
                rows: entries.map { [formatter.string(from: $0.at), $0.kind.rawValue, $0.actor, $0.summary] }))
        }
    }
}
