import Foundation

/// A per-device or per-group change to how long faxes are kept.
public struct RetentionOverride: Sendable, Equatable, Codable {
    /// Days a fax (record and images) is kept; `nil` keeps the default.
    public var days: Int?
    /// Images go as soon as every delivery succeeded; the record (without images) stays
    /// `days` (at least `RetentionPolicy.minimumDays`).
    public var zeroRetention: Bool

    public init(days: Int? = nil, zeroRetention: Bool = false) throws {
        self.days = days
        self.zeroRetention = zeroRetention
        try validate()
    }

    public var isEmpty: Bool { days == nil && !zeroRetention }

    public func validate() throws {
        if let days, !(RetentionPolicy.minimumDays...RetentionPolicy.maximumDays).contains(days) {
            throw FaxValidationError(
                field: "retention days",
                reason: "\(days) is outside \(RetentionPolicy.minimumDays)...\(RetentionPolicy.maximumDays)")
        }
    }
}

/// A change to one retention override; `nil` fields stay as they are.
public struct RetentionChange: Sendable, Equatable {
    public enum Days: Sendable, Equatable {
        case set(Int)
        /// Back to the default.
        case clear
    }

    public var days: Days?
    public var zeroRetention: Bool?

    public init(days: Days? = nil, zeroRetention: Bool? = nil) {
        self.days = days
        self.zeroRetention = zeroRetention
    }

    public var isEmpty: Bool { days == nil && zeroRetention == nil }

    public func validate() throws {
        if case .set(let days) = days { _ = try RetentionOverride(days: days) }
    }
}

/// A group's own retention override (`faxline groups`).
public struct GroupRetention: Sendable, Equatable {
    public var group: String
    public var override: RetentionOverride

    public init(group: String, override: RetentionOverride) {
        self.group = group
        self.override = override
    }
}

/// The overrides in force: by device extension and by group, and which group each device is in.
extension RetentionOverride {
    /// "60 days", "30 days, zero retention", or "default" for none.
    public static func describe(_ override: RetentionOverride?) -> String {
        guard let override, !override.isEmpty else { return "default" }
        var parts: [String] = []
        if let days = override.days { parts.append(Plural.count(days, "day")) }
        if override.zeroRetention { parts.append("zero retention") }
        return parts.joined(separator: ", ")
    }
}

public struct RetentionOverrides: Sendable, Equatable {
    public var devices: [String: RetentionOverride]
    public var groups: [String: RetentionOverride]
    public var deviceGroups: [String: String]

    public init(devices: [String: RetentionOverride] = [:], groups: [String: RetentionOverride] = [:],
                deviceGroups: [String: String] = [:]) {
        self.devices = devices
        self.groups = groups
        self.deviceGroups = deviceGroups
    }

    /// The device's own override, else its group's, else none.
    public func override(forExtension number: String) -> RetentionOverride? {
        if let own = devices[number], !own.isEmpty { return own }
        if let group = deviceGroups[number], let shared = groups[group], !shared.isEmpty { return shared }
        return nil
    }
}

/// What retention needs to know of one fax; no I/O.
public struct FaxRetentionCandidate: Sendable, Equatable {
    public var id: String
    public var direction: FaxDirection
    public var status: FaxStatus
    public var createdAt: Date
    public var finishedAt: Date?
    public var deviceExtensions: [String]
    public var deliveryState: FaxDeliveryState
    public var files: [SpoolPath]

    public init(id: String, direction: FaxDirection, status: FaxStatus, createdAt: Date, finishedAt: Date?,
                deviceExtensions: [String], deliveryState: FaxDeliveryState, files: [SpoolPath]) {
        self.id = id
        self.direction = direction
        self.status = status
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.deviceExtensions = deviceExtensions
        self.deliveryState = deliveryState
        self.files = files
    }

    /// What retention needs of a fax record.
    public init(_ fax: FaxRecord) {
        self.init(
            id: fax.id, direction: fax.direction, status: fax.status, createdAt: fax.createdAt, finishedAt: fax.finishedAt,
            deviceExtensions: fax.deviceExtensions, deliveryState: fax.deliveryState,
            files: [fax.files.tiff, fax.files.pdf, fax.files.thumbnail].compactMap { $0 })
    }

