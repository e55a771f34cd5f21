import CResolv
import NIOPosix

/// The system's resolver (`/etc/resolv.conf`, through libresolv's `res_query`), its blocking
/// calls on NIO's thread pool.
public struct SystemDNSResolver: DNSResolver {
    public init() {}

    public func textRecords(_ domain: String) async throws(DNSLookupError) -> [String] {
        try await records(domain, type: 16).map { data in
            // Character strings: a length byte, then that many bytes; joined as RFC 7208 3.3 says.
            var text: [UInt8] = []
            var index = 0
            while index < data.count {
                let length = Int(data[index])
                let end = min(data.count, index + 1 + length)
                text += data[(index + 1)..<end]
                index = end
            }
            return String(decoding: text, as: UTF8.self)
        }
    }

    public func addresses(_ domain: String) async throws(DNSLookupError) -> [[UInt8]] {
        let v4 = try await records(domain, type: 1).filter { $0.count == 4 }
        let v6 = try await records(domain, type: 28).filter { $0.count == 16 }
        return v4 + v6
    }

    public func mailExchangers(_ domain: String) async throws(DNSLookupError) -> [String] {
        try await records(domain, type: 15, wantsName: true).map { String(decoding: $0, as: UTF8.self) }.filter { !$0.isEmpty }
    }

    /// The data of every answer record of `type` (or, with `wantsName`, the name it holds).
    private func records(_ domain: String, type: Int32, wantsName: Bool = false) async throws(DNSLookupError) -> [[UInt8]] {
        let outcome: Result<[[UInt8]], DNSLookupError>
        do {
            outcome = try await NIOThreadPool.singleton.runIfActive {
                Self.query(domain, type: type, wantsName: wantsName)
            }
        } catch {
            throw DNSLookupError(domain: domain, reason: "\(error)")
        }
        return try outcome.get()
    }

    private final class Collector {
        let type: Int32
        let wantsName: Bool
        var records: [[UInt8]] = []
        init(type: Int32, wantsName: Bool) {
            self.type = type
            self.wantsName = wantsName
        }
    }

    private static func query(_ domain: String, type: Int32, wantsName: Bool) -> Result<[[UInt8]], DNSLookupError> {
        var answer = [UInt8](repeating: 0, count: 65_535)
        let length = faxline_res_query(domain, type, &answer, Int32(answer.count))
        guard length >= 0 else {
            let code = faxline_h_errno()
            // HOST_NOT_FOUND, NO_DATA: the domain has no such records.
            if code == 1 || code == 4 { return .success([]) }
            return .failure(DNSLookupError(domain: domain, reason: "resolver error \(code)"))
        }
        let collector = Collector(type: type, wantsName: wantsName)
        let parsed = withExtendedLifetime(collector) {
            faxline_dns_answers(answer, length, { context, recordType, data, dataLength, name in
                let collector = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
                guard recordType == collector.type, let data else { return }
                if collector.wantsName {
                    collector.records.append(name.map { Array(String(cString: $0).utf8) } ?? [])
                } else {
                    collector.records.append(Array(UnsafeBufferPointer(start: data, count: Int(dataLength))))
                }
            }, Unmanaged.passUnretained(collector).toOpaque())
        }
        guard parsed >= 0 else { return .failure(DNSLookupError(domain: domain, reason: "malformed answer")) }
        return .success(collector.records)
    }
}
