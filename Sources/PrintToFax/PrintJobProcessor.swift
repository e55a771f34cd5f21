import Documents
import FaxCore
import FaxlineServer
import Foundation
import Logging

/// One print job, from the printed document to queued fax jobs: the printing user mapped to a
/// Faxline user, the control fields read from the document's text and painted out of its
/// pages, then the same `JobSubmitter` as `faxline send` and the REST API.
///
/// Runs with the data folder's owner's rights (see `DataFolderOwner`). Everything in the
/// document and the job's title is data: looked up, validated, shown cleaned — never part of
/// a path or a command (the files here are named by the job's own UUID).
public struct PrintJobProcessor: Sendable {
    public let job: CUPSPrintJob
    public let configuration: FaxlineConfiguration
    public let store: any FaxStore
    public let logger: Logger
    public var converterOptions = ConversionOptions()
    /// A job larger than this is refused.
    public var maximumJobBytes = 256 << 20

    public init(job: CUPSPrintJob, configuration: FaxlineConfiguration, store: any FaxStore, logger: Logger) {
        self.job = job
        self.configuration = configuration
        self.store = store
        self.logger = logger
    }

    /// Why a job was not queued, and what CUPS should do with it.
    struct Refusal: Error {
        var status: CUPSBackendStatus
        var reason: String
        /// Whether the user is mailed the reason (they cannot see CUPS's log).
        var mailUser = true

        init(status: CUPSBackendStatus, reason: String, mailUser: Bool = true) {
            self.status = status
            self.reason = reason
            self.mailUser = mailUser
        }

        /// A document that cannot be faxed is the user's to fix (cancelled, mailed); a missing
        /// tool stops the printer until it is installed; a folder that cannot be written is
        /// tried again.
        init(_ error: DocumentError) {
            switch error {
            case .toolMissing: self.init(status: .stop, reason: error.description, mailUser: false)
            case .cannotWrite: self.init(status: .retry, reason: error.description, mailUser: false)
            default: self.init(status: .cancel, reason: error.description)
            }
        }
    }

    /// Processes the job read from `input`; returns what CUPS is to be told. Queued jobs are
    /// announced to a running server (`wake`), as `faxline send` does.
    public func process(input: FileHandle) async -> CUPSBackendStatus {
        let spool = Spool(root: configuration.spoolDirectory)
        let workspace = spool.temporaryFile("print-\(UUID().uuidString.lowercased())")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        var user: User?
        do {
            let found = try await faxlineUser()
            user = found
            try spool.prepare()
            guard mkdir(workspace, 0o700) == 0 else {
                throw Refusal(status: .retry, reason: "cannot create \(workspace): \(String(cString: strerror(errno)))", mailUser: false)
            }
            let jobs = try await submit(from: input, as: found, workspace: workspace)
            for queued in jobs {
                logger.info("fax job queued", metadata: ["fax.job": "\(queued.id ?? 0)", "number": "\(queued.number)"])
            }
            if (try? await ControlClient(dataDirectory: configuration.dataDirectory).send(.wake)) == nil {
                logger.notice("no faxline serve is running: the jobs wait until it runs")
            }
            return .ok
        } catch let refusal as Refusal {
            logger.error("print job refused: \(refusal.reason)")
            if refusal.mailUser, let user {
                await mail(user, refusal.reason)
                _ = try? await ControlClient(dataDirectory: configuration.dataDirectory).send(.wake)
            }
            return refusal.status
        } catch {
            logger.error("print job failed: \(ErrorWords.describe(error))")
            return .retry
        }
    }

    /// The Faxline user the printing user is, allowed to send.
    func faxlineUser() async throws -> User {
        guard let name = configuration.printing.faxlineUser(forPrintUser: job.user) else {
            throw Refusal(status: .cancel, reason: "the print user \(job.user) is no Faxline user name; map it in [print] users", mailUser: false)
        }
        guard let user = try await store.user(name: name) else {
            throw Refusal(status: .cancel, reason: "no Faxline user \(name) for the print user \(job.user)", mailUser: false)
        }
        let decision = AccessPolicy.decide(Principal(user: user, credential: .password), .send(asDevice: user.deviceExtensions.first))
        guard decision.isAllowed else {
            throw Refusal(status: .cancel, reason: "the Faxline user \(name) may not send faxes: \(decision)", mailUser: user.isEnabled)
        }
        return user
    }

