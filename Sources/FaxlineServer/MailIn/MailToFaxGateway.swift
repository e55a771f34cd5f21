import Accounts
import Documents
import FaxCore
import Foundation
import Logging
import Mail
import ServerSupport

/// The mail-to-fax gateway's decisions, for the SMTP listener (as its ``MailGatewayPolicy``)
/// and for `faxline mail-submit`: who may send, to which numbers, and what a message becomes.
///
/// Who may send: a signed-in user (AUTH); or mail from a trusted relay (or the local MTA's
/// pipe) whose envelope sender or `From` belongs to a user or device; or, with `spf = on`,
/// mail from anywhere whose envelope sender belongs to one and passes SPF. Recipients must be
/// fax addresses (never a relay) of numbers mail may dial. A message becomes one broadcast
/// through ``JobSubmitter``, as `faxline send` and the API submit. Every refusal says why.
public struct MailToFaxGateway: MailGatewayPolicy {
    public let settings: MailInSettings
    let store: any FaxStore
    let authenticator: Authenticator
    let submitter: JobSubmitter
    let spool: Spool
    let spf: SPFChecker?
    /// Mail arriving through `mail-submit`: the MTA that runs it is trusted.
    let isPipe: Bool
    let logger: Logger
    /// Sends the optional "queued" reply, from this address.
    let replies: (sender: any MailSender, from: String)?
    /// The queue has new jobs.
    let wake: @Sendable () -> Void
    let now: @Sendable () -> Date
    private let directory: MailSenderDirectory
    private let parser: FaxAddressParser

    public init(
        settings: MailInSettings, store: any FaxStore, spool: Spool, minimumFreeBytes: Int64, resolver: (any DNSResolver)?,
        isPipe: Bool = false, logger: Logger, replies: (sender: any MailSender, from: String)? = nil,
        wake: @escaping @Sendable () -> Void = {}, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.settings = settings
        self.store = store
        self.spool = spool
        authenticator = Authenticator(store: store, logger: logger)
        submitter = JobSubmitter(jobs: store, spoolRoot: spool.root, minimumFreeBytes: minimumFreeBytes)
        spf = settings.spf == .off ? nil : resolver.map(SPFChecker.init)
        self.isPipe = isPipe
        self.logger = logger
        self.replies = replies
        self.wake = wake
        self.now = now
        directory = MailSenderDirectory(store: store)
        parser = settings.addressParser
    }

    /// Where the SMTP listener spools arriving messages.
    public static func incomingDirectory(of spool: Spool) -> String { spool.root + "/mail-in" }

    // MARK: - MailGatewayPolicy

    public func authenticate(_ credentials: SMTPAuthenticationCredentials, session: MailGatewaySession) async throws -> SMTPPolicyDecision {
        do {
            let principal = try await authenticator.authenticate(
                name: credentials.username, password: credentials.password, from: session.peer?.ipAddress, at: now())
            logger.info("SMTP user signed in", metadata: ["smtp.session": "\(session.id)", "user": "\(principal.user.name)"])
            return .accept
        } catch AuthenticationError.locked(let until) {
            return .refuse(SMTPServerReply(454, .init(4, 7, 0),
                "too many failed sign-ins: locked until \(until.formatted(.iso8601)); try again later"))
        } catch AuthenticationError.disabled {
            return .refuse(SMTPServerReply(535, .init(5, 7, 8), "the user is disabled"))
        } catch is AuthenticationError {
            return .invalidCredentials
        }
    }

