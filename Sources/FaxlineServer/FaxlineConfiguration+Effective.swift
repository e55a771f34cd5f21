import FaxCore
import Foundation
import Web

extension FaxlineConfiguration {
    /// Every key `apply` reads, with the value the server runs with, written as `faxline.conf`
    /// takes it (a file made of these lines gives this configuration again; a test keeps it so).
    /// Secrets stay ``Secret``s.
    public var effective: EffectiveConfiguration {
        EffectiveConfiguration(
            filePath: filePath,
            settings: generalSettings + listenerSettings + storageSettings + mailSettings + outboundSettings + webSettings
                + mailInSettings + [.init("print", "users", .text(printing.users.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
                    .joined(separator: ", ")))]
                + webhookSettings)
    }

    private static func yesNo(_ value: Bool) -> ConfigurationSetting.Value { .text(value ? "yes" : "no") }
    private static func number(_ value: some BinaryInteger) -> ConfigurationSetting.Value { .text("\(value)") }
    private static func seconds(_ duration: Duration) -> ConfigurationSetting.Value { .text("\(duration.components.seconds)") }
    private static func seconds(_ interval: TimeInterval) -> ConfigurationSetting.Value { .text("\(Int(interval))") }
    private static func text(_ value: String?) -> ConfigurationSetting.Value { .text(value ?? "") }
    /// A `bind` as `bindAddress` reads it: an IPv6 host in brackets, or off.
    private static func bind(_ host: String?, _ port: Int) -> ConfigurationSetting.Value {
        guard let host else { return .text("off") }
        return .text((host.contains(":") ? "[\(host)]" : host) + ":\(port)")
    }

    private var generalSettings: [ConfigurationSetting] {
        [
            .init("general", "lines", Self.number(lines)),
            .init("general", "reserve_inbound", Self.number(reserveInbound)),
            .init("general", "station_id", .text(stationID)),
            .init("general", "ecm", Self.yesNo(ecm)),
            .init("general", "connect", .text(mediaConnection.rawValue)),
        ]
    }

    private var listenerSettings: [ConfigurationSetting] {
        [
            .init("agi", "bind", .text(agi.description)),
            .init("agi", "allow", .text(agiAllowList.description)),
            .init("agi", "secret", .secret(agiSecret)),
            .init("agi", "max_connections", Self.number(agiMaximumConnections)),
            .init("audiosocket", "bind", .text(audioSocket.description)),
            .init("audiosocket", "address", .text(mediaAddress.description)),
            .init("audiosocket", "allow", .text(audioSocketAllowList.description)),
            .init("audiosocket", "max_connections", Self.number(audioSocketMaximumConnections)),
            .init("audiosocket", "connect_timeout", Self.seconds(mediaConnectTimeout)),
            .init("audiosocket", "idle_timeout", Self.seconds(mediaIdleTimeout)),
        ]
    }

    private var storageSettings: [ConfigurationSetting] {
        [
            .init("spool", "min_free_mb", Self.number(minimumFreeBytes / (1024 * 1024))),
            .init("retention", "received_days", Self.number(retention.receivedFaxDays)),
            .init("retention", "sent_days", Self.number(retention.sentFaxDays)),
            .init("retention", "records_days", Self.number(retention.finishedRecordDays)),
            .init("retention", "temporary_hours", Self.number(retention.temporaryFileHours)),
            .init("retention", "cleanup_time", .text(cleanupSchedule?.description ?? "off")),
        ]
    }

    private var mailSettings: [ConfigurationSetting] {
        let tls = switch smtp.tlsMode {
        case .none: "none"
        case .startTLSIfOffered: "starttls-if-offered"
        case .startTLSRequired: "starttls"
        case .implicitTLS: "tls"
        }
        return [
            .init("mail", "smtp_host", .text(smtp.host)),
            .init("mail", "smtp_port", Self.number(smtp.port)),
            .init("mail", "tls", .text(tls)),
            .init("mail", "username", Self.text(smtp.username)),
            .init("mail", "password", .secret(smtp.password)),
            .init("mail", "allow_plaintext_auth", Self.yesNo(smtp.allowPlaintextAuthentication)),
            .init("mail", "from", .text(smtp.fromAddress)),
            .init("mail", "verify_certificate", Self.yesNo(smtp.verifyPeer)),
        ]
    }

