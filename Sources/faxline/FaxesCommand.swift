import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation
import Store

/// `faxline faxes …`: the received and sent faxes, like HylaFAX's `faxstat -r` and `-d`.
struct FaxesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faxes",
        abstract: "List, show, mail again and export received and sent faxes.",
        discussion: """
            A fax is named by its id or by any unique beginning of it, such as the 8 characters \
            the list and faxline status show; a beginning that fits several faxes lists them.
            """,
        subcommands: [List.self, Show.self, Resend.self, Export.self],
        defaultSubcommand: List.self)

    enum Direction: String, EnumerableFlag {
        case received, sent

        static func help(for value: Direction) -> ArgumentHelp? {
            value == .received ? "Only received faxes." : "Only sent faxes."
        }

        var model: FaxDirection { self == .received ? .received : .sent }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List faxes, newest first.",
            discussion: """
                Shows at most --limit faxes; when there are more, the last line says how to see \
                the next ones (--before the last fax shown).
                Examples:
                  faxline faxes --received --since 2026-11-01
                  faxline faxes --device 201 --status partial --status failed
                  faxline faxes --caller 5550100 --json
                """)

        @Flag var direction: Direction?
        @Option(help: ArgumentHelp("Only faxes of this device (extension).", valueName: "ext")) var device: String?
        @Option(name: .customLong("status"),
                help: ArgumentHelp("Only faxes in this state: received, partial, failed, refused, receiving, sent, sending; repeat for more.",
                                   valueName: "status"))
        var statuses: [FaxStatus] = []
        @Option(help: ArgumentHelp("Only faxes since: YYYY-MM-DD, YYYY-MM-DD HH:MM, an ISO 8601 time, or 7d / 12h ago.",
                                   valueName: "time"))
        var since: String?
        @Option(help: ArgumentHelp("Only faxes before this time (same forms as --since).", valueName: "time"))
        var until: String?
        @Option(help: ArgumentHelp("Only faxes whose far end (number, name, station id) contains this.", valueName: "text"))
        var caller: String?
        @Option(help: ArgumentHelp("The next page: faxes listed after this one.", valueName: "id"))
        var before: String?
        @Option(help: "At most this many (1 to 1000).") var limit = 50
        @Flag(help: "Print the faxes as JSON.") var json = false
        @OptionGroup var data: DataOptions

        func validate() throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000") }
            let now = Date()
            if let since { _ = try DateArgument.parse(since, option: "--since", now: now) }
            if let until { _ = try DateArgument.parse(until, option: "--until", now: now) }
            if let device { _ = try reportingInvalidValues { try FaxDevice.validateExtension(device) } }
            if let before { _ = try reportingInvalidValues { try FaxIDPrefix(before) } }
        }

        /// The store's query for these options: one more than `--limit`, to know whether there
        /// are more.
        func query(database: FaxDatabase, now: Date = Date()) async throws -> FaxQuery {
            var query = FaxQuery(
                limit: limit + 1, direction: direction?.model, statuses: Set(statuses), deviceExtension: device,
                since: try since.map { try DateArgument.parse($0, option: "--since", now: now) },
                before: try until.map { try DateArgument.parse($0, option: "--until", now: now) },
                farEnd: caller.flatMap { $0.isEmpty ? nil : $0 })
            if let before {
                let last = try await FaxesCommand.find(before, database: database, data: data)
                query.after = FaxListCursor(after: last)
            }
            return query
        }

        func run() async throws {
            let database = try data.openDatabase()
            var faxes = try await database.recentFaxes(try await query(database: database))
            let more = faxes.count > limit
            faxes = Array(faxes.prefix(limit))
            if json {
                print(try FaxesCommand.json(FaxPage(faxes: faxes.map(FaxListing.init), next: more ? faxes.last?.id : nil)))
                return
            }
            print(Self.table(faxes))
            if more, let last = faxes.last {
                print("More: faxline faxes --before \(last.id) (with the same filters).")
            }
        }

        static func table(_ faxes: [FaxRecord]) -> String {
            guard !faxes.isEmpty else { return "No faxes." }
            return TextTable.render(
                header: ["ID", "TIME", "DIR", "STATUS", "PAGES", "FAR END", "DEVICES", "MAIL"],
                rows: faxes.map { fax in
                    [
                        String(fax.id.prefix(8)), FaxText.clock(fax.createdAt), fax.direction == .received ? "in" : "out",
                        fax.status.rawValue, String(fax.session.pages), FaxText.farEnd(fax),
                        fax.deviceExtensions.isEmpty ? "-" : fax.deviceExtensions.joined(separator: ","),
                        fax.direction == .received ? fax.deliveryState.rawValue : "-",
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show everything recorded of one fax: the call, its files, its mails and the T.30 log.")

        @Argument(help: ArgumentHelp("Fax id, or a unique beginning of it.", valueName: "id")) var id: String
        @Flag(help: "Without the T.30 event log.") var brief = false
        @Flag(help: "Print the fax and its deliveries as JSON.") var json = false
        @OptionGroup var data: DataOptions

        func validate() throws {
            _ = try reportingInvalidValues { try FaxIDPrefix(id) }
        }

        func run() async throws {
            let database = try data.openDatabase()
            let fax = try await FaxesCommand.find(id, database: database, data: data)
            let deliveries = try await database.deliveries(faxID: fax.id)
            if json {
                print(try FaxesCommand.json(FaxDetails(fax: fax, deliveries: deliveries)))
                return
            }
            print(Self.text(fax, deliveries: deliveries, brief: brief))
        }

        static func text(_ fax: FaxRecord, deliveries: [MailDelivery], brief: Bool) -> String {
            let session = fax.session
            let seconds = fax.finishedAt.map { " (\(Int($0.timeIntervalSince(fax.createdAt).rounded())) s)" } ?? ""
            var lines = [
                "fax \(fax.id)",
                "\(fax.direction.rawValue) \(TimeSpec.clock(fax.createdAt))"
                    + (fax.finishedAt.map { " to \(TimeSpec.clock($0))" } ?? ", still on the line") + seconds
                    + (fax.lineName.map { " on \($0)" } ?? ""),
            ]
            switch fax.direction {
            case .received:
                var from = "from \(fax.callerNumber.isEmpty ? "an unknown number" : FaxText.printable(fax.callerNumber))"
                if !fax.callerName.isEmpty { from += " (\(FaxText.printable(fax.callerName)))" }
                if !fax.did.isEmpty { from += ", dialled \(FaxText.printable(fax.did))" }
                lines.append(from)
                lines.append("to " + (fax.deviceExtensions.isEmpty ? "no device" : "devices " + fax.deviceExtensions.joined(separator: ", ")))
            case .sent:
                lines.append("to \(FaxText.printable(fax.did))"
                    + (fax.deviceExtensions.isEmpty ? "" : ", from device " + fax.deviceExtensions.joined(separator: ", ")))
            }
            var result = "status \(fax.status.rawValue): \(Plural.count(session.pages, "page"))"
            if session.bitRate > 0 { result += ", \(session.bitRate) bit/s" }
            if session.ecm { result += ", ECM" }
            if !session.resolution.isEmpty { result += ", \(session.resolution)" }
            if !session.compression.isEmpty { result += ", \(session.compression)" }
            lines.append(result)
            if !session.remoteStationID.isEmpty { lines.append("far station id \(FaxText.printable(session.remoteStationID))") }
            if !session.localStationID.isEmpty { lines.append("our station id \(FaxText.printable(session.localStationID))") }
            if !session.errorText.isEmpty || !session.statusString.isEmpty {
                lines.append("result \(FaxText.printable(session.errorText))"
                    + (session.statusString.isEmpty || session.statusString == session.errorText
                        ? "" : ": \(FaxText.printable(session.statusString))"))
            }
            let files = [fax.files.pdf, fax.files.tiff, fax.files.thumbnail].compactMap { $0?.relativePath }
            lines.append("files " + (files.isEmpty ? "none" : files.joined(separator: ", ")))
            if fax.direction == .received {
                lines.append("mail \(fax.deliveryState.rawValue)")
                for delivery in deliveries { lines.append("  " + describe(delivery)) }
            }
            if !brief && !fax.events.isEmpty {
                lines.append("")
                lines.append("event log:")
                for event in fax.events {
                    lines.append(String(format: "  %7.2f ", event.time) + "\(event.kind) \(FaxText.printable(event.text))")
                }
            }
            return lines.joined(separator: "\n")
        }

        static func describe(_ delivery: MailDelivery) -> String {
            let attempts = Plural.count(delivery.attempts, "attempt")
            var text = "\(delivery.recipient) (\(delivery.format.rawValue)): "
            switch delivery.state {
            case .delivered:
                text += "delivered \(delivery.deliveredAt.map(TimeSpec.clock) ?? ""), \(attempts)"
            case .pending:
                text += "pending, next try \(delivery.nextAttemptAt.map(TimeSpec.clock) ?? "now"), \(attempts) so far"
            case .sending:
                text += "being sent, attempt \(delivery.attempts)"
            case .failed:
                text += "failed for good after \(attempts)"
            }
            if let error = delivery.lastError, delivery.state != .delivered { text += "; last error: \(FaxText.printable(error))" }
            return text
        }
    }

    struct Resend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mail a received fax again.",
            discussion: """
                Through the mail queue, like the first mail: retried until delivered, also across \
                restarts. Without --to, to every address of the fax's devices as they are now.
                """)

        @Argument(help: ArgumentHelp("Fax id, or a unique beginning of it.", valueName: "id")) var id: String
        @Option(name: .customLong("to"), help: ArgumentHelp("Mail to this address instead; repeat for more.", valueName: "email"))
        var addresses: [String] = []
        @OptionGroup var data: DataOptions

        func validate() throws {
            _ = try reportingInvalidValues { try FaxIDPrefix(id) }
            for address in addresses { try reportingInvalidValues { try EmailAddress.validate(address) } }
        }

        func run() async throws {
            let database = try data.openDatabase()
            let commands = try FaxesCommand.commands(database: database, data: data)
            let fax = try await FaxesCommand.find(id, database: database, data: data)
            let deliveries: [MailDelivery]
            do {
                deliveries = try await commands.resend(fax, to: addresses, actor: CleanupCommand.actor)
            } catch let error as FaxCommandError {
                throw CommandFailure(error.description)
            }
            let recipients = deliveries.map(\.recipient).joined(separator: ", ")
            print("Fax \(fax.id.prefix(8)) is queued to be mailed again to \(recipients).")
            // The running server mails it now; without one it waits in the queue.
            if (try? await ControlClient(dataDirectory: data.directory).send(.wake)) == nil {
                print("No faxline serve is running on \(data.directory): the mail goes out when it runs.")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Copy a fax's PDF or TIFF to a file.")

        @Argument(help: ArgumentHelp("Fax id, or a unique beginning of it.", valueName: "id")) var id: String
        @Option(help: ArgumentHelp("Write the PDF here.", valueName: "file")) var pdf: String?
        @Option(help: ArgumentHelp("Write the TIFF (the pages as received) here.", valueName: "file")) var tiff: String?
        @Flag(help: "Replace files that exist.") var force = false
        @OptionGroup var data: DataOptions

        func validate() throws {
            _ = try reportingInvalidValues { try FaxIDPrefix(id) }
            guard pdf != nil || tiff != nil else { throw ValidationError("give --pdf FILE or --tiff FILE") }
            if let pdf, let tiff, URL(fileURLWithPath: pdf).standardized == URL(fileURLWithPath: tiff).standardized {
                throw ValidationError("--pdf and --tiff name the same file")
            }
        }

        func run() async throws {
            let database = try data.openDatabase()
            let commands = try FaxesCommand.commands(database: database, data: data)
            let fax = try await FaxesCommand.find(id, database: database, data: data)
            let wanted = [(FaxFileKind.pdf, pdf), (.tiff, tiff)].compactMap { kind, path in path.map { (kind, $0) } }
            do {
                // Every file is checked before the first is written.
                for (kind, _) in wanted { _ = try commands.file(kind, of: fax) }
                for (kind, path) in wanted {
                    let bytes = try commands.export(fax, as: kind, to: path, replacing: force)
                    print("Wrote \(path) (\(kind.rawValue.uppercased()), \(Plural.count(bytes, "byte"))).")
                }
            } catch let error as FaxCommandError {
                throw CommandFailure(error.description)
            }
        }
    }

    // MARK: - Shared

    static func commands(database: FaxDatabase, data: DataOptions) throws -> FaxCommands {
        FaxCommands(store: database, spool: Spool(root: try CleanupCommand.loadConfiguration(data).spoolDirectory))
    }

    /// The one fax the text names; a clear error when none or several.
    static func find(_ text: String, database: FaxDatabase, data: DataOptions) async throws -> FaxRecord {
        do {
            return try await FaxCommands.find(text, in: database)
        } catch let error as FaxLookupError {
            throw CommandFailure(error.description)
        } catch let error as FaxValidationError {
            throw ValidationError(error.description)
        }
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// One fax in `faxline faxes --json`: what the list shows, without the event log.
struct FaxListing: Encodable {
    var id: String
    var direction: FaxDirection
    var status: FaxStatus
    var createdAt: Date
    var finishedAt: Date?
    var pages: Int
    var callerNumber: String
    var callerName: String
    var remoteStationID: String
    var did: String
    var devices: [String]
    var delivery: FaxDeliveryState

    init(_ fax: FaxRecord) {
        id = fax.id
        direction = fax.direction
        status = fax.status
        createdAt = fax.createdAt
        finishedAt = fax.finishedAt
        pages = fax.session.pages
        callerNumber = fax.callerNumber
        callerName = fax.callerName
        remoteStationID = fax.session.remoteStationID
        did = fax.did
        devices = fax.deviceExtensions
        delivery = fax.deliveryState
    }
}

/// `faxline faxes --json`: a page of faxes, and the id to pass to `--before` for the next one.
struct FaxPage: Encodable {
    var faxes: [FaxListing]
    var next: String?
}

/// `faxline faxes show --json`.
struct FaxDetails: Encodable {
    var fax: FaxRecord
    var deliveries: [MailDelivery]
}

extension FaxStatus: ExpressibleByArgument {}
