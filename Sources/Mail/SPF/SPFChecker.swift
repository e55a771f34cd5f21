import ServerSupport

/// The outcome of an SPF check (RFC 7208 2.6).
public enum SPFResult: Sendable, Hashable, CustomStringConvertible {
    case pass
    case fail
    case softFail
    case neutral
    /// The domain publishes no SPF record.
    case none
    case temporaryError(String)
    case permanentError(String)

    public var description: String {
        switch self {
        case .pass: "pass"
        case .fail: "fail"
        case .softFail: "softfail"
        case .neutral: "neutral"
        case .none: "none"
        case .temporaryError(let reason): "temperror (\(reason))"
        case .permanentError(let reason): "permerror (\(reason))"
        }
    }
}

/// Checks whether a client address may send mail for a domain, by the domain's SPF record
/// (RFC 7208): `all`, `ip4`, `ip6`, `a`, `mx`, `include`, `exists`, `redirect=`, with
/// qualifiers and CIDR lengths, at most 10 lookups and 2 void ones. Macros (`%{…}`) are not
/// expanded: a term that uses one never matches (`ptr` neither, as RFC 7208 advises).
public struct SPFChecker: Sendable {
    public let resolver: any DNSResolver
    static let maximumLookups = 10
    static let maximumVoidLookups = 2
    static let maximumRecordLength = 4096

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    /// The result for mail from `address` (4 or 16 bytes) with an envelope sender in `domain`.
    public func check(address: [UInt8], domain: String) async -> SPFResult {
        var budget = Budget()
        do {
            return try await evaluate(domain: domain.lowercased(), address: address, budget: &budget)
        } catch let error as SPFFailure {
            return error.result
        } catch {
            return .temporaryError("\(error)")
        }
    }

    private struct Budget {
        var lookups = 0
        var voidLookups = 0

        mutating func count() throws(SPFFailure) {
            lookups += 1
            if lookups > SPFChecker.maximumLookups { throw SPFFailure(result: .permanentError("more than \(SPFChecker.maximumLookups) DNS lookups")) }
        }

        mutating func countVoid(_ isEmpty: Bool) throws(SPFFailure) {
            guard isEmpty else { return }
            voidLookups += 1
            if voidLookups > SPFChecker.maximumVoidLookups { throw SPFFailure(result: .permanentError("too many lookups without an answer")) }
        }
    }

    private struct SPFFailure: Error {
        let result: SPFResult
    }

    private func evaluate(domain: String, address: [UInt8], budget: inout Budget) async throws -> SPFResult {
        guard isDomainName(domain) else { return .none }
        let records = try await lookup { () throws(DNSLookupError) in try await resolver.textRecords(domain) }
            .filter { $0.lowercased() == "v=spf1" || $0.lowercased().hasPrefix("v=spf1 ") }
        guard !records.isEmpty else { return .none }
        guard records.count == 1, records[0].utf8.count <= Self.maximumRecordLength else {
            return .permanentError("\(domain) publishes \(records.count) SPF records")
        }
        var redirect: String?
        for term in records[0].split(separator: " ").dropFirst() {
            let text = term.lowercased()
            if let equals = text.firstIndex(of: "="), !text[..<equals].contains(":") {
                let name = text[..<equals]
                if name == "redirect" { redirect = String(text[text.index(after: equals)...]) }
                continue
            }
            var mechanism = Substring(text)
            var qualifier = SPFResult.pass
            switch mechanism.first {
            case "+": mechanism = mechanism.dropFirst()
            case "-": qualifier = .fail; mechanism = mechanism.dropFirst()
            case "~": qualifier = .softFail; mechanism = mechanism.dropFirst()
            case "?": qualifier = .neutral; mechanism = mechanism.dropFirst()
            default: break
            }
            if try await matches(mechanism, domain: domain, address: address, budget: &budget) { return qualifier }
        }
        if let redirect {
            try budget.count()
            let result = try await evaluate(domain: redirect, address: address, budget: &budget)
            return result == .none ? .permanentError("redirect to \(redirect), which has no SPF record") : result
        }
        return .neutral
    }

