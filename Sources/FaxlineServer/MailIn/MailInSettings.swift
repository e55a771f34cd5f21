import FaxCore
import Foundation
import Mail
import ServerSupport

/// `[mail-in]` in faxline.conf: the mail-to-fax gateway (the SMTP listener of `faxline serve`
/// and `faxline mail-submit`).
public struct MailInSettings: Sendable, Equatable {
    /// Where the SMTP listener binds; `nil` (`bind = off`) runs no listener (`mail-submit`
    /// still works).
    public var host: String? = "127.0.0.1"
    public var port = 2525
    /// The name the listener greets with.
    public var hostname = "localhost"
    /// Domains whose every local part is a fax number (`5550100@fax.example.com`).
    public var domains: [String] = []
    /// `name@NUMBER.fax`.
    public var acceptsFaxPseudoDomain = true
    /// `[FAX:NUMBER]@…` and `FAX=NUMBER@…`.
    public var acceptsTaggedLocalParts = true
    /// Relays whose mail is taken without AUTH when its sender belongs to a user or device;
    /// this machine unless configured.
    public var trusted = PeerAllowList.loopback
    /// Who may connect at all.
    public var allow = PeerAllowList.anyone
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// STARTTLS before AUTH and MAIL; `nil` (`auto`): exactly when the listener is not on loopback.
    public var requiresTLS: Bool?
    public var maximumConnections = 20
    public var maximumMessageBytes = 25 * 1024 * 1024
    public var mimeLimits = MIMEStreamParser.Limits()
    /// Fax recipients in one message.
    public var maximumRecipients = 10
    /// Jobs one sender may submit by mail in an hour and in a day.
    public var jobsPerHour = 30
    public var jobsPerDay = 200
    /// Numbers mail may fax although a blocked pattern matches.
    public var allowedNumbers: [DialPattern] = []
    /// Numbers mail may not fax: international and premium-rate by default.
    public var blockedNumbers: [DialPattern] = Self.defaultBlockedNumbers
    public var spf = SPFMode.off
    /// What the text of the mail becomes.
    public var bodyText = BodyTextPlacement.page
    /// Whether a cover page is sent unless the mail says otherwise.
    public var coverPage = false
    /// Mail the sender when the jobs are queued.
    public var queuedReply = false
    /// Mail the sender when each job is done or has failed, unless the mail says otherwise.
    public var notify = true

    public enum SPFMode: String, Sendable, Equatable, CaseIterable {
        /// Mail from untrusted relays needs AUTH.
        case off
        /// Mail from an untrusted relay is taken when its envelope sender belongs to a user or
        /// device and SPF says the relay may send for the sender's domain; a softfail is refused.
        case on
        /// As `on`, a softfail accepted.
        case softfailAccepted = "softfail-accepted"
    }

    public enum BodyTextPlacement: String, Sendable, Equatable, CaseIterable {
        /// A page of its own, before the attachments.
        case page
        /// The cover page's message (a cover page is sent when there is text).
        case cover
    }

    /// International (`+…`, `00…`, `011…`) and premium-rate (`1900`, `1976`, `0900`, `0190`,
    /// `0137`, `09…` in the UK, `118…`) numbers.
    public static let defaultBlockedNumbers: [DialPattern] = ["+.", "00.", "011.", "1900.", "1976.", "0900.", "0190.", "0137.", "09.", "118."]
        .map { try! DialPattern($0) }

    public init() {}

    public var tls: SMTPInboundServer.TLSFiles? {
        guard let tlsCertificatePath, let tlsKeyPath else { return nil }
        return SMTPInboundServer.TLSFiles(certificateChainPath: tlsCertificatePath, privateKeyPath: tlsKeyPath)
    }

    public var addressParser: FaxAddressParser {
        FaxAddressParser(domains: domains, acceptsFaxPseudoDomain: acceptsFaxPseudoDomain, acceptsTaggedLocalParts: acceptsTaggedLocalParts)
    }

    /// Why mail may not fax `number` (dialed form), or `nil` when it may.
    public func refusalReason(forNumber number: String) -> String? {
        if allowedNumbers.contains(where: { $0.matches(number) }) { return nil }
        guard let pattern = blockedNumbers.first(where: { $0.matches(number) }) else { return nil }
        return "\(number) is blocked for mail to fax (pattern \(pattern); see [mail-in] allow_numbers)"
    }

    /// The SMTP listener's configuration; messages arrive in `spoolDirectory`.
    public func listenerConfiguration(host: String, spoolDirectory: String) -> SMTPInboundServer.Configuration {
        SMTPInboundServer.Configuration(
            host: host, port: port, hostname: hostname, spoolDirectory: spoolDirectory, tls: tls, requiresTLS: requiresTLS,
            limits: SMTPServerLimits(maximumRecipients: maximumRecipients, maximumMessageBytes: maximumMessageBytes),
            maximumConnections: maximumConnections, allowList: allow)
    }
}

