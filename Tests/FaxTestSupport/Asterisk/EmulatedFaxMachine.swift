import FaxEngine

/// The fax machine on the far side of the emulated Asterisk: a spandsp session that sends a
/// document (inbound calls) or receives one (outbound calls).
public struct EmulatedFaxMachine: Sendable {
    public enum Role: Sendable {
        case send(document: String)
        case receive(into: String)
    }

    public var role: Role
    public var stationID: String
    public var ecm: Bool
    /// The far end hangs up once this many pages are confirmed (a caller who hangs up mid-fax).
    public var hangUpAfterPages: Int?

    public init(role: Role, stationID: String = "+1 555 0100", ecm: Bool = true, hangUpAfterPages: Int? = nil) {
        self.role = role
        self.stationID = stationID
        self.ecm = ecm
        self.hangUpAfterPages = hangUpAfterPages
    }

    /// A fresh session; the machine is the calling party on an inbound call.
    func makeSession(calling: Bool) throws -> AudioFaxSession {
        var options = FaxSessionOptions()
        options.localStationID = stationID
        options.ecm = ecm
        let document: FaxDocument
        switch role {
        case .send(let path): document = .send(path: path)
        case .receive(let path): document = .receive(path: path)
        }
        return try AudioFaxSession(role: calling ? .calling : .answering, document: document, options: options)
    }
}
