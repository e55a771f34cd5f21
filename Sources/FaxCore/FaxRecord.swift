import Foundation

public enum FaxDirection: String, Sendable, Codable, CaseIterable {
    case received
    /// Faxes sent by outbound jobs (the queue writes these).
    case sent
}

public enum FaxStatus: String, Sendable, Codable, CaseIterable {
    case receiving, received, partial, failed, refused
    /// Outbound faxes.
    case sending, sent
}

/// Where the email delivery of a received fax stands, summed up over its recipients.
public enum FaxDeliveryState: String, Sendable, Codable, CaseIterable {
    case none, pending, delivered, failed
}

/// One line of a fax's event log: the engine's T.30 events and the server's own (routing,
/// conversion, delivery).
public struct FaxLogEntry: Sendable, Codable, Equatable {
    /// Seconds since the fax record was created.
    public var time: Double
    public var kind: String
    public var text: String

    public init(time: Double, kind: String, text: String) {
        self.time = time
        self.kind = kind
        self.text = text
    }
}

/// The engine's result fields, in res_fax's vocabulary.
public struct FaxSessionSummary: Sendable, Codable, Equatable {
    public var pages: Int
    public var bitRate: Int
    public var ecm: Bool
    /// E.g. "fine" or "204x196" — as the engine reports it.
    public var resolution: String
    public var compression: String
    public var remoteStationID: String
    public var localStationID: String
    /// Seconds of call time.
    public var duration: Double
    /// spandsp's T.30 completion code; `nil` until the session has ended.
    public var completionCode: Int?
    /// FAXERROR.
    public var errorText: String
    /// FAXSTATUSSTRING.
    public var statusString: String

    public init(
        pages: Int = 0, bitRate: Int = 0, ecm: Bool = false, resolution: String = "", compression: String = "",
        remoteStationID: String = "", localStationID: String = "", duration: Double = 0, completionCode: Int? = nil,
        errorText: String = "", statusString: String = ""
    ) {
        self.pages = pages
        self.bitRate = bitRate
        self.ecm = ecm
        self.resolution = resolution
        self.compression = compression
        self.remoteStationID = remoteStationID
        self.localStationID = localStationID
        self.duration = duration
        self.completionCode = completionCode
        self.errorText = errorText
        self.statusString = statusString
    }
}

public struct FaxSpoolFiles: Sendable, Codable, Equatable {
    public var tiff: SpoolPath?
    public var pdf: SpoolPath?
    public var thumbnail: SpoolPath?

    public init(tiff: SpoolPath? = nil, pdf: SpoolPath? = nil, thumbnail: SpoolPath? = nil) {
        self.tiff = tiff
        self.pdf = pdf
        self.thumbnail = thumbnail
    }
}

/// One fax that went through the server.
public struct FaxRecord: Sendable, Codable, Equatable {
    /// A UUID string (it also names the spool files and the AudioSocket session).
    public var id: String
    public var direction: FaxDirection
    public var createdAt: Date
    public var finishedAt: Date?
    /// The devices the fax was routed to (received) or sent from; kept as numbers, so that a
    /// fax outlives the device.
    public var deviceExtensions: [String]
    public var callerNumber: String
    public var callerName: String
    public var did: String
    public var lineName: String?
    public var status: FaxStatus
    public var session: FaxSessionSummary
    public var events: [FaxLogEntry]
    public var files: FaxSpoolFiles
    public var deliveryState: FaxDeliveryState

    /// Caller-controlled text (caller name, station ids) longer than this is cut, not refused:
    /// a fax is never lost over a long name.
    public static let maximumTextLength = 256

    public init(
        id: String = UUID().uuidString.lowercased(), direction: FaxDirection = .received, createdAt: Date = Date(),
        finishedAt: Date? = nil, deviceExtensions: [String] = [], callerNumber: String = "", callerName: String = "",
        did: String = "", lineName: String? = nil, status: FaxStatus = .receiving,
        session: FaxSessionSummary = FaxSessionSummary(), events: [FaxLogEntry] = [],
        files: FaxSpoolFiles = FaxSpoolFiles(), deliveryState: FaxDeliveryState = .none
    ) {
        self.id = id
        self.direction = direction
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.deviceExtensions = deviceExtensions
        self.callerNumber = callerNumber
        self.callerName = callerName
        self.did = did
        self.lineName = lineName
        self.status = status
        self.session = session
        self.events = events
        self.files = files
        self.deliveryState = deliveryState
    }

    /// Appends an event, timed from `createdAt`.
    public mutating func log(_ kind: String, _ text: String, at time: Date = Date()) {
        events.append(FaxLogEntry(time: time.timeIntervalSince(createdAt), kind: kind, text: text))
    }

    /// Cuts caller-controlled text to the stored limits.
    public mutating func truncateCallerText() {
        func cut(_ text: inout String) {
            if text.count > Self.maximumTextLength { text = String(text.prefix(Self.maximumTextLength)) }
        }
        cut(&callerNumber)
        cut(&callerName)
        cut(&did)
        cut(&session.remoteStationID)
        cut(&session.localStationID)
        cut(&session.resolution)
        cut(&session.compression)
        cut(&session.errorText)
        cut(&session.statusString)
    }

    public func validate() throws {
        guard let uuid = UUID(uuidString: id), uuid.uuidString.caseInsensitiveCompare(id) == .orderedSame else {
            throw FaxValidationError(field: "fax id", reason: "\(FieldRules.quoted(id)) is not a UUID")
        }
        for number in deviceExtensions { _ = try FieldRules.extensionNumber(number) }
        let texts = [callerNumber, callerName, did, lineName ?? "", session.remoteStationID, session.localStationID]
        guard texts.allSatisfy({ $0.count <= Self.maximumTextLength }) else {
            throw FaxValidationError(field: "fax", reason: "caller or station text longer than \(Self.maximumTextLength) characters")
        }
        guard session.pages >= 0, session.bitRate >= 0, session.duration >= 0 else {
            throw FaxValidationError(field: "fax", reason: "pages, bit rate and duration must not be negative")
        }
        if let finishedAt, finishedAt < createdAt {
            throw FaxValidationError(field: "fax", reason: "finishes before it was created")
        }
    }
}