extension FaxlineConfiguration {
    /// `[mail-in]` entries.
    mutating func applyMailInSetting(_ entry: ConfigurationFile.Entry) throws(ConfigurationError) {
        func bad(_ reason: String) -> ConfigurationError {
            .badValue(section: entry.section, key: entry.key, line: entry.line, reason)
        }
        func integer(_ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            guard let value = Int(entry.value), range.contains(value) else { throw bad("expected a number in \(range)") }
            return value
        }
        func boolean() throws(ConfigurationError) -> Bool {
            switch entry.value.lowercased() {
            case "yes", "true", "on", "1": return true
            case "no", "false", "off", "0": return false
            default: throw bad("expected yes or no")
            }
        }
        func file() throws(ConfigurationError) -> String {
            guard entry.value.hasPrefix("/") else { throw bad("expected an absolute path to a PEM file") }
            return entry.value
        }
        func list() -> [String] {
            entry.value.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        }
        func patterns() throws(ConfigurationError) -> [DialPattern] {
            var result: [DialPattern] = []
            for text in list() {
                do { result.append(try DialPattern(text)) } catch { throw bad("\(error)") }
            }
            return result
        }
        func allowList() throws(ConfigurationError) -> PeerAllowList {
            do { return try PeerAllowList(parsing: entry.value) } catch { throw bad(error.description) }
        }
        switch entry.key {
        case "bind":
            guard let address = try entry.bindAddress() else {
                mailIn.host = nil
                return
            }
            mailIn.host = address.host
            mailIn.port = address.port
        case "hostname":
            guard !entry.value.isEmpty, entry.value.count <= 253,
                  entry.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") })
            else { throw bad("expected a host name") }
            mailIn.hostname = entry.value
        case "domains":
            let domains = list()
            for domain in domains where !domain.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) {
                throw bad("\(domain) is not a domain name")
            }
            mailIn.domains = domains.map { $0.lowercased() }
        case "fax_domain": mailIn.acceptsFaxPseudoDomain = try boolean()
        case "tagged_addresses": mailIn.acceptsTaggedLocalParts = try boolean()
        case "trusted": mailIn.trusted = entry.value.isEmpty ? .loopback : try allowList()
        case "allow": mailIn.allow = try allowList()
        case "tls_certificate": mailIn.tlsCertificatePath = try file()
        case "tls_key": mailIn.tlsKeyPath = try file()
        case "require_tls":
            mailIn.requiresTLS = entry.value.lowercased() == "auto" ? nil : try boolean()
        case "max_connections": mailIn.maximumConnections = try integer(1...10_000)
        case "max_message_mb": mailIn.maximumMessageBytes = try integer(1...1024) * 1024 * 1024
        case "max_depth": mailIn.mimeLimits.maximumDepth = try integer(1...50)
        case "max_parts": mailIn.mimeLimits.maximumParts = try integer(2...10_000)
        case "max_header_kb": mailIn.mimeLimits.maximumHeaderBytes = try integer(4...4096) * 1024
        case "max_recipients": mailIn.maximumRecipients = try integer(1...1000)
        case "jobs_per_hour": mailIn.jobsPerHour = try integer(1...1_000_000)
        case "jobs_per_day": mailIn.jobsPerDay = try integer(1...1_000_000)
        case "allow_numbers": mailIn.allowedNumbers = try patterns()
        case "block_numbers": mailIn.blockedNumbers = try patterns()
        case "spf":
            guard let mode = MailInSettings.SPFMode(rawValue: entry.value.lowercased()) else {
                throw bad("expected off, on or softfail-accepted")
            }
            mailIn.spf = mode
        case "body":
            guard let placement = MailInSettings.BodyTextPlacement(rawValue: entry.value.lowercased()) else {
                throw bad("expected page or cover")
            }
            mailIn.bodyText = placement
        case "cover": mailIn.coverPage = try boolean()
        case "queued_reply": mailIn.queuedReply = try boolean()
        case "notify": mailIn.notify = try boolean()
        default:
            throw .unknownSetting(section: entry.section, key: entry.key, line: entry.line)
        }
    }

    /// TLS needs both files; a listener others can reach needs TLS.
    func validateMailInSettings(_ file: ConfigurationFile) throws(ConfigurationError) {
        if (mailIn.tlsCertificatePath == nil) != (mailIn.tlsKeyPath == nil) {
            let line = file.value("mail-in", "tls_certificate")?.line ?? file.value("mail-in", "tls_key")?.line ?? 0
            throw .badValue(section: "mail-in", key: mailIn.tlsKeyPath == nil ? "tls_key" : "tls_certificate", line: line,
                            "TLS needs both tls_certificate and tls_key")
        }
        if mailIn.requiresTLS == true, mailIn.tls == nil {
            throw .badValue(section: "mail-in", key: "require_tls", line: file.value("mail-in", "require_tls")?.line ?? 0,
                            "STARTTLS needs tls_certificate and tls_key")
        }
        if let host = mailIn.host, mailIn.tls == nil, !Self.isLoopbackHost(host) {
            throw .badValue(section: "mail-in", key: "bind", line: file.value("mail-in", "bind")?.line ?? 0,
                            "\(host) can be reached from other machines: STARTTLS is required there, so set tls_certificate and tls_key")
        }
    }

    private static func isLoopbackHost(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
