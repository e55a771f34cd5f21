import FaxlineServer
import Foundation
import Testing
import Web

@Suite("faxline.conf: [web]")
struct WebConfigurationTests {
    @Test("defaults: loopback port 8080, no TLS, 50 MB uploads")
    func defaults() {
        let web = FaxlineConfiguration(dataDirectory: "/tmp/x").web
        #expect(web.host == "127.0.0.1" && web.port == 8080 && !web.usesTLS)
        #expect(web.maximumUploadBytes == 50 * 1024 * 1024 && web.trustedProxies.isEmpty)
        #expect(web.servesMetrics)
    }

    @Test("the settings are read")
    func settings() throws {
        var configuration = FaxlineConfiguration(dataDirectory: "/tmp/x")
        try configuration.apply(ConfigurationFile(parsing: """
            [web]
            bind = [::]:8443
            tls_certificate = /etc/faxline/cert.pem
            tls_key = /etc/faxline/key.pem
            trusted_proxies = 127.0.0.1, 10.0.0.0/8 fd00::/8
            max_upload_mb = 20
            rate_limit = 5.5
            rate_burst = 30
            metrics = off
            """))
        let web = configuration.web
        #expect(web.host == "::" && web.port == 8443 && web.usesTLS)
        #expect(web.trustedProxies.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8", "fd00::/8"])
        #expect(web.maximumUploadBytes == 20 * 1024 * 1024 && web.rateLimit == 5.5 && web.rateBurst == 30)
        #expect(!web.servesMetrics)
        try configuration.apply(ConfigurationFile(parsing: "[web]\nbind = off\n"))
        #expect(configuration.web.host == nil)
    }

    @Test("bad values name their line", arguments: [
        "[web]\nbind = 8080\n",
        "[web]\ntrusted_proxies = proxy.example.com\n",
        "[web]\nmax_upload_mb = 0\n",
        "[web]\nrate_limit = fast\n",
        "[web]\ntls_certificate = cert.pem\n",
        "[web]\ntls_certificate = /etc/cert.pem\n",
        "[web]\nport = 1\n",
        "[web]\nmetrics = sometimes\n",
    ])
    func badValues(text: String) throws {
        var configuration = FaxlineConfiguration(dataDirectory: "/tmp/x")
        let error = #expect(throws: ConfigurationError.self) { try configuration.apply(ConfigurationFile(parsing: text)) }
        #expect(error?.description.contains("line 2") == true)
    }
}
