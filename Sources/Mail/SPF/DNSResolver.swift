/// The DNS questions an SPF check asks. The server uses the system resolver
/// (``SystemDNSResolver``); tests answer from memory.
public protocol DNSResolver: Sendable {
    /// The TXT records of `domain`, each record's strings joined. Empty when there are none
    /// (NXDOMAIN or no TXT).
    func textRecords(_ domain: String) async throws(DNSLookupError) -> [String]
    /// IPv4 (4 bytes) and IPv6 (16 bytes) addresses of `domain`.
    func addresses(_ domain: String) async throws(DNSLookupError) -> [[UInt8]]
    /// Mail exchanger host names of `domain`.
    func mailExchangers(_ domain: String) async throws(DNSLookupError) -> [String]
}

/// A lookup that got no answer (a server failure or a timeout): SPF's `temperror`.
public struct DNSLookupError: Error, Sendable, Hashable, CustomStringConvertible {
    public let domain: String
    public let reason: String

    public init(domain: String, reason: String) {
        self.domain = domain
        self.reason = reason
    }

    public var description: String { "DNS lookup of \(domain) failed: \(reason)" }
}
