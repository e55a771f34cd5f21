import Accounts
import Documents
import FaxCore
import Foundation

// What the REST API (and the web app next to it) needs from the rest of the server. The server
// (FaxlineServer's `WebServicesAdapter`) implements these on its store, queue and spool; the
// API asks `AccessPolicy` before each call and implements no rule of its own.

/// The fax history and the fax files.
public protocol FaxArchive: Sendable {
    func faxes(_ query: FaxListQuery) async throws -> ListPage<FaxRecord>
    func fax(id: String) async throws -> FaxRecord?
    func deliveries(faxID: String) async throws -> [MailDelivery]
    /// The absolute path of the fax's file of this kind, when it has one.
    func filePath(_ kind: FaxFileKind, of fax: FaxRecord) -> String?
    /// Where rendered page previews are kept; files there may be removed at any time.
    var previewDirectory: String { get }
    /// Who its devices mail it to today.
    func deviceRecipients(of fax: FaxRecord) async throws -> [MailRecipient]
    /// Mails it again: deliveries due now (audited as `actor`).
    func mailAgain(_ fax: FaxRecord, to recipients: [MailRecipient], actor: String) async throws -> [MailDelivery]
    /// Deletes record and files through the retention's purge (audited as `actor`). A fax on the
    /// line is refused; one whose delivery is pending only with `force`.
    func delete(_ fax: FaxRecord, force: Bool, actor: String) async throws
    /// The note and tags users wrote on it.
    func annotation(of fax: FaxRecord) async throws -> FaxAnnotation
    func annotate(_ fax: FaxRecord, _ annotation: FaxAnnotation) async throws
    /// Records that the user opened it (the web app's unread marks).
    func markRead(_ fax: FaxRecord, userID: Int64, at now: Date) async throws
    func readFaxIDs(_ faxIDs: [String], userID: Int64) async throws -> Set<String>
}

/// The outbound queue.
public protocol JobQueue: Sendable {
    /// Where uploaded documents are written while a request is read (the spool's temporary
    /// folder, so a conversion never copies across file systems).
    var uploadDirectory: String { get }
    /// Converts and queues, like `faxline send`: every job or none.
    func submit(_ request: SendRequest) async throws -> [Job]
    /// Checks the request and converts its documents (with the cover page) to one fax TIFF at
    /// `output`, queueing nothing; returns its pages. The web app shows these before the user
    /// confirms, then submits that file.
    func prepare(_ request: SendRequest, to output: String) async throws -> Int
    func jobs(_ query: JobListQuery) async throws -> ListPage<Job>
    func job(id: Int64) async throws -> Job?
    /// Stops the job; a call in progress is hung up. Throws `JobTransitionError` for a job that has ended.
    func kill(jobID: Int64, actor: String) async throws -> Job
    /// Queues a failed or killed job again, now, with fresh counters.
    func retry(jobID: Int64, actor: String) async throws -> Job
}

/// A send request as the API took it, its documents already on disk.
public struct SendRequest: Sendable {
    public var numbers: [String]
    /// In order; `name` is what errors call the file.
    public var documents: [(path: String, name: String)]
    /// Send as this device; `nil`: as none (administrators only).
    public var deviceExtension: String?
    public var stationID: String?
    public var header: String?
    public var callerID: String?
    public var priority: Int?
    public var tries: Int?
    public var dials: Int?
    public var notBefore: Date?
    public var killAfter: TimeInterval?
    public var notifyEmail: String?
    public var notifyOnRequeue: Bool
    /// This job's events are posted here.
    public var callbackURL: String?
    public var cover: CoverPage?
    public var tag: JobTag?
    /// The submitting user's login name.
    public var owner: String

    public init(numbers: [String], documents: [(path: String, name: String)], owner: String) {
        self.numbers = numbers
        self.documents = documents
        self.owner = owner
        notifyOnRequeue = false
    }
}

/// Webhooks and their deliveries (the server's `WebhookCommands`). Who may ask is the API's
/// business (`AccessPolicy`); where a URL may point is decided here, from its owner's rights.
public protocol WebhookAdministration: Sendable {
    /// A user's webhooks, or (`nil`) all of them.
    func webhooks(userID: Int64?) async throws -> [Webhook]
    func webhook(id: String) async throws -> Webhook?
    /// Adds one for `owner` (`nil`: global); makes a secret when none is given.
    func addWebhook(url: String, events: Set<WebhookEvent>, secret: Secret?, owner: User?, actor: String) async throws -> Webhook
    func removeWebhook(_ webhook: Webhook, actor: String) async throws
    func webhookDeliveries(_ query: WebhookDeliveryQuery) async throws -> [WebhookDelivery]
    func webhookDelivery(id: String) async throws -> WebhookDelivery?
    func replayWebhookDelivery(_ delivery: WebhookDelivery, actor: String) async throws -> WebhookDelivery
    /// Refuses a job callback URL its submitter may not point there.
    func checkCallbackURL(_ url: String, for user: User) throws
}

/// Devices, routing, groups, retention and the audit log.
public protocol FaxAdministration: Sendable {
    func devices() async throws -> [FaxDevice]
    func device(extension number: String) async throws -> FaxDevice?
    // Every change is written to the audit log with `actor`, the signed-in user's name.
    func addDevice(_ device: FaxDevice, retention: RetentionChange, actor: String) async throws -> FaxDevice
    func changeDevice(extension number: String, _ changes: FaxDevice.Changes, retention: RetentionChange, actor: String) async throws
        -> FaxDevice
    func removeDevice(extension number: String, actor: String) async throws
    func retentionOverrides() async throws -> RetentionOverrides

