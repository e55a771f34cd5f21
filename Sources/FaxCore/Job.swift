import Foundation

/// Where an outbound job stands. Every change is a transition of `Job` (JobLifecycle.swift).
///
/// `queued` jobs wait for their not-before time and a free line; `dialing` means an Originate
/// is out; `sending` means the far end answered and pages are going; `requeued` is `queued`
/// after a failed attempt, with the reason kept; `done`, `failed` and `killed` are final
/// (`faxline jobs retry` puts a failed or killed job back in the queue).
public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued, requeued, dialing, sending, done, failed, killed

    /// Waiting for its time and a line.
    public var isWaiting: Bool { self == .queued || self == .requeued }
    /// On the line (or being dialed).
    public var isActive: Bool { self == .dialing || self == .sending }
    public var isFinal: Bool { self == .done || self == .failed || self == .killed }
}

/// Why an attempt did not finish the job, as the retry policy knows it (HylaFAX's classes).
public enum JobRetryCause: String, Sendable, Codable, CaseIterable {
    case busy
    case noAnswer = "no-answer"
    /// Answered, but no fax machine (no tone, no DIS) or the audio never connected.
    case noCarrier = "no-carrier"
    /// T.30 failed after the fax session had started.
    case protocolFailure = "protocol"
    /// The server stopped while the job was on the line.
    case interrupted
    case other

    /// The cause in plain words, for `faxline jobs` and notification mails.
    public var plainWords: String {
        switch self {
        case .busy: "the number was busy"
        case .noAnswer: "nobody answered"
        case .noCarrier: "no fax machine answered"
        case .protocolFailure: "the fax transmission failed"
        case .interrupted: "the server stopped during the call"
        case .other: "the call failed"
        }
    }
}

/// Who a job is sent as: the fax device's identity on the line.
public struct JobSender: Sendable, Codable, Equatable {
    /// The device's extension, when sent from one.
    public var deviceExtension: String?
    /// TSI sent to the far end (at most 20 characters).
    public var stationID: String
    public var callerIDNumber: String?
    public var callerIDName: String?
    /// Text at the top of each page.
    public var header: String?

    public init(deviceExtension: String? = nil, stationID: String = "", callerIDNumber: String? = nil,
                callerIDName: String? = nil, header: String? = nil) {
        self.deviceExtension = deviceExtension
        self.stationID = stationID
        self.callerIDNumber = callerIDNumber
        self.callerIDName = callerIDName
        self.header = header
    }
}

/// One call placed for a job, and how it went.
public struct JobAttempt: Sendable, Codable, Equatable {
    public var startedAt: Date
    public var endedAt: Date?
    public var lineName: String?
    /// First page this call sent (1-based).
    public var firstPage: Int
    public var pagesConfirmed: Int
    /// `nil` when the job was done by this call.
    public var cause: JobRetryCause?
    /// What happened, in words (dial outcome or T.30 status).
    public var result: String
    public var remoteStationID: String
    public var bitRate: Int
    /// The T.30 event log of the call.
    public var events: [FaxLogEntry]

    public init(startedAt: Date, endedAt: Date? = nil, lineName: String? = nil, firstPage: Int, pagesConfirmed: Int = 0,
                cause: JobRetryCause? = nil, result: String = "", remoteStationID: String = "", bitRate: Int = 0,
                events: [FaxLogEntry] = []) {
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.lineName = lineName
        self.firstPage = firstPage
        self.pagesConfirmed = pagesConfirmed
        self.cause = cause
        self.result = result
        self.remoteStationID = remoteStationID
        self.bitRate = bitRate
        self.events = events
    }
}

/// One outbound fax to one number.
///
/// Counting follows HylaFAX: every call placed is a *dial*; a call that was answered (or cut
/// by a restart) is also a *try*. A job fails for good when either limit is reached, or at its
/// kill time.
public struct Job: Sendable, Codable, Equatable {
    public static let defaultPriority = 127
    public static let defaultTries = 3
    public static let defaultDials = 12
    public static let defaultKillAfter: TimeInterval = 3 * 3600
    /// Priorities from here up are bulk: their retries go after everything else.
    public static let bulkPriority = 190

