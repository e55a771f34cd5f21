import NIOCore

/// One reply of the inbound SMTP server: a code, an RFC 3463 enhanced status code (RFC 2034) and
/// text lines that say why.
///
/// Text from outside (a policy's refusal reason, a client's EHLO name) is cleaned when the reply is
/// built: control characters become spaces and long lines are cut, so no reply can break the
/// protocol's framing or flood the client.
public struct SMTPServerReply: Sendable, Hashable, CustomStringConvertible {
    public let code: Int
    /// `5.7.1` and the like; `nil` for the greeting and the EHLO reply, which carry none.
    public let enhancedCode: SMTPEnhancedStatusCode?
    public let lines: [String]

    /// Longest text line kept (RFC 5321 allows 512 bytes per reply line).
    public static let maximumLineLength = 400

    public init(_ code: Int, _ enhancedCode: SMTPEnhancedStatusCode?, _ text: String) {
        self.init(code: code, enhancedCode: enhancedCode, lines: [text])
    }

    public init(code: Int, enhancedCode: SMTPEnhancedStatusCode?, lines: [String]) {
        precondition((200..<600).contains(code), "SMTP reply codes are 2xx to 5xx")
        self.code = code
        self.enhancedCode = enhancedCode
        let cleaned = lines.map(Self.cleaned)
        self.lines = cleaned.isEmpty ? [""] : cleaned
    }

    /// 4xx: the client should try again later.
    public var isTemporaryFailure: Bool { (400..<500).contains(code) }
    /// 5xx: the client must not send this again.
    public var isPermanentFailure: Bool { code >= 500 }
    public var isFailure: Bool { code >= 400 }

    /// The reply as the client reads it, without line endings: `550 5.7.1 relaying denied`.
    public var description: String {
        lines.enumerated().map { index, line in
            let separator = index == lines.count - 1 ? " " : "-"
            return "\(code)\(separator)\(enhancedCode.map { "\($0) " } ?? "")\(line)"
        }.joined(separator: "\n")
    }

    private static func cleaned(_ line: String) -> String {
        var result = ""
        var count = 0
        // A cut line ends in "...", within the limit too.
        let kept = line.unicodeScalars.count > maximumLineLength ? maximumLineLength - 3 : maximumLineLength
        for scalar in line.unicodeScalars {
            guard count < kept else {
                result += "..."
                break
            }
            // Replies are ASCII: anything else (controls, non-ASCII) becomes a space or '?'.
            if scalar.value < 0x20 || scalar.value == 0x7F {
                result.unicodeScalars.append(" ")
            } else if scalar.value > 0x7E {
                result.unicodeScalars.append("?")
            } else {
                result.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return result
    }
}

/// `class.subject.detail` (RFC 3463): `2.1.5` recipient ok, `5.7.1` delivery not authorized, …
public struct SMTPEnhancedStatusCode: Sendable, Hashable, CustomStringConvertible {
    public let statusClass: Int
    public let subject: Int
    public let detail: Int

    public init(_ statusClass: Int, _ subject: Int, _ detail: Int) {
        precondition([2, 4, 5].contains(statusClass), "enhanced status classes are 2, 4 and 5")
        precondition((0...999).contains(subject) && (0...999).contains(detail))
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    public var description: String { "\(statusClass).\(subject).\(detail)" }
}

extension ByteBuffer {
    /// Writes `reply` as CRLF-terminated lines, `code-` on all but the last.
    @discardableResult
    public mutating func writeSMTPReply(_ reply: SMTPServerReply) -> Int {
        var written = 0
        for (index, line) in reply.lines.enumerated() {
            let separator = index == reply.lines.count - 1 ? " " : "-"
            written += writeString("\(reply.code)\(separator)")
            if let enhanced = reply.enhancedCode { written += writeString("\(enhanced) ") }
            written += writeString(line)
            written += writeString("\r\n")
        }
        return written
    }
}
