/// The outcome of one fax session, in the vocabulary of Asterisk's res_fax (FAXSTATUS,
/// FAXERROR, FAXSTATUSSTRING, FAXPAGES, FAXBITRATE, FAXRESOLUTION, REMOTESTATIONID,
/// LOCALSTATIONID), so dialplans written for ReceiveFAX keep working.
public struct FaxResult: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case success = "SUCCESS"
        case failed = "FAILED"
    }

    public var status: Status
    /// spandsp's T.30 completion code (0 is OK).
    public var completionCode: Int
    /// FAXERROR: "OK" on success, else spandsp's text for the completion code.
    public var error: String
    /// FAXSTATUSSTRING: spandsp's text for the completion code.
    public var statusString: String
    public var sending: Bool
    /// Pages that went through phase D (sent, or received and answered).
    public var pagesTransferred: Int
    /// Pages the far end confirmed (sending) or that were accepted and written (receiving).
    public var pagesConfirmed: Int
    /// Pages the session meant to send; `nil` when receiving.
    public var pagesToSend: Int?
    public var bitRate: Int
    public var resolution: FaxResolution
    public var compression: FaxCompression
    public var ecm: Bool
    public var remoteStationID: String
    public var localStationID: String
    public var badRows: Int
    /// Seconds of call audio (or T.38 time) the session ran for.
    public var duration: Double
    /// The far end hung up after the last page was confirmed: normal, and a success.
    public var hungUpAfterLastPage: Bool
    /// Valid T.30 frames (DIS, DCS, CFR, MCF …) that came from the far end. Zero means no fax
    /// machine was ever heard: the call was answered by something else, or went silent.
    public var t30FramesReceived: Int
    /// The T.30 event log, oldest first.
    public var events: [FaxEvent]

    public var isSuccess: Bool { status == .success }
    /// T.30 ran: the far end spoke the fax protocol at least once.
    public var t30Started: Bool { t30FramesReceived > 0 }

    /// The result of a call whose fax session never ran (e.g. the audio never connected).
    public static func notStarted(reason: String, sending: Bool) -> FaxResult {
        FaxResult(status: .failed, completionCode: -1, error: reason, statusString: reason, sending: sending,
                  pagesTransferred: 0, pagesConfirmed: 0, pagesToSend: nil, bitRate: 0,
                  resolution: FaxResolution(x: 0, y: 0), compression: .none, ecm: false,
                  remoteStationID: "", localStationID: "", badRows: 0, duration: 0,
                  hungUpAfterLastPage: false, t30FramesReceived: 0, events: [])
    }
}

public enum FaxCompression: String, Sendable, Codable {
    case t4OneDimensional = "T.4 1D"
    case t4TwoDimensional = "T.4 2D"
    case t6 = "T.6"
    case none = "none"

    init(spandspEncoding: Int32) {
        switch spandspEncoding {
        case 1: self = .t4OneDimensional
        case 2: self = .t4TwoDimensional
        case 3: self = .t6
        default: self = .none
        }
    }
}

/// Resolution as spandsp reports it (pixels per metre) with the fax name for it.
public struct FaxResolution: Sendable, Codable, Equatable, CustomStringConvertible {
    public var x: Int
    public var y: Int

    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }

    public var name: String {
        switch y {
        case 0: "unknown"
        case ..<5_000: "standard"
        case ..<10_000: "fine"
        default: "superfine"
        }
    }

    /// FAXRESOLUTION as Asterisk prints it.
    public var description: String { "\(x)x\(y)" }
}

/// One line of a session's event log.
public struct FaxEvent: Sendable, Codable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case phaseB = "B"
        case phaseD = "D"
        case phaseE = "E"
        case log = "log"
        case note = "note"
    }

    /// Seconds into the call.
    public var time: Double
    public var kind: Kind
    public var text: String

    public var description: String {
        let seconds = (time * 1000).rounded() / 1000
        return "\(seconds)s [\(kind.rawValue)] \(text)"
    }
}
