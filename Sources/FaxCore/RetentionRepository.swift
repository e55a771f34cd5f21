import Foundation

/// One fax being purged: its mark says what goes, so that a rerun after a crash finishes it.
public struct FaxPurge: Sendable, Equatable {
    public enum Scope: String, Sendable, Codable {
        /// Images and record.
        case record
        /// Images only (zero retention).
        case images
    }

    public var faxID: String
    public var scope: Scope
    public var files: [SpoolPath]

    public init(faxID: String, scope: Scope, files: [SpoolPath]) {
        self.faxID = faxID
        self.scope = scope
        self.files = files
    }
}

/// A record of something that deleted faxes: a cleanup run or a manual deletion.
public struct AuditEntry: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case cleanup, manualDeletion = "manual-deletion"
        /// A received fax mailed again by hand (`faxline faxes resend`).
        case faxResent = "fax-resent"
        /// Zero retention: a fax's images deleted as soon as every mail of it was delivered.
        case imagesDeleted = "images-deleted"
        case backup, restore
        case userAdded = "user-added", userChanged = "user-changed", userRemoved = "user-removed"
        case passwordChanged = "password-changed", loginLocked = "login-locked", loginUnlocked = "login-unlocked"
        case tokenCreated = "token-created", tokenRevoked = "token-revoked"
        case webhookAdded = "webhook-added", webhookRemoved = "webhook-removed", webhookReplayed = "webhook-replayed"
        case deviceAdded = "device-added", deviceChanged = "device-changed", deviceRemoved = "device-removed"
        case routeAdded = "route-added", routeChanged = "route-changed", routeRemoved = "route-removed"
        /// The default route or the global switch.
        case routingChanged = "routing-changed"
        case groupChanged = "group-changed"
    }

    public var id: Int64?
    public var at: Date
    public var kind: Kind
    /// Who: "cron", "serve", a user name.
    public var actor: String
    public var summary: String

    public init(id: Int64? = nil, at: Date, kind: Kind, actor: String, summary: String) {
        self.id = id
        self.at = at
        self.kind = kind
        self.actor = actor
        self.summary = summary
    }
}

/// The store side of retention. Purging a fax is three steps — `markForPurge`, delete the
/// files, `completePurges` — so that a crash between them leaves a mark the next run finds
/// (`pendingPurges`) instead of a record pointing at missing files.
public protocol RetentionRepository: AuditRepository {
    func retentionOverrides() async throws -> RetentionOverrides
    /// The device's own override (not its group's); `nil` when it has none. Throws
    /// `RepositoryError.notFound` for an unknown extension.
    func deviceRetention(extension number: String) async throws -> RetentionOverride?
    func changeDeviceRetention(_ change: RetentionChange, extension number: String) async throws
    func changeGroupRetention(_ change: RetentionChange, group: String) async throws
    /// Every group that has a row (enabled flag or retention), by name.
    func groupRetentions() async throws -> [GroupRetention]
    /// Finished faxes (not on the line) that either have images or were created before
    /// `olderThan`, ordered by creation, after `cursor` (keyset paging), at most `limit`.
    func faxRetentionCandidates(olderThan: Date, after cursor: FaxRetentionCursor?, limit: Int) async throws
        -> [FaxRetentionCandidate]
    /// Marks the faxes for purging, re-checking in the same transaction that none is on the
    /// line or waiting for delivery. Returns the purges actually marked.
    func markForPurge(_ purges: [FaxPurge]) async throws -> [FaxPurge]
    /// Purges marked and not completed (left by a crash, or in progress in another process).
    func pendingPurges(limit: Int) async throws -> [FaxPurge]
    /// Deletes the records marked `record` and clears the image paths of those marked `images`.
    func completePurges(_ faxIDs: [String]) async throws
    /// Marks one fax for deletion by hand: refused (`RepositoryError`) while it is on the line,
    /// and while its delivery is pending unless `evenIfUndelivered`.
    func markForManualPurge(faxID: String, evenIfUndelivered: Bool) async throws -> FaxPurge
    /// The spool paths among `paths` that a record still names (faxes other than
    /// `excludingFaxIDs`, jobs' documents).
    func referencedSpoolPaths(_ paths: [String], excludingFaxIDs: Set<String>) async throws -> Set<String>
    /// Faxes on the line (their temporary files are in use).
    func inFlightFaxIDs() async throws -> Set<String>
    /// Faxes with files, by id after `cursor` (keyset paging), at most `limit`.
    func faxFiles(after cursor: String?, limit: Int) async throws -> [FaxFileList]
    /// A record's file is gone: its pointer is dropped and its log says why.
    func forgetMissingFile(faxID: String, path: SpoolPath, note: String) async throws
}

/// The files one fax record names.
public struct FaxFileList: Sendable, Equatable {
    public var faxID: String
    public var files: [SpoolPath]

    public init(faxID: String, files: [SpoolPath]) {
        self.faxID = faxID
        self.files = files
    }
}

/// Where fax retention paging stands.
public struct FaxRetentionCursor: Sendable, Equatable {
    public var createdAt: Date
    public var id: String

    public init(createdAt: Date, id: String) {
        self.createdAt = createdAt
        self.id = id
    }
}

/// Other records with a lifetime — finished outbound jobs and their attempt histories, event
/// logs — plug into the cleaner through this: it asks each for records finished before the
/// cutoff (`RetentionPolicy.finishedRecordDays`). Their files, if any, must belong to fax
/// records (which the fax retention handles), so deleting these rows is one transaction.
public protocol FinishedRecordRetention: Sendable {
    /// Names the kind in reports ("jobs", "job attempts").
    var retentionKind: String { get }
    func countFinishedRecords(before cutoff: Date) async throws -> Int
    /// Deletes up to `limit` of them; returns how many went.
    func deleteFinishedRecords(before cutoff: Date, limit: Int) async throws -> Int
}