    private func matches(_ mechanism: Substring, domain: String, address: [UInt8], budget: inout Budget) async throws -> Bool {
        let (name, argument) = split(mechanism)
        if argument?.contains("%") == true { return false }
        switch name {
        case "all":
            return true
        case "ip4", "ip6":
            guard let argument, let network = PeerAllowList.Network(parsing: argument) else {
                throw SPFFailure(result: .permanentError("bad \(name) term \(mechanism)"))
            }
            return network.contains(address)
        case "a", "mx":
            try budget.count()
            let (target, v4, v6) = try cidr(argument, default: domain)
            var hosts = [target]
            if name == "mx" {
                hosts = try await lookup { () throws(DNSLookupError) in try await resolver.mailExchangers(target) }
                try budget.countVoid(hosts.isEmpty)
                guard hosts.count <= 10 else { throw SPFFailure(result: .permanentError("\(target) has more than 10 MX records")) }
            }
            for host in hosts {
                let addresses = try await lookup { () throws(DNSLookupError) in try await resolver.addresses(host) }
                if name == "a" { try budget.countVoid(addresses.isEmpty) }
                for candidate in addresses where candidate.count == address.count {
                    let bits = candidate.count == 4 ? v4 : v6
                    if prefixMatches(candidate, address, bits: bits) { return true }
                }
            }
            return false
        case "include":
            try budget.count()
            guard let argument else { throw SPFFailure(result: .permanentError("include without a domain")) }
            switch try await evaluate(domain: argument, address: address, budget: &budget) {
            case .pass: return true
            case .fail, .softFail, .neutral: return false
            case .none: throw SPFFailure(result: .permanentError("include:\(argument) has no SPF record"))
            case let other: throw SPFFailure(result: other)
            }
        case "exists":
            try budget.count()
            guard let argument else { throw SPFFailure(result: .permanentError("exists without a domain")) }
            let addresses = try await lookup { () throws(DNSLookupError) in try await resolver.addresses(argument) }
            try budget.countVoid(addresses.isEmpty)
            return addresses.contains { $0.count == 4 }
        case "ptr":
            try budget.count()
            return false
        default:
            throw SPFFailure(result: .permanentError("unknown mechanism \(name)"))
        }
    }

    private func lookup<T>(_ body: () async throws(DNSLookupError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw SPFFailure(result: .temporaryError(error.description))
        }
    }

    /// `name`, `name:argument` or `name/cidr`.
    private func split(_ mechanism: Substring) -> (String, String?) {
        if let colon = mechanism.firstIndex(of: ":") {
            return (String(mechanism[..<colon]), String(mechanism[mechanism.index(after: colon)...]))
        }
        if let slash = mechanism.firstIndex(of: "/") {
            return (String(mechanism[..<slash]), String(mechanism[slash...]))
        }
        return (String(mechanism), nil)
    }

    /// `domain/24//64`, `/24`, `domain` or nothing: the target and the IPv4 and IPv6 prefix lengths.
    private func cidr(_ argument: String?, default domain: String) throws -> (String, Int, Int) {
        guard let argument else { return (domain, 32, 128) }
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        let target = parts[0].isEmpty ? domain : String(parts[0])
        var v4 = 32
        var v6 = 128
        if parts.count >= 2, !parts[1].isEmpty {
            guard let bits = Int(parts[1]), (0...32).contains(bits) else { throw SPFFailure(result: .permanentError("bad CIDR length in \(argument)")) }
            v4 = bits
        }
        if parts.count == 3 {
            guard let bits = Int(parts[2]), (0...128).contains(bits) else { throw SPFFailure(result: .permanentError("bad CIDR length in \(argument)")) }
            v6 = bits
        }
        guard parts.count <= 3 else { throw SPFFailure(result: .permanentError("bad CIDR length in \(argument)")) }
        return (target, v4, v6)
    }

    private func prefixMatches(_ network: [UInt8], _ address: [UInt8], bits: Int) -> Bool {
        PeerAllowList.Network(bytes: network, prefixLength: bits).contains(address)
    }

    private func isDomainName(_ domain: String) -> Bool {
        !domain.isEmpty && domain.utf8.count <= 253 && domain.contains(".")
            && domain.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }
    }
}
