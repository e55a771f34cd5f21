import CallMedia

/// Where one fax call stands, inbound or outbound: claimed → answered → media connected →
/// in T.30 → finished. It only moves forward; ``FaxCallRunner`` moves it on what happens.
public struct FaxCallProgress: Sendable, Equatable {
    public enum Phase: Int, Sendable, Comparable, CustomStringConvertible {
        /// A line is held; nothing is on it yet (inbound: ringing; outbound: dialing).
        case claimed
        /// The call was answered (by us, or by the far end of an outbound call).
        case answered
        /// Asterisk connected the call's audio.
        case mediaConnected
        /// The far end spoke T.30.
        case inT30
        /// The call is over; the outcome is known.
        case finished

        public static func < (lhs: Phase, rhs: Phase) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .claimed: "claimed"
            case .answered: "answered"
            case .mediaConnected: "media connected"
            case .inT30: "in T.30"
            case .finished: "finished"
            }
        }
    }

    public private(set) var phase = Phase.claimed
    /// Pages confirmed in this call so far.
    public private(set) var pagesConfirmed = 0

    public init() {}

    public mutating func answered() {
        advance(to: .answered)
    }

    /// Applies what the call's audio reported.
    public mutating func apply(_ event: MediaCallEvent) {
        switch event {
        case .connected: advance(to: .mediaConnected)
        case .t30Started: advance(to: .inT30)
        case .pagesConfirmed(let pages):
            advance(to: .inT30)
            pagesConfirmed = max(pagesConfirmed, pages)
        case .ended: phase = .finished
        }
    }

    private mutating func advance(to next: Phase) {
        if next > phase && phase != .finished { phase = next }
    }
}