    private var outboundSettings: [ConfigurationSetting] {
        [
            .init("ami", "host", .text(ami.host)),
            .init("ami", "port", Self.number(ami.port)),
            .init("ami", "username", .text(ami.username)),
            .init("ami", "secret", .secret(ami.secret)),
            .init("outbound", "dial_string", .text(outbound.dialString)),
            .init("outbound", "context", .text(outbound.context)),
            .init("outbound", "dial_timeout", Self.seconds(outbound.dialTimeout)),
            .init("outbound", "retry_busy", Self.seconds(outbound.retry.busy)),
            .init("outbound", "retry_no_answer", Self.seconds(outbound.retry.noAnswer)),
            .init("outbound", "retry_no_carrier", Self.seconds(outbound.retry.noCarrier)),
            .init("outbound", "retry_protocol", Self.seconds(outbound.retry.protocolFailure)),
            .init("outbound", "retry_other", Self.seconds(outbound.retry.other)),
            .init("outbound", "notify_requeue", Self.yesNo(outbound.retry.notifyOnRequeue)),
        ]
    }

    private var webSettings: [ConfigurationSetting] {
        let rate = web.rateLimit.rounded() == web.rateLimit ? "\(Int(web.rateLimit))" : "\(web.rateLimit)"
        return [
            .init("web", "bind", Self.bind(web.host, web.port)),
            .init("web", "tls_certificate", Self.text(web.tlsCertificatePath)),
            .init("web", "tls_key", Self.text(web.tlsKeyPath)),
            .init("web", "trusted_proxies", .text(web.trustedProxies.map(\.description).joined(separator: ", "))),
            .init("web", "max_upload_mb", Self.number(web.maximumUploadBytes / (1024 * 1024))),
            .init("web", "rate_limit", .text(rate)),
            .init("web", "rate_burst", Self.number(web.rateBurst)),
            .init("web", "metrics", Self.yesNo(web.servesMetrics)),
        ]
    }

    private var mailInSettings: [ConfigurationSetting] {
        [
            .init("mail-in", "bind", Self.bind(mailIn.host, mailIn.port)),
            .init("mail-in", "hostname", .text(mailIn.hostname)),
            .init("mail-in", "domains", .text(mailIn.domains.joined(separator: ", "))),
            .init("mail-in", "fax_domain", Self.yesNo(mailIn.acceptsFaxPseudoDomain)),
            .init("mail-in", "tagged_addresses", Self.yesNo(mailIn.acceptsTaggedLocalParts)),
            .init("mail-in", "trusted", .text(mailIn.trusted.description)),
            .init("mail-in", "allow", .text(mailIn.allow.description)),
            .init("mail-in", "tls_certificate", Self.text(mailIn.tlsCertificatePath)),
            .init("mail-in", "tls_key", Self.text(mailIn.tlsKeyPath)),
            .init("mail-in", "require_tls", mailIn.requiresTLS.map(Self.yesNo) ?? .text("auto")),
            .init("mail-in", "max_connections", Self.number(mailIn.maximumConnections)),
            .init("mail-in", "max_message_mb", Self.number(mailIn.maximumMessageBytes / (1024 * 1024))),
            .init("mail-in", "max_depth", Self.number(mailIn.mimeLimits.maximumDepth)),
            .init("mail-in", "max_parts", Self.number(mailIn.mimeLimits.maximumParts)),
            .init("mail-in", "max_header_kb", Self.number(mailIn.mimeLimits.maximumHeaderBytes / 1024)),
            .init("mail-in", "max_recipients", Self.number(mailIn.maximumRecipients)),
            .init("mail-in", "jobs_per_hour", Self.number(mailIn.jobsPerHour)),
            .init("mail-in", "jobs_per_day", Self.number(mailIn.jobsPerDay)),
            .init("mail-in", "allow_numbers", .text(mailIn.allowedNumbers.map(\.text).joined(separator: ", "))),
            .init("mail-in", "block_numbers", .text(mailIn.blockedNumbers.map(\.text).joined(separator: ", "))),
            .init("mail-in", "spf", .text(mailIn.spf.rawValue)),
            .init("mail-in", "body", .text(mailIn.bodyText.rawValue)),
            .init("mail-in", "cover", Self.yesNo(mailIn.coverPage)),
            .init("mail-in", "queued_reply", Self.yesNo(mailIn.queuedReply)),
            .init("mail-in", "notify", Self.yesNo(mailIn.notify)),
        ]
    }

    private var webhookSettings: [ConfigurationSetting] {
        let destinations = webhooks.destinations
        return [
            .init("webhooks", "allow", .text((destinations.allowedNetworks.map(\.description) + destinations.allowedHosts.sorted())
                .joined(separator: ", "))),
            .init("webhooks", "callback_secret", .secret(webhooks.callbackSecret)),
            .init("webhooks", "timeout", Self.seconds(webhooks.timeout)),
        ]
    }
}
