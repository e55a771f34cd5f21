import Foundation

/// Why a message could not be built or delivered.
///
/// `isTemporary` tells a delivery queue whether trying again later can help: a refused
/// connection, a timeout or a 4xx reply can; a 5xx reply or a malformed message cannot.
public enum MailError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An address that cannot go into a header or an SMTP command.
    case invalidAddress(String, reason: String)
    /// A header name or value a caller supplied that would break the message (CR/LF, controls).
    case invalidHeader(name: String, reason: String)
    /// A MIME type, content id or other structural value that is not well formed.
    case invalidContent(String)
    /// A file that should be attached could not be read (missing, unreadable, too large).
    case attachmentUnreadable(path: String, reason: String)
    /// The SMTP configuration cannot work (bad host name, missing sender, …).
    case invalidConfiguration(String)
    /// The server could not be reached (refused, unresolvable, reset before a reply).
    case connectionFailed(String)
    /// The connection or the whole transfer took longer than the configured limit.
    case timedOut(String)
    /// TLS could not be set up as configured (STARTTLS required but not offered, bad certificate).
    case tlsFailed(String)
    /// The server refused the credentials.
    case authenticationFailed(code: Int?, String)
    /// The server answered a command with an error reply (4xx temporary, 5xx permanent).
    case rejected(code: Int, String)
    /// The transfer broke off without a usable reply (connection lost mid-way).
    case transferFailed(String)
    /// The sending task was cancelled.
    case cancelled

    /// Whether the same message may succeed if sent again later.
    public var isTemporary: Bool {
        switch self {
        case .connectionFailed, .timedOut, .transferFailed, .cancelled:
            return true
        case .rejected(let code, _):
            return (400..<500).contains(code)
        case .authenticationFailed(let code, _):
            // 454 "temporary authentication failure" is worth another try; 535 is not.
            return code.map { (400..<500).contains($0) } ?? false
        case .invalidAddress, .invalidHeader, .invalidContent, .attachmentUnreadable,
             .invalidConfiguration, .tlsFailed:
            return false
        }
    }

    /// The SMTP reply code behind the error, when the server gave one.
    public var smtpCode: Int? {
        switch self {
        case .rejected(let code, _): return code
        case .authenticationFailed(let code, _): return code
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .invalidAddress(let address, let reason):
            return "invalid mail address \(String(reflecting: address)): \(reason)"
        case .invalidHeader(let name, let reason):
            return "invalid mail header \(name): \(reason)"
        case .invalidContent(let reason):
            return "invalid MIME content: \(reason)"
        case .attachmentUnreadable(let path, let reason):
            return "cannot attach \(path): \(reason)"
        case .invalidConfiguration(let reason):
            return "invalid SMTP configuration: \(reason)"
        case .connectionFailed(let detail):
            return "cannot reach the mail server (temporary): \(detail)"
        case .timedOut(let detail):
            return "mail server timed out (temporary): \(detail)"
        case .tlsFailed(let detail):
            return "TLS with the mail server failed: \(detail)"
        case .authenticationFailed(let code, let detail):
            return "mail server refused the login\(code.map { " (\($0))" } ?? ""): \(detail)"
        case .rejected(let code, let detail):
            let kind = (400..<500).contains(code) ? "temporarily" : "permanently"
            return "mail server \(kind) rejected the message (\(code)): \(detail)"
        case .transferFailed(let detail):
            return "mail transfer broke off (temporary): \(detail)"
        case .cancelled:
            return "mail sending was cancelled"
        }
    }
}
