import Foundation

/// An Internet message (RFC 5322 + MIME) ready to be encoded to the bytes an SMTP `DATA`
/// carries. Every caller-controlled header value is checked when encoding: a line break in any
/// of them is an error, never a new header.
public struct MailMessage: Sendable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var replyTo: MailAddress?
    public var subject: String
    public var date: Date
    /// Time zone the `Date` header is written in.
    public var timeZone: TimeZone
    /// `Message-ID` without angle brackets; `id@domain`.
    public var messageID: String
    /// Further headers such as `X-Faxline-Fax-Id`; structural headers cannot be overridden.
    public var extraHeaders: [(name: String, value: String)]
    public var body: MIMEPart

    public init(
        from: MailAddress,
        to: [MailAddress],
        cc: [MailAddress] = [],
        replyTo: MailAddress? = nil,
        subject: String,
        date: Date = Date(),
        timeZone: TimeZone = .current,
        messageID: String? = nil,
        extraHeaders: [(name: String, value: String)] = [],
        body: MIMEPart
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.replyTo = replyTo
        self.subject = subject
        self.date = date
        self.timeZone = timeZone
        self.messageID = messageID ?? MailMessage.makeMessageID(domain: String(from.domain))
        self.extraHeaders = extraHeaders
        self.body = body
    }

    /// Headers the message writes itself; extra headers may not repeat them.
    static let reservedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
        "content-type", "content-transfer-encoding", "content-disposition", "content-id",
    ]
    static let maximumSubjectLength = 900

    /// The whole message, CRLF line endings, not dot-stuffed (libcurl stuffs it on the wire).
    /// The same message always encodes to the same bytes: boundaries derive from the message id.
    public func encoded() throws(MailError) -> [UInt8] {
        guard !to.isEmpty || !cc.isEmpty else { throw .invalidContent("a message needs at least one recipient") }
        try HeaderText.validate(subject, header: "Subject")
        guard subject.utf8.count <= Self.maximumSubjectLength else {
            throw .invalidHeader(name: "Subject", reason: "longer than \(Self.maximumSubjectLength) bytes")
        }
        try Self.validate(messageID: messageID)

        var headers = ""
        headers += HeaderText.line(name: "From", value: from.headerValue)
        if !to.isEmpty { headers += HeaderText.line(name: "To", value: to.map(\.headerValue).joined(separator: ", ")) }
        if !cc.isEmpty { headers += HeaderText.line(name: "Cc", value: cc.map(\.headerValue).joined(separator: ", ")) }
        if let replyTo { headers += HeaderText.line(name: "Reply-To", value: replyTo.headerValue) }
        headers += HeaderText.line(name: "Subject", value: HeaderText.unstructured(subject))
        headers += HeaderText.line(name: "Date", value: MailDate.rfc5322(date, timeZone: timeZone))
        headers += HeaderText.line(name: "Message-ID", value: "<\(messageID)>")
        for (name, value) in extraHeaders {
            try Self.validate(headerName: name)
            try HeaderText.validate(value, header: name)
            headers += HeaderText.line(name: name, value: HeaderText.unstructured(value))
        }
        headers += "MIME-Version: 1.0\r\n"
        var boundaries = BoundaryGenerator(seed: messageID)
        var bytes = Array(headers.utf8) + (try body.encoded(boundaries: &boundaries))
        if bytes.suffix(2) != [0x0D, 0x0A] { bytes += [0x0D, 0x0A] }
        return bytes
    }

    /// A fresh `random@domain` id.
    public static func makeMessageID(domain: String) -> String {
        "\(UUID().uuidString.lowercased()).faxline@\(domain)"
    }

    static func validate(headerName: String) throws(MailError) {
        // RFC 5322 field name: printable ASCII except colon.
        guard !headerName.isEmpty, headerName.utf8.count <= 76,
              headerName.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ":") })
        else {
            throw .invalidHeader(name: String(reflecting: headerName), reason: "not a valid header name")
        }
        guard !reservedHeaders.contains(headerName.lowercased()) else {
            throw .invalidHeader(name: headerName, reason: "is set by the message itself")
        }
    }

    static func validate(messageID: String) throws(MailError) {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~.@".utf8)
        guard messageID.utf8.count <= 250, messageID.utf8.allSatisfy(allowed.contains),
              messageID.utf8.filter({ $0 == UInt8(ascii: "@") }).count == 1,
              !messageID.hasPrefix("@"), !messageID.hasSuffix("@")
        else {
            throw .invalidHeader(name: "Message-ID", reason: "\(String(reflecting: messageID)) is not id@domain")
        }
    }
}
