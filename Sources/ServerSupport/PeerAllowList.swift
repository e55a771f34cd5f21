#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Who may connect to a listener: peer addresses and networks (`192.0.2.10`, `10.1.0.0/16`,
/// `2001:db8::/32`) and the word `loopback` (127.0.0.0/8 and ::1). IPv4 peers that reach an
/// IPv6 socket (`::ffff:192.0.2.10`) are matched as IPv4. Unix socket peers are local and always
/// allowed (the socket's folder decides who can reach it).
public struct PeerAllowList: Sendable, Equatable, CustomStringConvertible {
    /// One address or network: its bytes (4 or 16) and how many leading bits must match.
    public struct Network: Sendable, Equatable, CustomStringConvertible {
        public let bytes: [UInt8]
        public let prefixLength: Int
        public let description: String

        /// `address` or `address/bits`; `nil` when it is neither.
        public init?(parsing text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let bytes = IPAddressBytes.parse(String(parts[0])) else { return nil }
            let maximum = bytes.count * 8
            var prefixLength = maximum
            if parts.count == 2 {
                guard let bits = Int(parts[1]), (0...maximum).contains(bits), parts[1].allSatisfy(\.isASCII) else { return nil }
                prefixLength = bits
            }
            self.bytes = bytes
            self.prefixLength = prefixLength
            description = text
        }

        /// The network of `bytes` (4 or 16) and its first `prefixLength` bits.
        package init(bytes: [UInt8], prefixLength: Int) {
            self.bytes = bytes
            self.prefixLength = min(max(prefixLength, 0), bytes.count * 8)
            description = "\(bytes.map(String.init).joined(separator: bytes.count == 4 ? "." : ":"))/\(prefixLength)"
        }

        public func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefixLength
            for (ours, theirs) in zip(bytes, address) where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if ours & mask != theirs & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    public let networks: [Network]

    public init(_ networks: [Network]) {
        self.networks = networks
    }

    /// The default of every listener: this machine only.
    public static let loopback = PeerAllowList([Network(parsing: "127.0.0.0/8")!, Network(parsing: "::1")!])

    /// Every peer (a listener guarded otherwise, e.g. by TLS and a login).
    public static let anyone = PeerAllowList([Network(parsing: "0.0.0.0/0")!, Network(parsing: "::/0")!])

    /// A comma- or space-separated list as written in faxline.conf; throws naming the entry it
    /// cannot read.
    public init(parsing text: String) throws(PeerAllowListError) {
        var networks: [Network] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) {
            if entry.lowercased() == "loopback" {
                networks += Self.loopback.networks
            } else if let network = Network(parsing: String(entry)) {
                networks.append(network)
            } else {
                throw PeerAllowListError(entry: String(entry))
            }
        }
        guard !networks.isEmpty else { throw PeerAllowListError(entry: "") }
        self.networks = networks
    }

    public func allows(_ peer: SocketAddress?) -> Bool {
        guard let peer else { return false }
        if case .unixDomainSocket = peer { return true }
        guard let text = peer.ipAddress, let bytes = IPAddressBytes.parse(text) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    public var description: String { networks.map(\.description).joined(separator: ", ") }
}

public struct PeerAllowListError: Error, Equatable, CustomStringConvertible {
    public let entry: String

    public var description: String {
        entry.isEmpty
            ? "expected addresses or networks (e.g. loopback, 192.0.2.10, 10.0.0.0/8)"
            : "\"\(entry)\" is not an IP address or network (e.g. 192.0.2.10, 10.0.0.0/8, 2001:db8::/32, loopback)"
    }
}

/// IP address text to its bytes: 4 for IPv4, 16 for IPv6, IPv4-mapped IPv6 as its IPv4 bytes.
package enum IPAddressBytes {
    package static func parse(_ text: String) -> [UInt8]? {
        // A scope (`fe80::1%eth0`) names an interface, not an address.
        let address = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return Array(bytes[12...])
        }
        return bytes
    }

    /// Whether two peers are the same machine as far as an address can tell: the same address,
    /// with ::1 taken for 127.0.0.1 (Asterisk may reach us over IPv4 for one socket and IPv6
    /// for the other).
    package static func sameHost(_ first: SocketAddress?, _ second: SocketAddress?) -> Bool {
        guard let one = first?.ipAddress.flatMap(parse).map(unifyingLoopback),
              let other = second?.ipAddress.flatMap(parse).map(unifyingLoopback) else { return false }
        return one == other
    }

    private static let ipv6Loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]

    private static func unifyingLoopback(_ bytes: [UInt8]) -> [UInt8] {
        bytes == ipv6Loopback ? [127, 0, 0, 1] : bytes
    }
}

extension SocketAddress {
    /// 127.0.0.0/8, ::1, IPv4-mapped loopback addresses, and Unix sockets.
    package var isLoopback: Bool {
        if case .unixDomainSocket = self { return true }
        return PeerAllowList.loopback.allows(self)
    }
}
