/// How an outbound call attempt ended, in the terms the queue's retry policy uses.
public enum DialFailureCause: Sendable, Hashable, CustomStringConvertible {
    /// The far end answered; the fax session runs on the media path.
    case answered
    case busy
    case noAnswer
    /// The network or trunk was congested (all circuits busy, network out of order, …).
    case congestion
    /// The call could not be made for another reason (wrong number, rejected, dial string
    /// refused by Asterisk …); the text says which.
    case failed(String)
    /// Asterisk's manager interface was not reachable: the call was not tried, the job
    /// should wait rather than use up a try.
    case amiDown
    /// Faxline hung the call up before it was answered (`AMIClient.hangUp`): nothing was
    /// tried on the line that says anything about the number.
    case cancelled

    public var description: String {
        switch self {
        case .answered: return "answered"
        case .busy: return "busy"
        case .noAnswer: return "no answer"
        case .congestion: return "congestion"
        case .failed(let why): return "failed: \(why)"
        case .amiDown: return "Asterisk manager unreachable"
        case .cancelled: return "hung up by Faxline"
        }
    }
}
