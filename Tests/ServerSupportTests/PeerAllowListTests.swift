import NIOCore
import Testing

@testable import ServerSupport

@Suite("Peer allow-lists")
struct PeerAllowListTests {
    static func peer(_ address: String) throws -> SocketAddress {
        try SocketAddress(ipAddress: address, port: 40000)
    }

    @Test func theDefaultIsThisMachineOnly() throws {
        let list = PeerAllowList.loopback
        for address in ["127.0.0.1", "127.0.0.2", "127.255.0.9", "::1", "::ffff:127.0.0.1"] {
            #expect(list.allows(try Self.peer(address)), "\(address)")
        }
        for address in ["192.0.2.10", "10.0.0.1", "::2", "2001:db8::1", "::ffff:192.0.2.10", "0.0.0.0"] {
            #expect(!list.allows(try Self.peer(address)), "\(address)")
        }
        #expect(!list.allows(nil))
    }

    @Test func addressesAndNetworksAsWrittenInTheConfiguration() throws {
        let list = try PeerAllowList(parsing: "192.0.2.10, 10.1.0.0/16 2001:db8::/32,loopback")
        for address in ["192.0.2.10", "10.1.200.3", "2001:db8:ffff::1", "127.0.0.1", "::1", "::ffff:10.1.0.1"] {
            #expect(list.allows(try Self.peer(address)), "\(address)")
        }
        for address in ["192.0.2.11", "10.2.0.1", "2001:db9::1"] {
            #expect(!list.allows(try Self.peer(address)), "\(address)")
        }
        let odd = try PeerAllowList(parsing: "10.0.0.128/25")
        #expect(odd.allows(try Self.peer("10.0.0.200")))
        #expect(!odd.allows(try Self.peer("10.0.0.127")))
        #expect(try PeerAllowList(parsing: "0.0.0.0/0").allows(try Self.peer("203.0.113.1")))
    }

    @Test func badEntriesAreNamed() {
        for (text, entry) in [("192.0.2.300", "192.0.2.300"), ("10.0.0.0/33", "10.0.0.0/33"), ("pbx.example.com", "pbx.example.com"),
                              ("127.0.0.1, ::1/129", "::1/129"), ("10.0.0.0/-1", "10.0.0.0/-1")] {
            #expect(throws: PeerAllowListError(entry: entry)) { try PeerAllowList(parsing: text) }
        }
        #expect(throws: PeerAllowListError(entry: "")) { try PeerAllowList(parsing: " , ") }
        #expect("\(PeerAllowListError(entry: "x"))".contains("not an IP address"))
    }

    @Test func sameHostTakesIPv6LoopbackForIPv4Loopback() throws {
        #expect(IPAddressBytes.sameHost(try Self.peer("127.0.0.1"), try Self.peer("::1")))
        #expect(IPAddressBytes.sameHost(try Self.peer("::ffff:127.0.0.1"), try Self.peer("::1")))
        #expect(!IPAddressBytes.sameHost(try Self.peer("127.0.0.1"), try Self.peer("127.0.0.2")))
        #expect(IPAddressBytes.sameHost(try Self.peer("192.0.2.1"), try Self.peer("::ffff:192.0.2.1")))
        #expect(!IPAddressBytes.sameHost(try Self.peer("192.0.2.1"), try Self.peer("192.0.2.2")))
        #expect(!IPAddressBytes.sameHost(try Self.peer("192.0.2.1"), nil))
    }
}
