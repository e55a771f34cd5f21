import Foundation

/// What a fax mail tells its reader: everything about one received fax, in plain values so
/// that Mail depends on no other module.
public struct ReceivedFaxMailContent: Sendable {
    public var deviceName: String
    public var deviceExtension: String
    /// Caller id number as Asterisk gave it; may be empty when withheld.
    public var callerNumber: String
    public var callerName: String?
    /// TSI / CSID the remote fax machine announced; remote-controlled text.
    public var remoteStationID: String?
    public var pages: Int
    public var receivedAt: Date
    public var duration: TimeInterval
    /// True when the call ended before the whole fax arrived.
    public var isPartial: Bool
    /// Why the fax is partial or failed, in words (e.g. "call dropped after page 2").
    public var statusText: String?
    public var pdfFile: URL?
    public var tiffFile: URL?
    /// PNG of page 1, shown in the `inline` format.
    public var thumbnailFile: URL?

    public init(
        deviceName: String,
        deviceExtension: String,
        callerNumber: String,
        callerName: String? = nil,
        remoteStationID: String? = nil,
        pages: Int,
        receivedAt: Date,
        duration: TimeInterval,
        isPartial: Bool = false,
        statusText: String? = nil,
        pdfFile: URL? = nil,
        tiffFile: URL? = nil,
        thumbnailFile: URL? = nil
    ) {
        self.deviceName = deviceName
        self.deviceExtension = deviceExtension
        self.callerNumber = callerNumber
        self.callerName = callerName
        self.remoteStationID = remoteStationID
        self.pages = pages
        self.receivedAt = receivedAt
        self.duration = duration
        self.isPartial = isPartial
        self.statusText = statusText
        self.pdfFile = pdfFile
        self.tiffFile = tiffFile
        self.thumbnailFile = thumbnailFile
    }
}
