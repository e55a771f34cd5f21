import CSpanDSP

/// Which side of the call a session plays. The calling party sends CNG and waits for the
/// answering party's DIS; either side may be the one that sends the document.
public enum FaxCallRole: String, Sendable, Codable {
    case calling
    case answering
}

/// What a session does with a document: send a fax TIFF, or receive into one.
public enum FaxDocument: Sendable, Equatable {
    /// Sends `path`, from `firstPage` to `lastPage` (1-based, inclusive; `nil` = document's ends).
    case send(path: String, firstPage: Int? = nil, lastPage: Int? = nil)
    case receive(path: String)

    public var isSending: Bool {
        if case .send = self { return true }
        return false
    }

    public var path: String {
        switch self {
        case .send(let path, _, _), .receive(let path): path
        }
    }
}

/// Image compressions a session offers; T.6 is the best spandsp 0.0.6 negotiates.
public struct FaxCompressions: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let t4OneDimensional = FaxCompressions(rawValue: Int32(T30_SUPPORT_T4_1D_COMPRESSION))
    public static let t4TwoDimensional = FaxCompressions(rawValue: Int32(T30_SUPPORT_T4_2D_COMPRESSION))
    public static let t6 = FaxCompressions(rawValue: Int32(T30_SUPPORT_T6_COMPRESSION))
    public static let all: FaxCompressions = [.t4OneDimensional, .t4TwoDimensional, .t6]
}

/// Image modems a session offers.
public struct FaxModems: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// 2400 and 4800 bit/s.
    public static let v27ter = FaxModems(rawValue: Int32(T30_SUPPORT_V27TER))
    /// 7200 and 9600 bit/s.
    public static let v29 = FaxModems(rawValue: Int32(T30_SUPPORT_V29))
    /// 7200 to 14400 bit/s.
    public static let v17 = FaxModems(rawValue: Int32(T30_SUPPORT_V17))
    public static let all: FaxModems = [.v27ter, .v29, .v17]

    /// The modems that can run at a rate inside `minimum...maximum` bit/s. spandsp 0.0.6 picks
    /// rates per modem, so a limit removes whole modems.
    public func limited(minimumBitRate: Int?, maximumBitRate: Int?) -> FaxModems {
        var modems = self
        if let maximum = maximumBitRate {
            if maximum < 14_400 { modems.remove(.v17) }
            if maximum < 7_200 { modems.remove(.v29) }
            if maximum < 2_400 { modems.remove(.v27ter) }
        }
        if let minimum = minimumBitRate {
            if minimum > 4_800 { modems.remove(.v27ter) }
            if minimum > 9_600 { modems.remove(.v29) }
            if minimum > 14_400 { modems.remove(.v17) }
        }
        return modems
    }
}

/// How much of spandsp's own logging a session keeps in its event log.
public enum FaxLogDetail: String, Sendable, Codable {
    /// Phase changes, frames exchanged, page results: enough to troubleshoot a call.
    case flow
    /// Everything spandsp says, including modem training details.
    case debug
    /// Phase B/D/E summaries only.
    case summary
}

/// Everything a fax session can be told before the call starts.
public struct FaxSessionOptions: Sendable, Equatable {
    public var ecm: Bool = true
    public var compressions: FaxCompressions = .all
    public var modems: FaxModems = .all
    public var minimumBitRate: Int?
    public var maximumBitRate: Int?
    /// CSID (receiving) or TSI (sending), at most 20 characters.
    public var localStationID: String = ""
    /// Text spandsp prints at the top of every sent page, at most 50 characters.
    public var pageHeader: String?
    public var logDetail: FaxLogDetail = .flow
    /// Receiving: the shortest time one scan line may take, in milliseconds (0, 5, 10, 20 or
    /// 40), as older printing machines ask in their DIS. Without ECM a sender then pads every
    /// row, blank ones too — why cutting blank space off the last page saves line time.
    public var minimumScanLineTime: Int = 0

    public init() {}

    /// The station id alphabet of T.30: digits, '+' and space; we also allow the letters that
    /// real machines use, but nothing that is not printable ASCII.
    public static let maximumStationIDLength = Int(T30_MAX_IDENT_LEN)
    public static let maximumPageHeaderLength = Int(T30_MAX_PAGE_HEADER_INFO)

    /// Checks every option; the session applies them only when this passes.
    public func validate() throws(FaxEngineError) {
        if localStationID.utf8.count > Self.maximumStationIDLength {
            throw .invalidOption("station id '\(localStationID)' is longer than \(Self.maximumStationIDLength) characters")
        }
        if !localStationID.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            throw .invalidOption("station id may hold printable ASCII only")
        }
        if let header = pageHeader {
            if header.utf8.count > Self.maximumPageHeaderLength {
                throw .invalidOption("page header is longer than \(Self.maximumPageHeaderLength) characters")
            }
            if !header.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
                throw .invalidOption("page header may hold printable ASCII only")
            }
        }
        if ![0, 5, 10, 20, 40].contains(minimumScanLineTime) {
            throw .invalidOption("minimum scan line time is 0, 5, 10, 20 or 40 ms, not \(minimumScanLineTime)")
        }
        if compressions.isEmpty {
            throw .invalidOption("no image compression is enabled")
        }
        if let minimum = minimumBitRate, let maximum = maximumBitRate, minimum > maximum {
            throw .invalidOption("minimum bit rate \(minimum) is above maximum \(maximum)")
        }
        if effectiveModems.isEmpty {
            throw .invalidOption("no modem can run between the minimum and maximum bit rates")
        }
    }

    public var effectiveModems: FaxModems {
        modems.limited(minimumBitRate: minimumBitRate, maximumBitRate: maximumBitRate)
    }
}
