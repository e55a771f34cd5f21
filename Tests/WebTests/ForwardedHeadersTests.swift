import Foundation
import Testing
@testable import Web

@Suite("Trusted proxies")
struct ForwardedHeadersTests {
    @Test("addresses and networks, IPv4 and IPv6")
    func ranges() throws {
        let network = try #require(IPAddressRange("10.1.0.0/16"))
        #expect(network.contains("10.1.200.3") && !network.contains("10.2.0.1") && !network.contains("::1"))
        #expect(network.description == "10.1.0.0/16")
        let host = try #require(IPAddressRange("127.0.0.1"))
        #expect(host.contains("127.0.0.1") && !host.contains("127.0.0.2"))
        let v6 = try #require(IPAddressRange("fd00::/8"))
        #expect(v6.contains("fd12:3456::1") && !v6.contains("fe80::1") && !v6.contains("10.0.0.1"))
        #expect(IPAddressRange("10.0.0.0/33") == nil && IPAddressRange("proxy.example.com") == nil && IPAddressRange("") == nil)
        #expect(IPAddressRange("10.1.2.3/8") == IPAddressRange("10.0.0.0/8"))
    }

    @Test("the client is the rightmost address that is not a trusted proxy; from an untrusted peer the headers are ignored")
    func clientAddress() throws {
        let middleware = ForwardedHeadersMiddleware(
            trustedProxies: [try #require(IPAddressRange("127.0.0.1")), try #require(IPAddressRange("10.0.0.0/8"))], usesTLS: false)
        // Through two trusted proxies: the client is the address the first proxy saw.
        let proxied = middleware.resolve(peer: "127.0.0.1", forwardedFor: ["203.0.113.9, 10.0.0.5"], forwardedProto: "https")
        #expect(proxied.address == "203.0.113.9")
        #expect(proxied.isSecure)
        // A client that forges the header in front of a trusted proxy gains nothing: the proxy
        // appended the real address, and that one is taken.
        let forged = middleware.resolve(peer: "127.0.0.1", forwardedFor: ["127.0.0.1, 198.51.100.4"], forwardedProto: "http")
        #expect(forged.address == "198.51.100.4" && !forged.isSecure)
        // Two header lines count as one list.
        #expect(middleware.resolve(peer: "10.0.0.1", forwardedFor: ["198.51.100.4", "10.0.0.2"], forwardedProto: nil).address == "198.51.100.4")
        // From an untrusted peer the headers say nothing.
        let direct = middleware.resolve(peer: "192.0.2.1", forwardedFor: ["203.0.113.9"], forwardedProto: "https")
        #expect(direct.address == "192.0.2.1" && !direct.isSecure)
        // Garbage in the header: the peer stands.
        #expect(middleware.resolve(peer: "127.0.0.1", forwardedFor: ["unknown"], forwardedProto: nil).address == "127.0.0.1")
        #expect(ForwardedHeadersMiddleware(trustedProxies: [], usesTLS: true).resolve(peer: "192.0.2.1", forwardedFor: [], forwardedProto: nil).isSecure)
    }
}
