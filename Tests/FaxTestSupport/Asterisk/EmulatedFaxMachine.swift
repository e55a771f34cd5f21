import FaxEngine

/// The fax machine on the far side of the emulated Asterisk: a spandsp session that sends a
/// document (inbound calls) or receives one (outbound calls).
public struct EmulatedFaxMachine: Sendable {
    public enum Role: Sendable {
        case send(document: String)
        case receive(into: String)
    }

    /// How the far end behaves on the line, besides faxing.
    public enum Behaviour: Sendable, Equatable {
        /// Faxes from the first frame.
        case fax
        /// Answers and stays silent (sends no frames) this long, then faxes — a person, a fax
        /// machine waiting before CED, a trunk with silence suppression.
        case silentThenFax(Duration)
        /// Never sends a single frame.
        case neverSends
        /// Answers, sends nothing, and hangs up after this long (no fax machine at all).
        case hangsUp(after: Duration)
        /// From the middle of page `fromPage` on, sends nothing for `gap` every `every`: the
        /// audio of those moments never arrives (a line with dropouts).
        case gapsMidPage(gap: Duration = .milliseconds(300), every: Duration = .seconds(4), fromPage: Int = 1)
        /// Once, in the middle of page `page`, holds its frames back for `gap` and then sends
        /// them all at once: a burst after a gap (a stalled trunk catching up).
        case burstMidPage(gap: Duration = .milliseconds(300), page: Int = 1)
    }

    public var role: Role
    public var stationID: String
    public var ecm: Bool
    /// The far end hangs up once this many pages are confirmed (a caller who hangs up mid-fax).
    public var hangUpAfterPages: Int?
    public var behaviour: Behaviour

    public init(role: Role, stationID: String = "+1 555 0100", ecm: Bool = true, hangUpAfterPages: Int? = nil,
                behaviour: Behaviour = .fax) {
        self.role = role
        self.stationID = stationID
        self.ecm = ecm
        self.hangUpAfterPages = hangUpAfterPages
        self.behaviour = behaviour
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
