import FaxCore
import FaxlineServer
import Foundation
import Testing
import Web

/// The configuration as the web app's administrators see it: every key the parser reads, as
/// the server runs with it; written out again, it gives the same configuration.
@Suite("faxline.conf: the effective configuration")
struct EffectiveConfigurationTests {
    /// Every key of every section, none at its default.
    static let everyKey = """
        [general]
        lines = 6
        reserve_inbound = 2
        station_id = +1 555 0100
        ecm = no
        connect = dial-gateway
        [agi]
        bind = 127.0.0.2:4574
        allow = 10.0.0.0/8, 192.0.2.10/32
        secret = agi-key-0123456789abcdef
        max_connections = 40
        [audiosocket]
        bind = 127.0.0.3:9093
        address = 192.0.2.20:9093
        allow = 10.1.0.0/16
        max_connections = 41
        connect_timeout = 20
        idle_timeout = 90
        [spool]
        min_free_mb = 700
        [retention]
        received_days = 31
        sent_days = 32
        records_days = 33
        temporary_hours = 12
        cleanup_time = 04:15
        [mail]
        smtp_host = mail.example.com
        smtp_port = 587
        tls = starttls
        username = faxline
        password = smtp-password-here
        allow_plaintext_auth = no
        from = fax@example.com
        verify_certificate = no
        [ami]
        host = pbx.example.com
        port = 5039
        username = faxmanager
        secret = ami-secret-here
        [outbound]
        dial_string = SIP/trunk/${NUMBER}
        context = fax-out
        dial_timeout = 45
        retry_busy = 100
        retry_no_answer = 200
        retry_no_carrier = 250
        retry_protocol = 70
        retry_other = 400
        notify_requeue = yes
        [web]
        bind = [::1]:8443
        tls_certificate = /etc/faxline/cert.pem
        tls_key = /etc/faxline/key.pem
        trusted_proxies = 10.2.0.0/16, 192.0.2.1/32
        max_upload_mb = 20
        rate_limit = 2.5
        rate_burst = 50
        metrics = off
        [mail-in]
        bind = 127.0.0.1:2526
        hostname = fax.example.com
        domains = fax.example.com, fax.example.org
        fax_domain = no
        tagged_addresses = no
        trusted = 10.3.0.0/16
        allow = 10.0.0.0/8
        tls_certificate = /etc/faxline/mail-cert.pem
        tls_key = /etc/faxline/mail-key.pem
        require_tls = yes
        max_connections = 30
        max_message_mb = 10
        max_depth = 5
        max_parts = 50
        max_header_kb = 64
        max_recipients = 5
        jobs_per_hour = 10
        jobs_per_day = 100
        allow_numbers = 0049X.
        block_numbers = 00X., 0900X.
        spf = softfail-accepted
        body = cover
        cover = yes
        queued_reply = yes
        notify = no
        [print]
        users = jdoe:john, mmuster:max
        [webhooks]
        allow = 10.4.0.0/16, hooks.internal
        callback_secret = callback-secret-0123456789abcdef
        timeout = 20
        """

    static func configuration(_ text: String) throws -> FaxlineConfiguration {
        var configuration = FaxlineConfiguration(dataDirectory: "/var/lib/faxline")
        try configuration.apply(ConfigurationFile(parsing: text))
        return configuration
    }

    /// The settings as faxline.conf lines, secrets revealed (only this test writes them out).
    static func fileText(_ settings: [ConfigurationSetting]) -> String {
        var lines: [String] = []
        var section = ""
        for setting in settings {
            let value: String = switch setting.value {
            case .text(let text): text
            case .secret(let secret): secret?.revealed ?? ""
            }
            // An empty value is the default of every key that may be empty.
            guard !value.isEmpty else { continue }
            if setting.section != section {
                section = setting.section
                lines.append("[\(section)]")
            }
            lines.append("\(setting.key) = \(value)")
        }
        return lines.joined(separator: "\n")
    }

    @Test("written out again, the effective configuration gives the same configuration; it lists every key of the file")
    func roundTrip() throws {
        let configuration = try Self.configuration(Self.everyKey)
        let effective = configuration.effective
        #expect(try Self.configuration(Self.fileText(effective.settings)) == configuration)
        let file = try ConfigurationFile(parsing: Self.everyKey)
        let listed = effective.settings.map { "\($0.section)/\($0.key)" }
        #expect(listed == file.entries.map { "\($0.section)/\($0.key)" }, "the same keys, in the file's order")
        #expect(Set(listed).count == listed.count)
        #expect(effective.filePath == "/var/lib/faxline/faxline.conf")
    }

    @Test("defaults are shown as the server runs with them; secrets only as ••••")
    func defaultsAndSecrets() throws {
        let defaults = FaxlineConfiguration(dataDirectory: "/var/lib/faxline").effective.settings
        func shown(_ section: String, _ key: String) -> String? {
            defaults.first { $0.section == section && $0.key == key }?.shown
        }
        #expect(shown("general", "lines") == "4" && shown("agi", "max_connections") == "32")
        #expect(shown("agi", "allow")?.hasPrefix("127.0.0.0/8, ::1") == true && shown("web", "bind") == "127.0.0.1:8080")
        #expect(shown("retention", "cleanup_time") == "03:30" && shown("ami", "secret") == "")

        let configured = try Self.configuration(Self.everyKey).effective.settings
        let secrets = configured.filter { if case .secret = $0.value { true } else { false } }
        #expect(secrets.map(\.key) == ["secret", "password", "secret", "callback_secret"])
        for setting in secrets { #expect(setting.shown == Secret.redacted) }
        let page = configured.map(\.shown).joined(separator: "\n")
        for secret in ["agi-key-0123456789abcdef", "smtp-password-here", "ami-secret-here", "callback-secret-0123456789abcdef"] {
            #expect(!page.contains(secret))
        }
    }
}
