import FaxCore
import FaxlineServer
import Foundation
import Testing
import Webhooks

@Suite("faxline.conf: [webhooks], and where users' URLs may point")
struct WebhookSettingsTests {
    @Test("defaults: public addresses only, the stored callback secret, 10 s, a day of retries")
    func defaults() {
        let webhooks = FaxlineConfiguration(dataDirectory: "/tmp/x").webhooks
        #expect(webhooks.destinations == .publicOnly && webhooks.callbackSecret == nil && webhooks.timeout == .seconds(10))
        #expect(webhooks.retry == .webhooks && webhooks.retry.giveUpAfter == 86_400)
    }

    @Test("the settings are read; the secret prints masked")
    func settings() throws {
        var configuration = FaxlineConfiguration(dataDirectory: "/tmp/x")
        try configuration.apply(ConfigurationFile(parsing: """
            [webhooks]
            allow = 10.1.2.0/24, hooks.lan loopback
            callback_secret = a-long-enough-callback-secret
            timeout = 3
            """))
        let webhooks = configuration.webhooks
        #expect(webhooks.destinations.allowedHosts == ["hooks.lan"])
        #expect(webhooks.destinations.allowedNetworks.map(\.description) == ["10.1.2.0/24", "127.0.0.0/8", "::1"])
        #expect(webhooks.callbackSecret?.revealed == "a-long-enough-callback-secret" && webhooks.timeout == .seconds(3))
        #expect(!"\(configuration)".contains("a-long-enough-callback-secret"))
    }

    @Test("bad values name their line", arguments: [
        "[webhooks]\nallow = 10.0.0.0/33\n", "[webhooks]\nallow = http://x\n", "[webhooks]\ncallback_secret = short\n",
        "[webhooks]\ntimeout = 0\n", "[webhooks]\nretries = 3\n",
    ])
    func badValues(text: String) throws {
        var configuration = FaxlineConfiguration(dataDirectory: "/tmp/x")
        let error = #expect(throws: ConfigurationError.self) { try configuration.apply(ConfigurationFile(parsing: text)) }
        #expect(error?.description.contains("line 2") == true, "\(String(describing: error))")
    }

    @Test("users' URLs reach public addresses only, unless allowed", arguments: [
        ("10.0.0.1", false), ("172.16.5.4", false), ("192.168.1.1", false), ("127.0.0.1", false), ("169.254.169.254", false),
        ("100.64.0.1", false), ("0.0.0.0", false), ("224.0.0.1", false), ("::1", false), ("fd12::1", false), ("fe80::1", false),
        ("::ffff:10.0.0.1", false), ("::ffff:8.8.8.8", true), ("8.8.8.8", true), ("2a00:1450::1", true), ("93.184.216.34", true),
    ])
    func publicOnly(address: String, allowed: Bool) throws {
        let bytes = try #require(IPAddressText.bytes(address))
        #expect(WebhookDestinationPolicy.publicOnly.allows(address: bytes, host: "example.com") == allowed)
    }

    @Test("allow opens networks and host names, and the early check refuses literal inside addresses and localhost")
    func allowList() throws {
        let policy = try WebhookDestinationPolicy(parsing: "10.1.2.0/24 hooks.lan")
        #expect(policy.allows(address: [10, 1, 2, 9], host: "a.example.com"))
        #expect(!policy.allows(address: [10, 1, 3, 9], host: "a.example.com"))
        #expect(policy.allows(address: [192, 168, 0, 1], host: "HOOKS.lan"))
        #expect(throws: FaxValidationError.self) { try policy.check(url: "http://10.1.3.1/x") }
        #expect(throws: FaxValidationError.self) { try policy.check(url: "http://localhost:8080/x") }
        #expect(throws: FaxValidationError.self) { try policy.check(url: "http://[::1]/x") }
        try policy.check(url: "http://10.1.2.1/x")
        try policy.check(url: "https://hooks.example.com/x")
        #expect(throws: WebhookPolicyError.self) { _ = try WebhookDestinationPolicy(parsing: "bad_name!") }
    }

    @Test("the signature verifies only with the secret, the body and a fresh timestamp")
    func signature() {
        let secret = Secret("whsec_signature_test_01")
        let body = Array(#"{"event":"job.done"}"#.utf8)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let header = WebhookSignature.header(secret: secret, timestamp: 1_800_000_000, body: body)
        #expect(header.hasPrefix("t=1800000000,v1=") && header.count == "t=1800000000,v1=".count + 64)
        #expect(WebhookSignature.verify(header: header, body: body, secret: secret, now: now))
        #expect(!WebhookSignature.verify(header: header, body: body + [32], secret: secret, now: now))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: "whsec_other_secret_0001", now: now))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: secret, now: now.addingTimeInterval(301)))
        #expect(!WebhookSignature.verify(header: "v1=abc", body: body, secret: secret, now: now))
    }
}

/// Address text to bytes, as the C library reads it.
enum IPAddressText {
    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