    public func checkSender(_ sender: SMTPReversePath, parameters: SMTPMailParameters, session: MailGatewaySession) async throws -> SMTPPolicyDecision {
        if let user = session.authenticatedUser {
            switch try await directory.user(named: user) {
            case .sender: return .accept
            case .refused(let reason): return .refuse(Self.notAllowed(reason))
            case .unknown: return .refuse(Self.notAllowed("user \(user) is gone"))
            }
        }
        guard let mailbox = sender.mailbox else {
            return .refuse(Self.notAllowed("mail without a sender address (a bounce) is never faxed"))
        }
        if isTrusted(session) {
            // An unknown envelope sender may still be a user's: the From header decides at DATA.
            if case .refused(let reason) = try await directory.sender(forAddress: mailbox.description) {
                return .refuse(Self.notAllowed(reason))
            }
            return .accept
        }
        guard let spf else {
            return .refuse(SMTPServerReply(530, .init(5, 7, 0), "authentication required: sign in (AUTH) to send faxes by mail"))
        }
        switch try await directory.sender(forAddress: mailbox.description) {
        case .sender: break
        case .refused(let reason): return .refuse(Self.notAllowed(reason))
        case .unknown:
            return .refuse(SMTPServerReply(530, .init(5, 7, 0),
                "authentication required: \(mailbox) is not the address of a Faxline user or fax device"))
        }
        guard let peer = session.peer?.ipAddress, let address = IPAddressBytes.parse(peer) else {
            return .refuse(Self.notAllowed("cannot tell the client's address for the SPF check"))
        }
        let result = await spf.check(address: address, domain: mailbox.domain)
        logger.info("SPF checked", metadata: ["smtp.session": "\(session.id)", "spf": "\(result)", "sender": "\(mailbox)"])
        switch result {
        case .pass:
            return .accept
        case .softFail where settings.spf == .softfailAccepted:
            return .accept
        case .fail, .softFail:
            return .refuse(SMTPServerReply(550, .init(5, 7, 23), "SPF \(result): \(peer) may not send mail for \(mailbox.domain)"))
        case .temporaryError:
            return .refuse(SMTPServerReply(451, .init(4, 4, 3), "SPF \(result); please try again later"))
        case .permanentError:
            return .refuse(SMTPServerReply(550, .init(5, 7, 24), "SPF \(result) for \(mailbox.domain)"))
        case .neutral, .none:
            return .refuse(SMTPServerReply(530, .init(5, 7, 0),
                "authentication required: SPF says \(result) for \(mailbox.domain), so \(peer) is not known to send its mail"))
        }
    }

    public func checkRecipient(_ recipient: SMTPMailbox, envelope: SMTPEnvelope, session: MailGatewaySession) async throws -> SMTPPolicyDecision {
        let number: String
        switch resolve(recipient) {
        case .success(let dialed): number = dialed
        case .failure(let refusal): return .refuse(refusal.reply)
        }
        if envelope.recipients.compactMap({ try? resolve($0).get() }).contains(number) {
            return .accept
        }
        guard envelope.recipients.count < settings.maximumRecipients else {
            return .refuse(SMTPServerReply(452, .init(4, 5, 3), "too many fax recipients (at most \(settings.maximumRecipients) per message)"))
        }
        // The limits per sender, when the sender is known already (else they are checked at DATA).
        if let sender = try await knownSender(envelope.sender, session: session) {
            let numbers = Set(envelope.recipients.compactMap { try? resolve($0).get() }).union([number])
            if let reply = try await rateLimitRefusal(sender, newJobs: numbers.count) { return .refuse(reply) }
        }
        return .accept
    }

    public func acceptMessage(_ message: SpooledMailMessage, session: MailGatewaySession) async throws -> SMTPMessageDecision {
        defer { try? FileManager.default.removeItem(atPath: message.path) }
        switch try await submit(message, session: session) {
        case .queued(let jobs):
            return .accepted(queueID: jobs.first.map { String($0.broadcastID.prefix(8)) } ?? "none")
        case .refused(let refusal):
            logger.info("mail to fax refused", metadata: ["smtp.session": "\(session.id)", "reason": "\(refusal.reply)"])
            return .refused(refusal.reply)
        }
    }

    // MARK: - The message

    public enum Outcome: Sendable {
        case queued([Job])
        case refused(MailFaxRefusal)
    }

