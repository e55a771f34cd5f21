import Foundation

/// Finds attachments in a raw MIME message, to check what a mail carried.
public enum MIMEAttachments {
    /// The decoded body of the first base64 part whose Content-Type is `type`.
    public static func first(ofType type: String, in message: String) -> [UInt8]? {
        let normalized = message.replacingOccurrences(of: "\r\n", with: "\n")
        for part in normalized.components(separatedBy: "\n--") {
            guard let split = part.range(of: "\n\n") else { continue }
            let headers = part[..<split.lowerBound].lowercased()
            guard headers.contains("content-type: \(type.lowercased())"), headers.contains("base64") else { continue }
            let body = part[split.upperBound...].split(separator: "\n").prefix { !$0.hasPrefix("--") }.joined()
            if let data = Data(base64Encoded: String(body)) { return [UInt8](data) }
        }
        return nil
    }
}
