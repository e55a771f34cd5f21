import Foundation

/// One node of a MIME body: a text part, a binary part (attachment or inline image), or a
/// multipart container of other parts.
public struct MIMEPart: Sendable {
    public enum Content: Sendable {
        /// Text with a media subtype (`plain`, `html`), sent as UTF-8.
        case text(String, subtype: String)
        /// Bytes sent base64-encoded, with a media type such as `application/pdf`.
        case binary([UInt8], mediaType: String)
        /// `multipart/<subtype>` holding other parts.
        case multipart(subtype: String, parts: [MIMEPart])
    }

    public enum Disposition: Sendable, Equatable {
        case attachment
        case inline
    }

    public var content: Content
    public var disposition: Disposition?
    /// File name shown to the recipient; sanitized when encoded.
    public var filename: String?
    /// Content-ID without angle brackets, for `cid:` references from an HTML part.
    public var contentID: String?

    public init(content: Content, disposition: Disposition? = nil, filename: String? = nil, contentID: String? = nil) {
        self.content = content
        self.disposition = disposition
        self.filename = filename
        self.contentID = contentID
    }

    public static func plainText(_ text: String) -> MIMEPart {
        MIMEPart(content: .text(text, subtype: "plain"))
    }

    public static func html(_ html: String) -> MIMEPart {
        MIMEPart(content: .text(html, subtype: "html"))
    }

    public static func attachment(_ bytes: [UInt8], filename: String, mediaType: String) -> MIMEPart {
        MIMEPart(content: .binary(bytes, mediaType: mediaType), disposition: .attachment, filename: filename)
    }

    /// A part shown inside an HTML body that refers to it as `cid:<contentID>`.
    public static func inline(_ bytes: [UInt8], contentID: String, mediaType: String, filename: String? = nil) -> MIMEPart {
        MIMEPart(content: .binary(bytes, mediaType: mediaType), disposition: .inline, filename: filename, contentID: contentID)
    }

    public static func mixed(_ parts: [MIMEPart]) -> MIMEPart {
        MIMEPart(content: .multipart(subtype: "mixed", parts: parts))
    }

    /// Alternatives in increasing order of preference: plain text first, HTML last.
    public static func alternative(_ parts: [MIMEPart]) -> MIMEPart {
        MIMEPart(content: .multipart(subtype: "alternative", parts: parts))
    }

    /// A root part (usually HTML) followed by the parts it references by `cid:`.
    public static func related(_ parts: [MIMEPart]) -> MIMEPart {
        MIMEPart(content: .multipart(subtype: "related", parts: parts))
    }
}

extension MIMEPart {
    /// Longest file name we keep, in characters.
    static let maximumFilenameLength = 120

