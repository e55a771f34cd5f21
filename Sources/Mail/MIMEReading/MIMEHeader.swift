/// The header fields of a message or a body part, unfolded, in order.
public struct MIMEHeader: Sendable, Hashable {
    public let fields: [MIMEHeaderField]

    public init(fields: [MIMEHeaderField]) {
        self.fields = fields
    }

    /// The first field's value (unfolded, not decoded).
    public func value(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    /// `Subject` with RFC 2047 words decoded and white space runs collapsed.
    public var subject: String? { value("Subject").map(Self.displayText) }

    /// `From` with RFC 2047 words decoded (`Jörg Müller <j@example.com>`).
    public var from: String? { value("From").map(Self.displayText) }

    /// Fields whose names start with `prefix` (`X-Fax-`), values decoded for display.
    public func decodedFields(withPrefix prefix: String) -> [MIMEHeaderField] {
        fields.filter { $0.name.lowercased().hasPrefix(prefix.lowercased()) }
            .map { MIMEHeaderField(name: $0.name, value: Self.displayText($0.value)) }
    }

    /// Decoded header text, control characters gone, white space collapsed.
    static func displayText(_ raw: String) -> String {
        cleanedText(EncodedWords.decode(raw))
    }

    /// Text with control characters gone and white space collapsed.
    static func cleanedText(_ decoded: String) -> String {
        var result = ""
        var lastWasSpace = true
        for scalar in decoded.unicodeScalars {
            let isSpace = scalar.value < 0x20 || scalar.value == 0x7F || scalar == " " || (0x80...0x9F).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}"
            if isSpace {
                if !lastWasSpace { result.unicodeScalars.append(" ") }
            } else {
                result.unicodeScalars.append(scalar)
            }
            lastWasSpace = isSpace
        }
        if result.hasSuffix(" ") { result.removeLast() }
        return result
    }
}

public struct MIMEHeaderField: Sendable, Hashable {
    public let name: String
    /// Unfolded value, white space at both ends removed; RFC 2047 words still encoded.
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A header value with parameters: `Content-Type: text/plain; charset=utf-8`,
/// `Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC.pdf`.
///
/// RFC 2231 extended values and continuations are joined and decoded; RFC 2047 words in quoted
/// values (not standard, but what many clients send for file names) are decoded too.
public struct MIMEParameterizedValue: Sendable, Hashable {
    /// The value before the first `;`, lower-cased: `text/plain`, `attachment`.
    public let value: String
    /// Parameters by lower-cased name, decoded.
    public let parameters: [String: String]

    /// Most pieces (`name*0` … `name*N`) one parameter may be split into.
    static let maximumContinuations = 100

    public init(value: String, parameters: [String: String] = [:]) {
        self.value = value
        self.parameters = parameters
    }

    public init(parsing text: String) {
        var pieces = Self.split(text)
        value = pieces.isEmpty ? "" : String(pieces.removeFirst().trimmingBlanks()).lowercased()
        var plain: [String: String] = [:]
        var extended: [String: String] = [:]
        var continued: [String: [Int: (text: String, encoded: Bool)]] = [:]
        for piece in pieces {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingBlanks().lowercased()
            let rawValue = Self.unquoted(piece[piece.index(after: equals)...].trimmingBlanks())
            guard !name.isEmpty else { continue }
            let nameParts = name.split(separator: "*", omittingEmptySubsequences: false)
            if nameParts.count == 1 {
                plain[name] = plain[name] ?? rawValue
            } else if nameParts.count == 2, nameParts[1].isEmpty {
                extended[String(nameParts[0])] = Self.decodeExtended(rawValue)
            } else if let index = Int(nameParts[1]), index >= 0, index < Self.maximumContinuations, nameParts.count <= 3 {
                let encoded = nameParts.count == 3 && nameParts[2].isEmpty
                continued[String(nameParts[0]), default: [:]][index] = (rawValue, encoded)
            }
        }
        var parameters: [String: String] = [:]
        for (name, value) in plain {
            parameters[name] = value.contains("=?") ? EncodedWords.decode(value) : value
        }
        for (name, pieces) in continued {
            if let joined = Self.joinContinuations(pieces) { parameters[name] = joined }
        }
        for (name, value) in extended {
            parameters[name] = value
        }
        self.parameters = parameters
    }

    public subscript(parameter name: String) -> String? { parameters[name.lowercased()] }

    /// `type/subtype` split; `nil` parts for a value without a slash.
    public var mediaType: (type: String, subtype: String)? {
        guard let slash = value.firstIndex(of: "/") else { return nil }
        let type = value[..<slash].trimmingBlanks()
        let subtype = value[value.index(after: slash)...].trimmingBlanks()
        guard !type.isEmpty, !subtype.isEmpty else { return nil }
        return (String(type), String(subtype))
    }

    /// Splits at `;` outside quoted strings.
    private static func split(_ text: String) -> [Substring] {
        var pieces: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        var inQuotes = false
        while index < text.endIndex {
            let character = text[index]
            if inQuotes && character == "\\" {
                index = text.index(after: index)
                if index == text.endIndex { break }
            } else if character == "\"" {
                inQuotes.toggle()
            } else if character == ";" && !inQuotes {
                pieces.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        pieces.append(text[start...])
        return [pieces[0]] + pieces.dropFirst().filter { !$0.trimmingBlanks().isEmpty }
    }

    private static func unquoted(_ value: Substring) -> String {
        guard value.count >= 2, value.first == "\"" else { return String(value) }
        var result = ""
        var index = value.index(after: value.startIndex)
        while index < value.endIndex {
            let character = value[index]
            if character == "\\" {
                index = value.index(after: index)
                if index < value.endIndex { result.append(value[index]) } else { break }
            } else if character == "\"" {
                break
            } else {
                result.append(character)
            }
            index = value.index(after: index)
        }
        return result
    }

    /// `charset'language'percent-encoded` (RFC 2231 4).
    private static func decodeExtended(_ value: String) -> String {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return MIMECharset.decodeLeniently(percentDecoded(Substring(value)), charset: "utf-8") }
        return MIMECharset.decodeLeniently(percentDecoded(parts[2]), charset: String(parts[0]))
    }

    /// Joins `name*0`, `name*1`, …; the first piece's charset applies to the encoded pieces.
    private static func joinContinuations(_ pieces: [Int: (text: String, encoded: Bool)]) -> String? {
        guard pieces[0] != nil else { return nil }
        var charset = "utf-8"
        var bytes: [UInt8] = []
        var index = 0
        while let piece = pieces[index] {
            if piece.encoded {
                var text = Substring(piece.text)
                if index == 0 {
                    let parts = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                    if parts.count == 3 {
                        charset = parts[0].isEmpty ? charset : String(parts[0])
                        text = parts[2]
                    }
                }
                bytes += percentDecoded(text)
            } else {
                bytes += Array(piece.text.utf8)
            }
            index += 1
        }
        return MIMECharset.decodeLeniently(bytes, charset: charset)
    }

    private static func percentDecoded(_ text: Substring) -> [UInt8] {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = EncodedWords.hexValue(bytes[index + 1]), let low = EncodedWords.hexValue(bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && lowercased() == other.lowercased()
    }
}
