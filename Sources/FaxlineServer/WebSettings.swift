import Foundation
import Web

extension FaxlineConfiguration {
    /// `[web]` entries.
    mutating func applyWebSetting(_ entry: ConfigurationFile.Entry) throws(ConfigurationError) {
        func bad(_ reason: String) -> ConfigurationError {
            .badValue(section: entry.section, key: entry.key, line: entry.line, reason)
        }
        func file() throws(ConfigurationError) -> String {
            guard entry.value.hasPrefix("/") else { throw bad("expected an absolute path to a PEM file") }
            return entry.value
        }
        switch entry.key {
        case "bind":
            guard let address = try entry.bindAddress() else {
                web.host = nil
                return
            }
            web.host = address.host
            web.port = address.port
        case "tls_certificate": web.tlsCertificatePath = try file()
        case "tls_key": web.tlsKeyPath = try file()
        case "trusted_proxies":
            var ranges: [IPAddressRange] = []
            for item in entry.value.split(whereSeparator: { $0 == "," || $0 == " " }) {
                guard let range = IPAddressRange(String(item)) else { throw bad("\(item) is not an address or a network like 10.0.0.0/8") }
                ranges.append(range)
            }
            web.trustedProxies = ranges
        case "max_upload_mb":
            guard let megabytes = Int(entry.value), (1...4096).contains(megabytes) else { throw bad("expected megabytes in 1...4096") }
            web.maximumUploadBytes = megabytes * 1024 * 1024
        case "rate_limit":
            guard let rate = Double(entry.value), rate > 0, rate <= 100_000 else { throw bad("expected requests a second, more than 0") }
            web.rateLimit = rate
        case "rate_burst":
            guard let burst = Int(entry.value), (1...100_000).contains(burst) else { throw bad("expected a number of requests in 1...100000") }
            web.rateBurst = burst
        case "metrics": web.servesMetrics = try entry.boolean()
        default:
            throw .unknownSetting(section: entry.section, key: entry.key, line: entry.line)
        }
    }

    /// TLS needs both files.
    func validateWebSettings(_ file: ConfigurationFile) throws(ConfigurationError) {
        if (web.tlsCertificatePath == nil) != (web.tlsKeyPath == nil) {
            let line = file.value("web", "tls_certificate")?.line ?? file.value("web", "tls_key")?.line ?? 0
            throw .badValue(section: "web", key: web.tlsKeyPath == nil ? "tls_key" : "tls_certificate", line: line,
                            "TLS needs both tls_certificate and tls_key")
        }
    }
}
