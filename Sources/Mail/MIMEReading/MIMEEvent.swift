/// What the MIME parser reports as it reads a message, in order.
public enum MIMEEvent: Sendable, Hashable {
    /// The message's own header, first of all.
    case messageHeader(MIMEHeader)
    /// A `multipart/*` entity begins; its parts follow until the matching ``multipartEnd``.
    case multipartStart(MIMEPartInfo)
    case multipartEnd
    /// A leaf part begins (text, attachment, or an attached `message/rfc822`, which is not
    /// opened); its decoded body follows in ``partData`` pieces until ``partEnd``.
    case partStart(MIMEPartInfo)
    /// Body bytes of the current part, transfer encoding undone.
    case partData([UInt8])
    case partEnd
}

/// A part's header, read.
public struct MIMEPartInfo: Sendable, Hashable {
    public let header: MIMEHeader
    /// `Content-Type`, defaulted as RFC 2045/2046 say (`text/plain`, or `message/rfc822` in a
    /// digest).
    public let contentType: MIMEParameterizedValue
    public let disposition: MIMEParameterizedValue?
    public let transferEncoding: MIMETransferEncoding
    /// 1 for the message itself, then every part in the order it appears.
    public let number: Int
    /// Subtypes of the multiparts around this part, outermost first (`["mixed", "alternative"]`).
    public let enclosingMultiparts: [String]

    public init(header: MIMEHeader, number: Int, enclosingMultiparts: [String]) {
        self.header = header
        self.number = number
        self.enclosingMultiparts = enclosingMultiparts
        let defaultType = enclosingMultiparts.last == "digest" ? "message/rfc822" : "text/plain"
        let parsed = header.value("Content-Type").map(MIMEParameterizedValue.init(parsing:))
        if let parsed, parsed.mediaType != nil {
            contentType = parsed
        } else {
            contentType = MIMEParameterizedValue(value: defaultType, parameters: parsed?.parameters ?? [:])
        }
        disposition = header.value("Content-Disposition").map(MIMEParameterizedValue.init(parsing:))
        transferEncoding = MIMETransferEncoding(headerValue: header.value("Content-Transfer-Encoding"))
    }

    /// `text/plain`, `application/pdf`, … lower-cased.
    public var mediaType: String { contentType.value }
    public var isMultipart: Bool { contentType.mediaType?.type == "multipart" }
    public var charset: String? { contentType[parameter: "charset"] }
    /// `Content-Disposition: attachment`.
    public var isDeclaredAttachment: Bool { disposition?.value == "attachment" }
    /// The file name the sender gave, decoded but not cleaned: show it, never use it as a path
    /// (see ``MIMEFileName``).
    public var declaredFileName: String? {
        let name = disposition?[parameter: "filename"] ?? contentType[parameter: "name"]
        // Parameters are decoded already (RFC 2231, RFC 2047); decoding again could be abused.
        return name.map(MIMEHeader.cleanedText).flatMap { $0.isEmpty ? nil : $0 }
    }
    /// `Content-ID` without its angle brackets.
    public var contentID: String? {
        header.value("Content-ID").map { $0.trimmingBlanks().trimmingAngleBrackets() }
    }

    /// How errors name this part: `part 3 ("invoice.pdf")`.
    var label: String {
        let name = declaredFileName.map { MIMEFileName.sanitized($0) ?? "" } ?? ""
        return name.isEmpty ? "part \(number) (\(mediaType))" : "part \(number) (\"\(name)\")"
    }
}

extension StringProtocol {
    fileprivate func trimmingAngleBrackets() -> String {
        var text = Substring(self)
        if text.first == "<" { text = text.dropFirst() }
        if text.last == ">" { text = text.dropLast() }
        return String(text)
    }
}

/// Why a message could not be read.
public enum MIMEError: Error, Sendable, Hashable, CustomStringConvertible {
    case emptyMessage
    case headerLineTooLong(limit: Int)
    case headerFieldTooLong(limit: Int)
    case tooManyHeaderFields(limit: Int)
    case headerTooLarge(limit: Int)
    case multipartWithoutBoundary(subtype: String)
    case boundaryTooLong(limit: Int)
    case nestingTooDeep(limit: Int)
    case tooManyParts(limit: Int)
    case missingClosingBoundary(subtype: String)
    case invalidBase64(part: String, position: Int)
    case truncatedBase64(part: String)

    public var description: String {
        switch self {
        case .emptyMessage:
            return "the message is empty"
        case .headerLineTooLong(let limit):
            return "a header line is longer than \(limit) bytes"
        case .headerFieldTooLong(let limit):
            return "a header field is longer than \(limit) bytes"
        case .tooManyHeaderFields(let limit):
            return "a header has more than \(limit) fields"
        case .headerTooLarge(let limit):
            return "a header is larger than \(limit) bytes"
        case .multipartWithoutBoundary(let subtype):
            return "a multipart/\(subtype) part has no boundary parameter"
        case .boundaryTooLong(let limit):
            return "a multipart boundary is longer than \(limit) characters"
        case .nestingTooDeep(let limit):
            return "multipart parts are nested more than \(limit) deep"
        case .tooManyParts(let limit):
            return "the message has more than \(limit) parts"
        case .missingClosingBoundary(let subtype):
            return "the message ends inside a multipart/\(subtype) part (its closing boundary is missing; the message may be cut off)"
        case .invalidBase64(let part, let position):
            return "\(part) is not valid base64 (bad character at offset \(position))"
        case .truncatedBase64(let part):
            return "\(part) is cut off: its base64 data ends in the middle"
        }
    }
}
