import Mail
import Synchronization

/// DNS answers from memory, for SPF checks without a network.
public final class InMemoryDNS: DNSResolver {
    private let records: Mutex<(text: [String: [String]], addresses: [String: [[UInt8]]], exchangers: [String: [String]])>
    private let lookups = Mutex(0)

    public init(text: [String: [String]] = [:], addresses: [String: [[UInt8]]] = [:], exchangers: [String: [String]] = [:]) {
        records = Mutex((text, addresses, exchangers))
    }

    public var lookupCount: Int { lookups.withLock { $0 } }

    public func textRecords(_ domain: String) async throws(DNSLookupError) -> [String] {
        lookups.withLock { $0 += 1 }
        if domain.hasPrefix("timeout.") { throw DNSLookupError(domain: domain, reason: "timed out") }
        return records.withLock { $0.text[domain] ?? [] }
    }

    public func addresses(_ domain: String) async throws(DNSLookupError) -> [[UInt8]] {
        lookups.withLock { $0 += 1 }
        return records.withLock { $0.addresses[domain] ?? [] }
    }

    public func mailExchangers(_ domain: String) async throws(DNSLookupError) -> [String] {
        lookups.withLock { $0 += 1 }
        return records.withLock { $0.exchangers[domain] ?? [] }
    }
}