    /// Takes the message at `message.path` apart, checks the sender and the limits, converts
    /// what it carries and queues one job per number. The message file is the caller's.
    public func submit(_ message: SpooledMailMessage, session: MailGatewaySession) async throws -> Outcome {
        var numbers: [String] = []
        var names: [String] = []
        for recipient in message.envelope.recipients {
            switch resolve(recipient) {
            case .success(let number):
                if !numbers.contains(number) {
                    numbers.append(number)
                    if case .fax(let address) = parser.parse(recipient) { names.append(address.recipientName ?? number) }
                }
            case .failure(let refusal): return .refused(refusal)
            }
        }
        guard !numbers.isEmpty else { return .refused(MailFaxRefusal(SMTPServerReply(554, .init(5, 5, 1), "no valid fax recipients"))) }
        let work = spool.temporaryFile("mail-\(UUID().uuidString.lowercased())")
        defer { try? FileManager.default.removeItem(atPath: work) }
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            return .refused(MailFaxRefusal(SMTPServerReply(452, .init(4, 3, 1), "cannot store the message: \(ErrorWords.describe(error))")))
        }
        let mail: ReceivedMail
        do {
            let reader = ReceivedMailReader(mimeLimits: settings.mimeLimits)
            mail = try reader.read(messageAt: message.path, attachmentsInto: work)
        } catch .storageFailed(let reason) {
            return .refused(MailFaxRefusal(SMTPServerReply(452, .init(4, 3, 1), "cannot store the attachments: \(reason)")))
        } catch {
            return .refused(MailFaxRefusal(SMTPServerReply(554, .init(5, 6, 0), "\(error)")))
        }
        let sender: MailFaxSender
        switch try await messageSender(message.envelope.sender, fromHeader: mail.header.value("From"), session: session) {
        case .success(let found): sender = found
        case .failure(let refusal): return .refused(refusal)
        }
        if let reply = try await rateLimitRefusal(sender, newJobs: numbers.count) { return .refused(MailFaxRefusal(reply)) }
        let options: MailFaxOptions
        do {
            options = try MailFaxOptions(subject: mail.subject, header: { mail.header.value($0) })
        } catch {
            return .refused(MailFaxRefusal(SMTPServerReply(550, .init(5, 6, 0), "\(error)")))
        }

        let body = mail.hasMeaningfulBody ? MailFaxDocument.withoutSignature(mail.bodyText) : nil
        var files: [String] = []
        var shownNames: [String: String] = [:]
        if let body, settings.bodyText == .page {
            let path = work + "/body.txt"
            do {
                try Data(body.utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                return .refused(MailFaxRefusal(SMTPServerReply(452, .init(4, 3, 1), "cannot store the text: \(ErrorWords.describe(error))")))
            }
            files.append(path)
            shownNames[path] = "the text of the mail"
        }
        for attachment in mail.attachments where !attachment.isInlineBodyImage {
            files.append(attachment.path)
            shownNames[attachment.path] = "attachment \"\(attachment.fileName)\""
        }
        let wantsCover = options.cover ?? (settings.coverPage || (settings.bodyText == .cover && body != nil))
        guard !files.isEmpty || wantsCover else {
            return .refused(MailFaxRefusal(SMTPServerReply(550, .init(5, 6, 0),
                "the message has nothing to fax: no attachment and no text (a signature alone is not sent)")))
        }

        var submission = JobSubmission(numbers: numbers, files: files)
        var jobSender = JobSender()
        if let device = sender.device {
            jobSender.deviceExtension = device.extensionNumber
            jobSender.stationID = device.stationID
            jobSender.header = device.headerText.isEmpty ? nil : device.headerText
            jobSender.callerIDName = device.name
        }
        submission.sender = jobSender
        submission.priority = options.priority ?? Job.defaultPriority
        submission.tag = options.tag
        submission.owner = sender.owner
        if options.notify ?? settings.notify { submission.notifyEmail = sender.replyAddress }
        var submitter = self.submitter
        if let resolution = options.resolution { submitter.converter.options.format.resolution = resolution }
        if wantsCover {
            submitter.converter.options.cover = CoverPage(
                to: names.joined(separator: ", "), toFax: numbers.joined(separator: ", "),
                from: sender.device?.name ?? sender.replyAddress, fromFax: "",
                subject: options.subject, comments: settings.bodyText == .cover ? body ?? "" : "", date: now())
        }
        let jobs: [Job]
        do {
            jobs = try await submitter.submit(submission, now: now())
        } catch let error as FaxValidationError {
            return .refused(MailFaxRefusal(SMTPServerReply(550, .init(5, 6, 0), Self.naming(error.description, shownNames))))
        } catch let error as DocumentError {
            return .refused(MailFaxRefusal(SMTPServerReply(554, .init(5, 6, 0),
                "cannot fax " + Self.naming(error.description, shownNames))))
        } catch let error as DiskSpaceError {
            return .refused(MailFaxRefusal(SMTPServerReply(452, .init(4, 3, 1), error.description)))
        }
        wake()
        logger.info("mail to fax queued", metadata: [
            "smtp.session": "\(session.id)", "sender": "\(sender.label)", "jobs": "\(jobs.compactMap(\.id))",
            "broadcast": "\(jobs.first?.broadcastID ?? "")",
        ])
        if settings.queuedReply, let replies,
           let reply = MailFaxReplies.queued(jobs, from: replies.from, to: sender.replyAddress, subject: options.subject) {
            do {
                try await replies.sender.send(reply)
            } catch {
                logger.warning("cannot mail the queued reply", metadata: ["error": "\(ErrorWords.describe(error))"])
            }
        }
        return .queued(jobs)
    }

