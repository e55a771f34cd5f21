import Crypto
import FaxCore
import Foundation

/// The `Faxline-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`, the HMAC taken with
/// the webhook's secret over the timestamp, a dot and the body exactly as sent (Stripe's
/// scheme). A receiver recomputes it, compares in constant time, and refuses old timestamps
/// (replays).
public enum WebhookSignature {
    public static let headerName = "Faxline-Signature"

    public static func header(secret: Secret, timestamp: Int, body: some DataProtocol) -> String {
        "t=\(timestamp),v1=\(signature(secret: secret, timestamp: timestamp, body: body))"
    }

    public static func signature(secret: Secret, timestamp: Int, body: some DataProtocol) -> String {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: Data(secret.revealed.utf8)))
        hmac.update(data: Data("\(timestamp).".utf8))
        hmac.update(data: Data(body))
        return hmac.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `header` signs `body` with `secret`, no more than `tolerance` seconds from `now`.
    public static func verify(header: String, body: some DataProtocol, secret: Secret, now: Date, tolerance: TimeInterval = 300) -> Bool {
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= tolerance else { return false }
        let expected = Secret(signature(secret: secret, timestamp: timestamp, body: body))
        return signatures.contains { expected.matches($0) }
    }
}
