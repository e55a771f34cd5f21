import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation
import Logging
import Mail

/// `faxline mail-submit`: the pipe an MTA (Postfix, Exim) delivers fax mail through. The
/// message comes on standard input; the exit status is one of the sysexits MTAs understand, so
/// a refusal bounces with its reason (on standard error) and a temporary problem is retried.
struct MailSubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail-submit",
        abstract: "Fax a mail handed over by a mail server (the message on standard input).",
        discussion: """
            For a Postfix or Exim transport (see "Mail to fax" in the README). The mail server is \
            trusted like a relay in [mail-in] trusted: the envelope sender or the From header must \
            belong to a Faxline user or fax device. Exit status: 0 queued, 64 usage, 65 bad message, \
            67 not a fax recipient, 69 refused, 75 try again later, 77 sender not allowed, 78 configuration.
            Example:
              faxline mail-submit --sender alice@example.com --recipient 5550100@fax.example.com < message.eml
            """)

    @Option(help: ArgumentHelp("The envelope sender (empty for a bounce).", valueName: "address")) var sender: String
    @Option(help: ArgumentHelp("A fax recipient address; repeat for more (one broadcast).", valueName: "address"))
    var recipient: [String] = []
    @OptionGroup var data: DataOptions

    func validate() throws {
        guard !recipient.isEmpty else { throw ValidationError("give at least one --recipient") }
    }

    func run() async throws {
        let status = await submit(input: FileHandle.standardInput)
        if status != .queued { throw ExitCode(status.rawValue) }
    }

    /// Submits the message from `input`; reports on standard output and error.
    func submit(input: FileHandle) async -> MailSubmitStatus {
        var logger = Logger(label: "faxline.mail-submit")
        logger.logLevel = .warning
        let configuration: FaxlineConfiguration
        let database: any FaxStore
        do {
            configuration = try FaxlineConfiguration.load(dataDirectory: data.directory)
            database = try data.openDatabase()
        } catch {
            PipedMailSpool.discard(input)
            return fail(.configuration, "\(error)")
        }
        let settings = configuration.mailIn
        let spool = Spool(root: configuration.spoolDirectory)
        let gateway = MailToFaxGateway(
            settings: settings, store: database, spool: spool, minimumFreeBytes: configuration.minimumFreeBytes, resolver: nil,
            isPipe: true, logger: logger)
        let session = MailGatewaySession(id: "pipe", peer: nil, helloName: nil, isTLSActive: false, authenticatedUser: nil)
        do {
            let envelopeSender: SMTPReversePath
            if sender.isEmpty || sender == "<>" {
                envelopeSender = .null
            } else {
                guard let mailbox = Self.mailbox(sender) else {
                    PipedMailSpool.discard(input)
                    return fail(.dataError, "--sender \(sender) is not a mail address")
                }
                envelopeSender = .mailbox(mailbox)
            }
            if case .refuse(let reply) = try await gateway.checkSender(envelopeSender, parameters: .init(), session: session) {
                PipedMailSpool.discard(input)
                return fail(MailSubmitStatus(reply), reply.lines.joined(separator: " "))
            }
            var envelope = SMTPEnvelope(sender: envelopeSender)
            for address in recipient {
                guard let mailbox = Self.mailbox(address) else {
                    PipedMailSpool.discard(input)
                    return fail(.noUser, "\(address) is not a mail address")
                }
                let decision = try await gateway.checkRecipient(mailbox, envelope: envelope, session: session)
                if case .refuse(let reply) = decision {
                    PipedMailSpool.discard(input)
                    // Not a fax address: to the MTA, a user that does not exist here.
                    return fail(decision == .relayDenied ? .noUser : MailSubmitStatus(reply), "\(address): " + reply.lines.joined(separator: " "))
                }
                envelope.recipients.append(mailbox)
            }
            let stored: (path: String, size: Int)
            do {
                stored = try PipedMailSpool.store(
                    input, in: MailToFaxGateway.incomingDirectory(of: spool), maximumBytes: settings.maximumMessageBytes)
            } catch .storage(let reason) {
                return fail(.temporaryFailure, reason)
            } catch {
                return fail(.dataError, error.description)
            }
            defer { try? FileManager.default.removeItem(atPath: stored.path) }
            envelope.messageSize = stored.size
            switch try await gateway.submit(SpooledMailMessage(envelope: envelope, path: stored.path), session: session) {
            case .queued(let jobs):
                for job in jobs {
                    print("job \(job.id ?? 0) to \(job.number): queued (\(Plural.count(job.pageCount, "page")))")
                }
                _ = try? await ControlClient(dataDirectory: data.directory).send(.wake)
                return .queued
            case .refused(let refusal):
                return fail(MailSubmitStatus(refusal.reply), refusal.description)
            }
        } catch {
            // The store or the disk: nothing was queued, the MTA keeps the message and tries again.
            PipedMailSpool.discard(input)
            return fail(.temporaryFailure, ErrorWords.describe(error))
        }
    }

    private func fail(_ status: MailSubmitStatus, _ reason: String) -> MailSubmitStatus {
        FileHandle.standardError.write(Data("faxline mail-submit: \(reason)\n".utf8))
        return status
    }

    /// `local@domain` (the local part may be quoted) as an SMTP mailbox.
    static func mailbox(_ address: String) -> SMTPMailbox? {
        var text = address.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("<"), text.hasSuffix(">") { text = String(text.dropFirst().dropLast()) }
        guard let at = text.lastIndex(of: "@"), at > text.startIndex, text.utf8.count <= SMTPMailbox.maximumPathLength,
              text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F || $0 == " " })
        else { return nil }
        var local = Substring(text[..<at])
        if local.count >= 2, local.first == "\"", local.last == "\"" { local = local.dropFirst().dropLast() }
        let domain = String(text[text.index(after: at)...])
        guard !domain.isEmpty else { return nil }
        return SMTPMailbox(localPart: String(local), domain: domain)
    }
}

/// The exit status of `mail-submit`: sysexits.h, as Postfix's pipe and Exim's transports read
/// them (temporary: try again; the others bounce with the message on standard error).
enum MailSubmitStatus: Int32, Sendable {
    case queued = 0
    case dataError = 65
    case noUser = 67
    case unavailable = 69
    case software = 70
    case temporaryFailure = 75
    case noPermission = 77
    case configuration = 78

    /// The status for an SMTP refusal: 4xx try again; 5.1.x no such recipient; 5.7.x not
    /// allowed; 5.3.x, 5.5.x, 5.6.x a message the gateway cannot take.
    init(_ reply: SMTPServerReply) {
        guard reply.isPermanentFailure else {
            self = reply.isTemporaryFailure ? .temporaryFailure : .software
            return
        }
        switch reply.enhancedCode?.subject {
        case 1: self = .noUser
        case 7: self = .noPermission
        case 3, 5, 6: self = .dataError
        default: self = .unavailable
        }
    }
}