    // MARK: - Rules

    /// Pipe mail, and mail from a trusted relay.
    func isTrusted(_ session: MailGatewaySession) -> Bool {
        isPipe || settings.trusted.allows(session.peer)
    }

    /// The dialed number of a fax recipient mail may fax, or why not.
    func resolve(_ recipient: SMTPMailbox) -> Result<String, MailFaxRefusal> {
        let resolution = parser.resolve(recipient) { text in try FaxNumber.normalized(text) }
        guard case .fax(_, let number) = resolution else {
            return .failure(MailFaxRefusal(resolution.refusal.flatMap { decision in
                if case .refuse(let reply) = decision { return reply }
                return nil
            } ?? Self.notAllowed("not a fax recipient")))
        }
        if let reason = settings.refusalReason(forNumber: number) {
            return .failure(MailFaxRefusal(SMTPServerReply(550, .init(5, 7, 1), reason)))
        }
        return .success(number)
    }

    /// The sender as far as MAIL FROM tells (the From header may tell more at DATA).
    private func knownSender(_ path: SMTPReversePath, session: MailGatewaySession) async throws -> MailFaxSender? {
        if let user = session.authenticatedUser, case .sender(let sender) = try await directory.user(named: user) { return sender }
        if let mailbox = path.mailbox, case .sender(let sender) = try await directory.sender(forAddress: mailbox.description) {
            return sender
        }
        return nil
    }

    private func messageSender(_ path: SMTPReversePath, fromHeader: String?, session: MailGatewaySession) async throws
        -> Result<MailFaxSender, MailFaxRefusal>
    {
        if let user = session.authenticatedUser {
            switch try await directory.user(named: user) {
            case .sender(let sender): return .success(sender)
            case .refused(let reason): return .failure(MailFaxRefusal(Self.notAllowed(reason)))
            case .unknown: return .failure(MailFaxRefusal(Self.notAllowed("user \(user) is gone")))
            }
        }
        var candidates: [String] = []
        if let mailbox = path.mailbox { candidates.append(mailbox.description) }
        // The From header counts only where the relay is trusted to have checked it.
        if isTrusted(session), let from = fromHeader.flatMap(MailFaxDocument.address(inFromHeader:)) { candidates.append(from) }
        for address in candidates {
            switch try await directory.sender(forAddress: address) {
            case .sender(let sender): return .success(sender)
            case .refused(let reason): return .failure(MailFaxRefusal(Self.notAllowed(reason)))
            case .unknown: continue
            }
        }
        let shown = candidates.isEmpty ? "the sender" : candidates.joined(separator: " and ")
        return .failure(MailFaxRefusal(Self.notAllowed("\(shown) is not the address of a Faxline user or fax device allowed to fax")))
    }

    /// A refusal when `newJobs` more jobs would pass the sender's hourly or daily limit.
    private func rateLimitRefusal(_ sender: MailFaxSender, newJobs: Int) async throws -> SMTPServerReply? {
        let now = now()
        let lastHour = try await store.jobCount(owner: sender.owner, submittedSince: now.addingTimeInterval(-3600))
        if lastHour + newJobs > settings.jobsPerHour {
            return SMTPServerReply(450, .init(4, 7, 1),
                "\(sender.label) has reached the limit of \(settings.jobsPerHour) fax jobs an hour (\(lastHour) sent); try again later")
        }
        let lastDay = try await store.jobCount(owner: sender.owner, submittedSince: now.addingTimeInterval(-86_400))
        if lastDay + newJobs > settings.jobsPerDay {
            return SMTPServerReply(450, .init(4, 7, 1),
                "\(sender.label) has reached the limit of \(settings.jobsPerDay) fax jobs a day (\(lastDay) sent); try again later")
        }
        return nil
    }

    static func notAllowed(_ reason: String) -> SMTPServerReply {
        SMTPServerReply(550, .init(5, 7, 1), "not allowed to fax: \(reason)")
    }

    /// Replaces spool paths in an error with the names the sender knows.
    private static func naming(_ text: String, _ names: [String: String]) -> String {
        names.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
    }
}

/// Why a message is not faxed, as an SMTP reply (the listener sends it; `mail-submit` turns
/// it into an exit code).
public struct MailFaxRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let reply: SMTPServerReply

    public init(_ reply: SMTPServerReply) {
        self.reply = reply
    }

    public var description: String { reply.lines.joined(separator: " ") }
}
