import Foundation
import Mail
import Synchronization

/// The gateway policy tests use: users alice/secret, fax numbers at fax.example.com (and the
/// other addressing forms), everything else refused as relaying. Accepted messages are read
/// and recorded; their spool files are removed as the real gateway's queue would take them.
final class TestMailGatewayPolicy: MailGatewayPolicy {
    struct Accepted: Sendable {
        let envelope: SMTPEnvelope
        let text: String
        let session: MailGatewaySession
        /// Permission bits of the spooled file when it was handed over.
        let fileMode: Int
    }

    private let parser = FaxAddressParser(domains: ["fax.example.com"])
    private let accepted = Mutex<[Accepted]>([])
    private let failsAcceptance: Bool

    init(failsAcceptance: Bool = false) {
        self.failsAcceptance = failsAcceptance
    }

    var messages: [Accepted] { accepted.withLock { $0 } }

    func authenticate(_ credentials: SMTPAuthenticationCredentials, session: MailGatewaySession) async throws -> SMTPPolicyDecision {
        credentials.username == "alice" && credentials.password == "secret" ? .accept : .invalidCredentials
    }

    func checkSender(_ sender: SMTPReversePath, parameters: SMTPMailParameters, session: MailGatewaySession) async throws -> SMTPPolicyDecision {
        .accept
    }

    func checkRecipient(_ recipient: SMTPMailbox, envelope: SMTPEnvelope, session: MailGatewaySession) async throws -> SMTPPolicyDecision {
        parser.parse(recipient) == .notFax ? .relayDenied : .accept
    }

    struct QueueUnavailable: Error {}

    func acceptMessage(_ message: SpooledMailMessage, session: MailGatewaySession) async throws -> SMTPMessageDecision {
        if failsAcceptance { throw QueueUnavailable() }
        let text = try String(contentsOfFile: message.path, encoding: .utf8)
        let mode = (try FileManager.default.attributesOfItem(atPath: message.path)[.posixPermissions] as? Int) ?? -1
        try FileManager.default.removeItem(atPath: message.path)
        let count = accepted.withLock { list in
            list.append(Accepted(envelope: message.envelope, text: text, session: session, fileMode: mode))
            return list.count
        }
        return .accepted(queueID: "Q\(count)")
    }
}
