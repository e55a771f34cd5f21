import FaxCore

/// Posts one signed body to one URL.
public protocol WebhookPoster: Sendable {
    /// The answer's HTTP status, whatever it is; throws when there was none (refused
    /// destination, connection, TLS, timeout).
    func post(_ body: [UInt8], to url: String, headers: [String: String], restricted: Bool) async throws(WebhookPostError) -> Int
}

/// Why a post got no answer.
public enum WebhookPostError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A restricted URL led to an address it may not reach.
    case destinationRefused(String)
    case connectionFailed(String)
    case timedOut(String)
    case tlsFailed(String)
    case transferFailed(String)
    case cancelled

    public var description: String {
        switch self {
        case .destinationRefused(let detail): "destination refused: \(detail)"
        case .connectionFailed(let detail): "cannot connect: \(detail)"
        case .timedOut(let detail): "timed out: \(detail)"
        case .tlsFailed(let detail): "TLS failed: \(detail)"
        case .transferFailed(let detail): "transfer failed: \(detail)"
        case .cancelled: "cancelled"
        }
    }
}