    func submit(from input: FileHandle, as user: User, workspace: String) async throws -> [Job] {
        let printed = workspace + "/printed"
        try copy(input, to: printed)
        let document = try await pdf(of: printed, workspace: workspace)
        let layout: PDFTextLayout
        let located: ControlFieldLocator
        let options: PrintedFaxOptions
        do {
            layout = try await PDFTextLayout.extract(from: document, options: converterOptions, reportingAs: "the printed document")
            located = try ControlFieldLocator(layout: layout)
            options = try PrintedFaxOptions(fields: located.fields)
        } catch let error as DocumentError {
            throw Refusal(error)
        } catch {
            throw Refusal(status: .cancel, reason: "\(error)")
        }
        if !options.unknownFields.isEmpty {
            logger.warning("unknown control fields ignored (removed from the pages)", metadata: ["fields": "\(options.unknownFields)"])
        }
        guard !options.numbers.isEmpty else {
            throw Refusal(status: .cancel, reason: "the document has no fax number: write @@+FAX:NUMBER@@ in it (e.g. @@+FAX:+49 30 1234567@@)")
        }
        let cleaned = workspace + "/fax.pdf"
        do {
            try await PDFRewriter(options: converterOptions).whitingOut(
                located.boxes, pageHeights: located.pageHeights, in: document, writingTo: cleaned, reportingAs: "the printed document")
        } catch {
            throw Refusal(error)
        }
        var submission = JobSubmission(numbers: options.numbers, files: [cleaned])
        submission.owner = user.name
        submission.sender = try await sender(for: user)
        if let priority = options.priority { submission.priority = priority }
        submission.tag = options.tag
        switch options.notification {
        case .user: submission.notifyEmail = user.email
        case .userAlsoWhenRequeued:
            submission.notifyEmail = user.email
            submission.notifyOnRequeue = true
        case .nobody: submission.notifyEmail = nil
        case .address(let address): submission.notifyEmail = address
        }
        var submitter = JobSubmitter(jobs: store, spoolRoot: configuration.spoolDirectory, minimumFreeBytes: configuration.minimumFreeBytes)
        submitter.converter = DocumentConverter(options: converterOptions, logger: logger)
        do {
            let jobs = try await submitter.submit(submission)
            logger.info("print job queued as fax", metadata: [
                "numbers": "\(options.numbers.joined(separator: ","))", "tag": "\(options.tag?.text ?? "")",
                "broadcast": "\(jobs.first?.broadcastID ?? "")", "faxline.user": "\(user.name)",
            ])
            return jobs
        } catch let error as FaxValidationError {
            throw Refusal(status: .cancel, reason: error.description)
        } catch let error as DocumentError {
            throw Refusal(error)
        } catch let error as DiskSpaceError {
            throw Refusal(status: .retry, reason: error.description, mailUser: false)
        }
    }

    /// The user's first device is who the fax is sent as (its station id, header and caller
    /// id name); an administrator without one sends as none.
    func sender(for user: User) async throws -> JobSender {
        guard let number = user.deviceExtensions.first, let device = try await store.device(extension: number) else { return JobSender() }
        return JobSender(deviceExtension: device.extensionNumber, stationID: device.stationID, callerIDName: device.name,
                         header: device.headerText.isEmpty ? nil : device.headerText)
    }

    /// The job as CUPS sends it, into a file of ours, at most `maximumJobBytes`.
    func copy(_ input: FileHandle, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = FileHandle(forWritingAtPath: path)
        else { throw Refusal(status: .retry, reason: "cannot write \(path)", mailUser: false) }
        defer { try? output.close() }
        var total = 0
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            total += chunk.count
            guard total <= maximumJobBytes else {
                throw Refusal(status: .cancel, reason: "the printed document is larger than \(maximumJobBytes >> 20) MB")
            }
            try output.write(contentsOf: chunk)
        }
        guard total > 0 else { throw Refusal(status: .cancel, reason: "the print job is empty") }
    }

    /// The document as a PDF: PostScript through Ghostscript, a PDF as it is.
    func pdf(of printed: String, workspace: String) async throws -> String {
        let type: DocumentType
        do {
            type = try DocumentType.detect(path: printed)
        } catch {
            throw Refusal(status: .cancel, reason: "the printed document: \(error.description)")
        }
        switch type {
        case .pdf:
            return printed
        case .postScript:
            let converted = workspace + "/printed.pdf"
            do {
                try await PDFRewriter(options: converterOptions).pdf(fromPostScript: printed, writingTo: converted,
                                                                     reportingAs: "the printed document")
            } catch {
                throw Refusal(error)
            }
            return converted
        default:
            throw Refusal(status: .cancel, reason: "the printer sent \(type.rawValue), not PDF or PostScript (CONTENT_TYPE \(job.contentType ?? "unset"))")
        }
    }

    /// Tells the user why their print job was not faxed: a notice in the durable mail queue,
    /// which the server sends (and retries) as it does a fax's mail. CUPS's log has the reason
    /// whatever happens here.
    func mail(_ user: User, _ reason: String) async {
        let subject = "Your print job was not faxed: " + (job.title.isEmpty ? "job \(job.jobID)" : String(job.title.prefix(80)))
        do {
            let notice = try await store.enqueueNotice(
                to: user.email, subject: subject, body: PrintRefusalText.body(title: job.title, jobID: job.jobID, reason: reason), at: Date())
            logger.info("the user is mailed why", metadata: ["mail.to": "\(user.email)", "notice.id": "\(notice.id)"])
        } catch {
            logger.warning("cannot queue the mail that tells the user why", metadata: ["error": "\(ErrorWords.describe(error))"])
        }
    }
}

/// The refusal mail's text.
enum PrintRefusalText {
    static func body(title: String, jobID: String, reason: String) -> String {
        """
        Your print job "\(title)" (job \(jobID) on the fax printer) was not sent as a fax:

        \(reason)

        Put the fax number in the document as a control field, e.g. on the first page:

            @@+FAX:+49 30 1234567@@

        Several numbers: one field each. Optional: @@+PRIO:high@@, @@+NOTIFY:no@@,
        @@+TAG:your reference@@. The fields are removed from the pages before they are sent.
        Then print the document to the fax printer again.
        """
    }
}
