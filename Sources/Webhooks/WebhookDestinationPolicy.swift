import FaxCore
import ServerSupport

/// Where a URL set by someone who is not an administrator may point (`[webhooks] allow`).
///
/// Such a URL is a request the fax server makes into its own network for that user, so by
/// default it may reach only public addresses: not loopback, the private, shared, link-local
/// and unique-local ranges, multicast or reserved ones. `allow` adds networks (`10.1.2.0/24`)
/// and host names (`hooks.lan`, matched as written in the URL). Administrators' URLs go
/// anywhere. The check is on the address the connection is actually made to (after DNS), so a
/// name that resolves to an inside address is refused too.
public struct WebhookDestinationPolicy: Sendable, Equatable, CustomStringConvertible {
    public var allowedNetworks: [PeerAllowList.Network]
    /// Lowercased host names.
    public var allowedHosts: Set<String>

    /// Only public addresses.
    public static let publicOnly = WebhookDestinationPolicy(allowedNetworks: [], allowedHosts: [])

    public init(allowedNetworks: [PeerAllowList.Network], allowedHosts: Set<String>) {
        self.allowedNetworks = allowedNetworks
        self.allowedHosts = allowedHosts
    }

    /// A comma- or space-separated list of networks, addresses, host names and the word
    /// `loopback`, as written in faxline.conf.
    public init(parsing text: String) throws(WebhookPolicyError) {
        var networks: [PeerAllowList.Network] = []
        var hosts = Set<String>()
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init) {
            if entry.lowercased() == "loopback" {
                networks += PeerAllowList.loopback.networks
            } else if let network = PeerAllowList.Network(parsing: entry) {
                networks.append(network)
            } else if Self.isHostName(entry) {
                hosts.insert(entry.lowercased())
            } else {
                throw WebhookPolicyError(entry: entry)
            }
        }
        self.init(allowedNetworks: networks, allowedHosts: hosts)
    }

    public var description: String {
        let entries = allowedNetworks.map(\.description) + allowedHosts.sorted()
        return entries.isEmpty ? "public addresses only" : "public addresses and " + entries.joined(separator: ", ")
    }

    /// Whether a restricted URL for `host` may connect to `address` (4 or 16 bytes).
    public func allows(address: [UInt8], host: String) -> Bool {
        let address = Self.unmappingIPv4(address)
        if allowedHosts.contains(host.lowercased()) { return true }
        if allowedNetworks.contains(where: { $0.contains(address) }) { return true }
        return !Self.nonPublic.contains { $0.contains(address) }
    }

    /// The check that can be made before any connection, when a URL is set: a host that is an
    /// address, or `localhost`, must be allowed. (Names are checked again on every connection.)
    public func check(url: String) throws(FaxValidationError) {
        guard let host = WebhookURL.host(of: url) else { return }
        if let address = IPAddressBytes.parse(host) {
            guard allows(address: address, host: host) else {
                throw FaxValidationError(field: "url", reason: Self.refusal(host))
            }
        } else if host.lowercased() == "localhost" || host.lowercased().hasSuffix(".localhost"), !allowedHosts.contains(host.lowercased()) {
            throw FaxValidationError(field: "url", reason: Self.refusal(host))
        }
    }

    static func refusal(_ host: String) -> String {
        "\(host) is not a public address; only administrators may point webhooks into the local network "
            + "(or list it in [webhooks] allow)"
    }

    static func isHostName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 253 && !text.hasPrefix("-") && !text.hasPrefix(".")
            && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." }
            && text.contains { $0.isLetter }
    }

    private static func unmappingIPv4(_ address: [UInt8]) -> [UInt8] {
        guard address.count == 16, address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xFF, address[11] == 0xFF else { return address }
        return Array(address[12...])
    }

    /// Addresses that are not on the public internet (IANA special-purpose registries).
    static let nonPublic: [PeerAllowList.Network] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3",
        "::/127", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10",
        "ff00::/8",
    ].map { PeerAllowList.Network(parsing: $0)! }
}

public struct WebhookPolicyError: Error, Equatable, CustomStringConvertible {
    public let entry: String

    public var description: String {
        "\"\(entry)\" is not an address, network or host name (e.g. 10.0.0.0/8, 192.0.2.10, hooks.example.net, loopback)"
    }
}
