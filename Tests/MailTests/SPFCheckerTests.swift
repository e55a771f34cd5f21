import FaxTestSupport
import Mail
import Testing

/// SPF (RFC 7208) against DNS answers from memory.
@Suite("SPF checks")
struct SPFCheckerTests {
    static let client: [UInt8] = [192, 0, 2, 10]
    static let client6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]

    static func check(_ records: [String: [String]], addresses: [String: [[UInt8]]] = [:], exchangers: [String: [String]] = [:],
                      from address: [UInt8] = client, domain: String = "example.com") async -> SPFResult {
        await SPFChecker(resolver: InMemoryDNS(text: records, addresses: addresses, exchangers: exchangers))
            .check(address: address, domain: domain)
    }

    @Test("qualifiers and ip4/ip6 networks", arguments: [
        ("v=spf1 ip4:192.0.2.0/24 -all", SPFResult.pass),
        ("v=spf1 ip4:198.51.100.1 -all", .fail),
        ("v=spf1 ip4:198.51.100.1 ~all", .softFail),
        ("v=spf1 ip4:198.51.100.1 ?all", .neutral),
        ("v=spf1 ip4:198.51.100.1", .neutral),
        ("v=spf1 -ip4:192.0.2.10 +all", .fail),
        ("V=SPF1 IP4:192.0.2.10 -ALL", .pass),
    ])
    func qualifiers(_ record: String, _ expected: SPFResult) async {
        #expect(await Self.check(["example.com": [record, "some-other=verification"]]) == expected)
    }

    @Test("ip6 networks")
    func ipv6() async {
        #expect(await Self.check(["example.com": ["v=spf1 ip6:2001:db8::/32 -all"]], from: Self.client6) == .pass)
        #expect(await Self.check(["example.com": ["v=spf1 ip6:2001:db9::/32 -all"]], from: Self.client6) == .fail)
    }

    @Test("a and mx, with CIDR lengths")
    func hostMechanisms() async {
        let addresses: [String: [[UInt8]]] = ["example.com": [[192, 0, 2, 99]], "mx1.example.com": [[192, 0, 2, 10]]]
        #expect(await Self.check(["example.com": ["v=spf1 a -all"]], addresses: addresses) == .fail)
        #expect(await Self.check(["example.com": ["v=spf1 a/24 -all"]], addresses: addresses) == .pass)
        #expect(await Self.check(["example.com": ["v=spf1 mx -all"]], addresses: addresses, exchangers: ["example.com": ["mx1.example.com"]]) == .pass)
        #expect(await Self.check(["example.com": ["v=spf1 a:mx1.example.com -all"]], addresses: addresses) == .pass)
    }

    @Test("include and redirect")
    func includeAndRedirect() async {
        let records = [
            "example.com": ["v=spf1 include:_spf.provider.example -all"],
            "_spf.provider.example": ["v=spf1 ip4:192.0.2.0/28 -all"],
            "example.net": ["v=spf1 redirect=example.com"],
            "example.org": ["v=spf1 include:nothing.example -all"],
        ]
        #expect(await Self.check(records) == .pass)
        #expect(await Self.check(records, domain: "example.net") == .pass)
        #expect(await Self.check(records, from: [203, 0, 113, 5], domain: "example.net") == .fail)
        if case .permanentError = await Self.check(records, domain: "example.org") {} else { Issue.record("include of a domain without SPF must be a permerror") }
    }

    @Test("no record, two records, loops, too many lookups, a DNS failure")
    func errors() async {
        #expect(await Self.check([:]) == .none)
        if case .permanentError = await Self.check(["example.com": ["v=spf1 -all", "v=spf1 +all"]]) {} else { Issue.record("two records") }
        if case .permanentError = await Self.check(["example.com": ["v=spf1 include:example.com -all"]]) {} else { Issue.record("a loop") }
        let chain = Dictionary(uniqueKeysWithValues: (0...12).map { ("d\($0).example", ["v=spf1 include:d\($0 + 1).example -all"]) })
        if case .permanentError(let reason) = await Self.check(chain, domain: "d0.example") {
            #expect(reason.contains("more than 10 DNS lookups"))
        } else { Issue.record("more than 10 lookups") }
        if case .temporaryError = await Self.check([:], domain: "timeout.example.com") {} else { Issue.record("a DNS failure is a temperror") }
        if case .permanentError = await Self.check(["example.com": ["v=spf1 frobnicate -all"]]) {} else { Issue.record("an unknown mechanism") }
    }

    @Test("macros and ptr never match")
    func unsupportedTerms() async {
        #expect(await Self.check(["example.com": ["v=spf1 exists:%{i}.spf.example.com ptr -all"]]) == .fail)
    }
}