    /// On the line right now: never touched.
    public var isInFlight: Bool { status == .receiving || status == .sending }
}

/// What the cleaner does with one fax.
public enum RetentionDecision: Sendable, Equatable {
    case keep
    /// Zero retention: the images go, the record stays.
    case deleteImages
    /// Record and images.
    case deleteRecord
}

/// How long things are kept. Pure: every decision takes `now`, so tests run any date.
public struct RetentionPolicy: Sendable, Equatable {
    /// No override keeps a fax for less (and a zero-retention record stays at least this long;
    /// a zero-retention fax whose delivery failed keeps its images this long).
    public static let minimumDays = 7
    public static let maximumDays = 36_500

    public var receivedFaxDays = 30
    public var sentFaxDays = 30
    /// Finished job records, attempt histories and event logs.
    public var finishedRecordDays = 30
    /// Files in the spool's `tmp/` and files no record knows are deleted once this old.
    public var temporaryFileHours = 24

    public init(receivedFaxDays: Int = 30, sentFaxDays: Int = 30, finishedRecordDays: Int = 30, temporaryFileHours: Int = 24) {
        self.receivedFaxDays = receivedFaxDays
        self.sentFaxDays = sentFaxDays
        self.finishedRecordDays = finishedRecordDays
        self.temporaryFileHours = temporaryFileHours
    }

    public static let standard = RetentionPolicy()

    public static let day: TimeInterval = 86_400

    public var temporaryFileAge: TimeInterval { TimeInterval(temporaryFileHours) * 3600 }

    /// Finished records created before this are due.
    public func finishedRecordCutoff(now: Date) -> Date {
        now.addingTimeInterval(-TimeInterval(finishedRecordDays) * Self.day)
    }

    /// The time a fax's age counts from: when it ended (a long call, a late send), else when it began.
    static func age(of fax: FaxRetentionCandidate, now: Date) -> TimeInterval {
        now.timeIntervalSince(fax.finishedAt ?? fax.createdAt)
    }

    /// Faxes created before this cannot be due under any setting except zero retention's
    /// image deletion; the store uses it to skip young records that have no images.
    public func youngestPossibleRecordCutoff(now: Date) -> Date {
        now.addingTimeInterval(-TimeInterval(min(Self.minimumDays, receivedFaxDays, sentFaxDays)) * Self.day)
    }

    public func decision(for fax: FaxRetentionCandidate, overrides: RetentionOverrides, now: Date) -> RetentionDecision {
        // Never touch what is on the line or still being delivered: someone has not got it yet.
        if fax.isInFlight || fax.deliveryState == .pending { return .keep }
        let age = Self.age(of: fax, now: now)
        let base = fax.direction == .received ? receivedFaxDays : sentFaxDays
        let deviceOverrides = fax.deviceExtensions.map { overrides.override(forExtension: $0) }
        // A fax routed to several devices is kept as long as the most careful of them wants,
        // and loses its images early only when every one of them asks for zero retention.
        let days = deviceOverrides.map { $0?.days ?? base }.max() ?? base
        let zeroRetention = !deviceOverrides.isEmpty && deviceOverrides.allSatisfy { $0?.zeroRetention == true }
        if zeroRetention {
            let recordDays = max(Self.minimumDays, deviceOverrides.compactMap { $0?.days }.max() ?? Self.minimumDays)
            if age >= TimeInterval(recordDays) * Self.day { return .deleteRecord }
            guard !fax.files.isEmpty else { return .keep }
            if fax.deliveryState == .delivered { return .deleteImages }
            // Failed, or nobody to deliver to: the images stay long enough to deliver by hand.
            return age >= TimeInterval(Self.minimumDays) * Self.day ? .deleteImages : .keep
        }
        return age >= TimeInterval(days) * Self.day ? .deleteRecord : .keep
    }
}