    /// Assigned by the store; `nil` before submission.
    public var id: Int64?
    /// Shared by the jobs of one submission.
    public var broadcastID: String
    /// The number as dialed: digits, `+`, `*`, `#`.
    public var number: String
    /// The fax pages to send (TIFF class F), in the spool.
    public var document: SpoolPath
    public var pageCount: Int
    /// First page the far end has not confirmed yet (1-based); `pageCount + 1` when all are.
    public var nextPage: Int
    public var priority: Int
    public var maxTries: Int
    public var maxDials: Int
    public var tries: Int
    public var dials: Int
    public var submittedAt: Date
    public var notBefore: Date
    public var killAt: Date
    public var sender: JobSender
    /// Who submitted it (user name or address), for `faxline jobs`.
    public var owner: String
    public var notifyEmail: String?
    public var notifyOnRequeue: Bool
    /// Where this job's events are posted (signed with the server's callback secret).
    public var callbackURL: String?
    /// The submitter's own reference, shown with the job and searched by.
    public var tag: JobTag?
    public var state: JobState
    /// Why the job was requeued or failed, in plain words.
    public var reason: String
    public var lastCause: JobRetryCause?
    public var finishedAt: Date?
    public var attempts: [JobAttempt]

    public init(
        id: Int64? = nil, broadcastID: String = UUID().uuidString.lowercased(), number: String, document: SpoolPath,
        pageCount: Int, priority: Int = Job.defaultPriority, maxTries: Int = Job.defaultTries,
        maxDials: Int = Job.defaultDials, submittedAt: Date = Date(), notBefore: Date? = nil, killAt: Date? = nil,
        sender: JobSender = JobSender(), owner: String = "", notifyEmail: String? = nil, notifyOnRequeue: Bool = false,
        callbackURL: String? = nil, tag: JobTag? = nil
    ) throws {
        guard (0...255).contains(priority) else {
            throw FaxValidationError(field: "priority", reason: "must be 0 to 255 (got \(priority))")
        }
        guard (1...100).contains(maxTries) else { throw FaxValidationError(field: "tries", reason: "must be 1 to 100 (got \(maxTries))") }
        guard (1...1000).contains(maxDials) else { throw FaxValidationError(field: "dials", reason: "must be 1 to 1000 (got \(maxDials))") }
        guard pageCount >= 1 else { throw FaxValidationError(field: "document", reason: "has no pages") }
        guard FaxNumber.isDialable(number) else {
            throw FaxValidationError(field: "number", reason: "\(FieldRules.quoted(number)) must be digits, +, * or # (as dialed)")
        }
        let notBefore = notBefore ?? submittedAt
        let killAt = killAt ?? notBefore.addingTimeInterval(Self.defaultKillAfter)
        guard killAt > notBefore else { throw FaxValidationError(field: "kill time", reason: "must be after the send time") }
        if let notifyEmail { try EmailAddress.validate(notifyEmail) }
        let callbackURL = try callbackURL.map { url throws(FaxValidationError) in try WebhookURL.validate(url, field: "callback URL") }
        if let header = sender.header, header.count > 50 || FieldRules.hasControlCharacters(header) {
            throw FaxValidationError(field: "header", reason: "at most 50 printable characters")
        }
        guard sender.stationID.count <= 20, FieldRules.isPrintableASCII(sender.stationID) else {
            throw FaxValidationError(field: "station id", reason: "at most 20 printable ASCII characters")
        }
        self.id = id
        self.broadcastID = broadcastID
        self.number = number
        self.document = document
        self.pageCount = pageCount
        self.nextPage = 1
        self.priority = priority
        self.maxTries = maxTries
        self.maxDials = maxDials
        self.tries = 0
        self.dials = 0
        self.submittedAt = submittedAt
        self.notBefore = notBefore
        self.killAt = killAt
        self.sender = sender
        self.owner = owner
        self.notifyEmail = notifyEmail
        self.notifyOnRequeue = notifyOnRequeue
        self.callbackURL = callbackURL
        self.tag = tag
        self.state = .queued
        self.reason = ""
        self.lastCause = nil
        self.finishedAt = nil
        self.attempts = []
    }

    public var isBulk: Bool { priority >= Self.bulkPriority }
    public var pagesConfirmed: Int { nextPage - 1 }
}

/// A change of a job's state that breaks the state machine.
public struct JobTransitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var jobID: Int64
    public var from: JobState
    public var to: JobState

    public init(jobID: Int64, from: JobState, to: JobState) {
        self.jobID = jobID
        self.from = from
        self.to = to
    }

    public var description: String { "job \(jobID) is \(from.rawValue) and cannot become \(to.rawValue)" }
}
