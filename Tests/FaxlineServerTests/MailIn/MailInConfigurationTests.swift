import FaxCore
import FaxlineServer
import Foundation
import Testing

@Suite("faxline.conf: [mail-in]")
struct MailInConfigurationTests {
    @Test("defaults: loopback port 2525, trusted loopback, 25 MB, international and premium rate blocked")
    func defaults() {
        let mailIn = FaxlineConfiguration(dataDirectory: "/tmp/x").mailIn
        #expect(mailIn.host == "127.0.0.1" && mailIn.port == 2525 && mailIn.tls == nil && mailIn.requiresTLS == nil)
        #expect(mailIn.trusted == .loopback && mailIn.domains.isEmpty && mailIn.maximumMessageBytes == 25 * 1024 * 1024)
        #expect(mailIn.spf == .off && mailIn.bodyText == .page && !mailIn.coverPage && mailIn.notify && !mailIn.queuedReply)
        #expect(mailIn.blockedNumbers.map(\.text).contains("+.") && mailIn.allowedNumbers.isEmpty)
    }

    @Test("the settings are read")
    func settings() throws {
        var configuration = FaxlineConfiguration(dataDirectory: "/tmp/x")
        try configuration.apply(ConfigurationFile(parsing: """
            [mail-in]
            bind = 0.0.0.0:25
            hostname = fax.example.com
            domains = fax.example.com, FAX.example.net
            fax_domain = no
            tagged_addresses = no
            trusted = 192.0.2.0/24, loopback
            tls_certificate = /etc/faxline/cert.pem
            tls_key = /etc/faxline/key.pem
            require_tls = yes
            max_message_mb = 10
            max_depth = 5
            max_parts = 50
            max_header_kb = 64
            max_recipients = 5
            jobs_per_hour = 10
            jobs_per_day = 50
            allow_numbers = +44., 0044.
            block_numbers = 0900.
            spf = softfail-accepted
            body = cover
            cover = yes
            queued_reply = yes
            notify = no
            """))
        let mailIn = configuration.mailIn
        #expect(mailIn.host == "0.0.0.0" && mailIn.port == 25 && mailIn.hostname == "fax.example.com")
        #expect(mailIn.domains == ["fax.example.com", "fax.example.net"] && !mailIn.acceptsFaxPseudoDomain && !mailIn.acceptsTaggedLocalParts)
        #expect(mailIn.trusted != .loopback && mailIn.trusted.description.hasPrefix("192.0.2.0/24"))
        #expect(mailIn.tls != nil && mailIn.requiresTLS == true && mailIn.maximumMessageBytes == 10 * 1024 * 1024)
        #expect(mailIn.mimeLimits.maximumDepth == 5 && mailIn.mimeLimits.maximumParts == 50 && mailIn.mimeLimits.maximumHeaderBytes == 64 * 1024)
        #expect(mailIn.maximumRecipients == 5 && mailIn.jobsPerHour == 10 && mailIn.jobsPerDay == 50)
        #expect(mailIn.allowedNumbers.map(\.text) == ["+44.", "0044."] && mailIn.blockedNumbers.map(\.text) == ["0900."])
        #expect(mailIn.spf == .softfailAccepted && mailIn.bodyText == .cover && mailIn.coverPage && mailIn.queuedReply && !mailIn.notify)
        let listener = mailIn.listenerConfiguration(host: "0.0.0.0", spoolDirectory: "/tmp/x/in")
        #expect(listener.limits.maximumRecipients == 5 && listener.limits.maximumMessageBytes == 10 * 1024 * 1024 && listener.requiresTLS == true)
        try configuration.apply(ConfigurationFile(parsing: "[mail-in]\nbind = off\n"))
        #expect(configuration.mailIn.host == nil)
        try configuration.apply(ConfigurationFile(parsing: "[mail-in]\ntrusted =\n"))
        #expect(configuration.mailIn.trusted == .loopback)
    }

    @Test("bad values name their line and key", arguments: [
        ("[mail-in]\nbind = 2525\n", "bind"),
        ("[mail-in]\nbind = 0.0.0.0:25\n", "bind"),
        ("[mail-in]\ndomains = fax example.com/x\n", "domains"),
        ("[mail-in]\ntrusted = the office\n", "trusted"),
        ("[mail-in]\ntls_certificate = /etc/cert.pem\n", "tls_key"),
        ("[mail-in]\ntls_key = key.pem\n", "tls_key"),
        ("[mail-in]\nrequire_tls = yes\n", "require_tls"),
        ("[mail-in]\nmax_message_mb = 0\n", "max_message_mb"),
        ("[mail-in]\nallow_numbers = +44*\n", "allow_numbers"),
        ("[mail-in]\nspf = maybe\n", "spf"),
        ("[mail-in]\nbody = attachment\n", "body"),
        ("[mail-in]\nrelay = yes\n", "relay"),
    ])
    func badValues(text: String, key: String) throws {
        var configuration = FaxlineConfiguration(dataDirectory: "/tmp/x")
        let error = #expect(throws: ConfigurationError.self) { try configuration.apply(ConfigurationFile(parsing: text)) }
        #expect(error?.description.hasPrefix("line 2 in [mail-in]: ") == true, "\(String(describing: error))")
        #expect(error?.description.contains(key) == true, "\(String(describing: error))")
    }
}