    func routingTable() async throws -> RoutingTable
    func addRule(_ rule: RoutingRule, actor: String) async throws -> RoutingRule
    func changeRule(id: Int64, position: Int?, enabled: Bool?, actor: String) async throws -> RoutingRule
    func removeRule(id: Int64, actor: String) async throws
    /// `.some(nil)` refuses faxes nobody claims.
    func changeRouting(defaultExtension: String??, faxingEnabled: Bool?, actor: String) async throws

    func groups() async throws -> [DeviceGroup]
    func changeGroup(_ name: String, enabled: Bool?, retention: RetentionChange, actor: String) async throws -> DeviceGroup
    var retentionPolicy: RetentionPolicy { get }

    /// Newest first.
    func auditEntries(limit: Int) async throws -> [AuditEntry]
    /// A page of the entries the query selects (filters, keyset paging), newest first.
    func auditPage(_ query: AuditQuery) async throws -> ListPage<AuditEntry>
    func appendAudit(_ entry: AuditEntry) async throws

    /// Every key of `faxline.conf` as the server runs with it, defaults included.
    var effectiveConfiguration: EffectiveConfiguration { get }
}

/// The configuration the server runs with, key by key, for the administrators' read-only view.
public struct EffectiveConfiguration: Sendable, Equatable {
    /// Where the file is (it may not exist: then every value is a default).
    public var filePath: String
    public var settings: [ConfigurationSetting]

    public init(filePath: String, settings: [ConfigurationSetting]) {
        self.filePath = filePath
        self.settings = settings
    }
}

/// One key of one section. A secret stays a ``Secret``, so that nothing that shows a setting
/// can print it by mistake.
public struct ConfigurationSetting: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case text(String)
        /// `nil` or empty: not set.
        case secret(Secret?)
    }

    public var section: String
    public var key: String
    public var value: Value

    public init(_ section: String, _ key: String, _ value: Value) {
        self.section = section
        self.key = key
        self.value = value
    }

    /// What a page shows: the text, or a secret as ``Secret/redacted``.
    public var shown: String {
        switch value {
        case .text(let text): text
        case .secret(let secret): secret.map { $0.isEmpty ? "" : $0.description } ?? ""
        }
    }
}

/// A device group: its switch, its retention override and its devices.
public struct DeviceGroup: Sendable, Equatable {
    public var name: String
    public var isEnabled: Bool
    public var retention: RetentionOverride?
    public var deviceExtensions: [String]

    public init(name: String, isEnabled: Bool, retention: RetentionOverride?, deviceExtensions: [String]) {
        self.name = name
        self.isEnabled = isEnabled
        self.retention = retention
        self.deviceExtensions = deviceExtensions
    }
}

/// What `faxline status` shows, and the queue and mail backlog.
public protocol ServerMonitor: Sendable {
    func status() async throws -> StatusReport
}

public struct StatusReport: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var name: String
        public var state: String
        public var direction: String?
        public var faxID: String?
        public var remoteNumber: String?
        public var since: Date

        public init(name: String, state: String, direction: String?, faxID: String?, remoteNumber: String?, since: Date) {
            self.name = name
            self.state = state
            self.direction = direction
            self.faxID = faxID
            self.remoteNumber = remoteNumber
            self.since = since
        }
    }

    public var version: String
    public var startedAt: Date
    public var lines: [Line]
    public var inboundCalls: Int
    public var outboundCalls: Int
    public var succeeded: Int
    public var failed: Int
    public var refusedNoFreeLine: Int
    public var freeDiskBytes: Int64?
    public var refusingCalls: String?
    public var outbound: String?
    public var queue: [JobState: Int]
    public var mailBacklog: Int

    public init(
        version: String, startedAt: Date, lines: [Line], inboundCalls: Int, outboundCalls: Int, succeeded: Int, failed: Int,
        refusedNoFreeLine: Int, freeDiskBytes: Int64?, refusingCalls: String?, outbound: String?, queue: [JobState: Int],
        mailBacklog: Int
    ) {
        self.version = version
        self.startedAt = startedAt
        self.lines = lines
        self.inboundCalls = inboundCalls
        self.outboundCalls = outboundCalls
        self.succeeded = succeeded
        self.failed = failed
        self.refusedNoFreeLine = refusedNoFreeLine
        self.freeDiskBytes = freeDiskBytes
        self.refusingCalls = refusingCalls
        self.outbound = outbound
        self.queue = queue
        self.mailBacklog = mailBacklog
    }
}

/// Everything the API reaches, in one value.
public struct APIServices: Sendable {
    public var faxes: any FaxArchive
    public var jobs: any JobQueue
    public var administration: any FaxAdministration
    public var monitor: any ServerMonitor
    /// Users, tokens, sign-in limits: the Accounts module's services run on this.
    public var accounts: any AccountStore
    /// The address book (the store's: contacts need no more than their fields' rules).
    public var contacts: any ContactRepository
    /// `nil`: this server has no webhooks (the endpoints answer 404, callback URLs are refused).
    public var webhooks: (any WebhookAdministration)?

    public init(
        faxes: any FaxArchive, jobs: any JobQueue, administration: any FaxAdministration, monitor: any ServerMonitor,
        accounts: any AccountStore, contacts: any ContactRepository, webhooks: (any WebhookAdministration)? = nil
    ) {
        self.faxes = faxes
        self.jobs = jobs
        self.administration = administration
        self.monitor = monitor
        self.accounts = accounts
        self.contacts = contacts
        self.webhooks = webhooks
    }
}