    /// The part's own header lines and body, CRLF throughout.
    func encoded(boundaries: inout BoundaryGenerator) throws(MailError) -> [UInt8] {
        var headers = ""
        var body: [UInt8]
        switch content {
        case .text(let text, let subtype):
            try MIMEPart.validate(token: subtype, what: "text subtype")
            let normalized = Array(MIMEPart.normalizedLineEndings(text).utf8)
            let isSevenBit = normalized.allSatisfy { $0 < 0x80 && $0 != 0 }
                && MIMEPart.longestLine(normalized) <= 998
            headers += "Content-Type: text/\(subtype.lowercased()); charset=utf-8\r\n"
            if isSevenBit {
                headers += "Content-Transfer-Encoding: 7bit\r\n"
                body = normalized
            } else {
                headers += "Content-Transfer-Encoding: quoted-printable\r\n"
                body = QuotedPrintable.encode(normalized)
            }
        case .binary(let bytes, let mediaType):
            try MIMEPart.validate(mediaType: mediaType)
            let name = filename.map(MIMEPart.sanitizedFilename)
            headers += "Content-Type: \(mediaType.lowercased())"
            if let name { headers += ";\r\n " + MIMEPart.parameter("name", name) }
            headers += "\r\nContent-Transfer-Encoding: base64\r\n"
            body = Array(Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed]).utf8)
        case .multipart(let subtype, let parts):
            try MIMEPart.validate(token: subtype, what: "multipart subtype")
            guard !parts.isEmpty else { throw .invalidContent("multipart/\(subtype) without parts") }
            let encodedParts = try parts.map { part throws(MailError) in try part.encoded(boundaries: &boundaries) }
            let boundary = boundaries.next(avoiding: encodedParts)
            headers += "Content-Type: multipart/\(subtype.lowercased());\r\n boundary=\"\(boundary)\"\r\n"
            body = []
            for part in encodedParts {
                body += Array("--\(boundary)\r\n".utf8)
                body += part
                body += [0x0D, 0x0A]
            }
            body += Array("--\(boundary)--".utf8)
        }
        if let disposition {
            headers += "Content-Disposition: \(disposition == .attachment ? "attachment" : "inline")"
            if let filename { headers += ";\r\n " + MIMEPart.parameter("filename", MIMEPart.sanitizedFilename(filename)) }
            headers += "\r\n"
        }
        if let contentID {
            try MIMEPart.validate(contentID: contentID)
            headers += "Content-ID: <\(contentID)>\r\n"
        }
        return Array(headers.utf8) + [0x0D, 0x0A] + body
    }

    /// A file name reduced to its last path component, without controls, quotes or
    /// separators, never empty and never hidden.
    public static func sanitizedFilename(_ name: String) -> String {
        let lastComponent = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = ""
        for character in lastComponent {
            let isUnsafe = character.unicodeScalars.contains { scalar in
                scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                    || "\"\\:*?<>|;%".unicodeScalars.contains(scalar)
                    || scalar == "\u{2028}" || scalar == "\u{2029}"
            }
            cleaned.append(isUnsafe ? "_" : character)
        }
        cleaned = cleaned.trimmingCharacters(in: .whitespaces)
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        if cleaned.count > maximumFilenameLength {
            // Keep the extension: it decides how the recipient's client opens the file.
            let dot = cleaned.lastIndex(of: ".")
            let ext = dot.map { String(cleaned[$0...]) } ?? ""
            let keep = ext.count < 16 ? ext : ""
            cleaned = String(cleaned.prefix(maximumFilenameLength - keep.count)) + keep
        }
        return cleaned.isEmpty ? "attachment" : cleaned
    }

    /// `name="value"`, plus an RFC 2231 `name*=UTF-8''…` form when the value is not ASCII.
    static func parameter(_ name: String, _ value: String) -> String {
        let ascii = String(value.unicodeScalars.map { $0.isASCII ? Character($0) : "_" })
        var result = "\(name)=\"\(ascii)\""
        if value.unicodeScalars.contains(where: { !$0.isASCII }) {
            let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
            var encoded = ""
            for byte in value.utf8 {
                if unreserved.contains(byte) {
                    encoded.append(Character(UnicodeScalar(byte)))
                } else {
                    encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
                }
            }
            result += ";\r\n \(name)*=UTF-8''\(encoded)"
        }
        return result
    }

    static func normalizedLineEndings(_ text: String) -> String {
        var result = ""
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                if !previousWasCR { result += "\r" }
                result += "\n"
                previousWasCR = false
            } else {
                if previousWasCR { result += "\n" }
                result.unicodeScalars.append(scalar)
                previousWasCR = scalar == "\r"
            }
        }
        if previousWasCR { result += "\n" }
        return result
    }

    static func longestLine(_ bytes: [UInt8]) -> Int {
        var longest = 0, current = 0
        for byte in bytes {
            if byte == 0x0A { longest = max(longest, current); current = 0 } else if byte != 0x0D { current += 1 }
        }
        return max(longest, current)
    }

    static func validate(token: String, what: String) throws(MailError) {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-".utf8)
        guard !token.isEmpty, token.utf8.count <= 64, token.utf8.allSatisfy(allowed.contains) else {
            throw .invalidContent("\(what) \(String(reflecting: token)) is not a MIME token")
        }
    }

    static func validate(mediaType: String) throws(MailError) {
        let pieces = mediaType.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2 else { throw .invalidContent("media type \(String(reflecting: mediaType)) is not type/subtype") }
        try validate(token: String(pieces[0]), what: "media type")
        try validate(token: String(pieces[1]), what: "media subtype")
        guard pieces[0].lowercased() != "multipart" else {
            throw .invalidContent("use MIMEPart.Content.multipart for \(mediaType)")
        }
    }

    static func validate(contentID: String) throws(MailError) {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~.@".utf8)
        guard !contentID.isEmpty, contentID.utf8.count <= 200, contentID.utf8.allSatisfy(allowed.contains) else {
            throw .invalidContent("content id \(String(reflecting: contentID)) is not a plain id")
        }
    }
}

/// Produces boundaries that occur in none of the parts they separate, derived from the
/// message id so that encoding is repeatable.
struct BoundaryGenerator {
    private let stem: String
    private var counter = 0

    init(seed: String) {
        // FNV-1a: a short, stable stand-in for the (random) message id.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in seed.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        stem = "=_faxline_" + String(hash, radix: 16).leftPadded(to: 16)
    }

    mutating func next(avoiding parts: [[UInt8]]) -> String {
        while true {
            // "=_" never occurs in base64 or quoted-printable output; 7-bit text is checked.
            counter += 1
            let boundary = "\(stem)_\(counter)"
            let needle = Array(boundary.utf8)
            if !parts.contains(where: { $0.containsSubsequence(needle) }) { return boundary }
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        let first = needle[0]
        var index = 0
        while index <= count - needle.count {
            if self[index] == first && self[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
