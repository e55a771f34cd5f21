import Telephony

/// The Asterisk manager as the dispatcher uses it: place a call, hang it up, and whether it
/// can at all. `AMIClient` is the production placer; tests can put a fake in its place.
public protocol OutboundCallPlacer: Sendable {
    /// Where the manager connection stands; nothing is dialed unless it is logged in.
    var connectionState: AMIConnectionState { get async }
    /// Places one call (`Originate`, `Async: true`) and returns when Asterisk says how it went.
    /// Throws when the call could not be placed at all (the manager is down, not logged in):
    /// the job then waits, and nothing is counted.
    func originate(_ request: OriginateRequest) async throws -> OriginateOutcome
    /// Hangs up the call placed with `request`, ringing or answered (a killed job).
    func hangUp(_ request: OriginateRequest) async
}

extension AMIClient: OutboundCallPlacer {
    public var connectionState: AMIConnectionState {
        get async { await currentState }
    }

    public func hangUp(_ request: OriginateRequest) async {
        // A call that already ended, or a manager that is gone, leaves nothing to hang up.
        _ = try? await hangUp(channelID: request.channelID)
    }
}
