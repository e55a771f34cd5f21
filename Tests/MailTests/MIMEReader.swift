import Foundation

/// A deliberately independent, strict reader of the MIME the composer writes, so tests check
/// the bytes on the wire rather than the composer's own model.
struct MIMEEntity {
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// Raw header block, folds included.
    var rawHeaders: String

    enum ReadError: Error, CustomStringConvertible {
        case noHeaderEnd, bareLineFeed(offset: Int), missingBoundary, badBase64, badQuotedPrintable
        var description: String { "\(self)" }
    }

    init(_ bytes: [UInt8]) throws {
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            guard index > 0, bytes[index - 1] == 0x0D else { throw ReadError.bareLineFeed(offset: index) }
        }
        let separator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        guard let end = (0...(max(0, bytes.count - 4))).first(where: { Array(bytes[$0..<min($0 + 4, bytes.count)]) == separator }) else {
            throw ReadError.noHeaderEnd
        }
        rawHeaders = String(decoding: bytes[..<end], as: UTF8.self)
        body = Array(bytes[(end + 4)...])
        var unfolded: [String] = []
        for line in crlfLines(Array(bytes[..<end])) {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), !unfolded.isEmpty {
                unfolded[unfolded.count - 1] += line
            } else {
                unfolded.append(line)
            }
        }
        headers = unfolded.map { line in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func headers(named name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// `text/plain` from `text/plain; charset=utf-8`.
    var mediaType: String {
        (header("Content-Type") ?? "text/plain").split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
    }

    func parameter(_ name: String, of headerName: String) -> String? {
        guard let value = header(headerName) else { return nil }
        for piece in value.split(separator: ";").dropFirst() {
            let pair = piece.trimmingCharacters(in: .whitespaces)
            guard let equals = pair.firstIndex(of: "=") else { continue }
            if pair[..<equals].lowercased() == name.lowercased() {
                var result = String(pair[pair.index(after: equals)...])
                if result.hasPrefix("\"") && result.hasSuffix("\"") { result = String(result.dropFirst().dropLast()) }
                return result
            }
        }
        return nil
    }

    /// Sub-entities of a multipart body, split on its boundary (on bytes: Swift treats CRLF
    /// as one Character, which would skew string offsets).
    func parts() throws -> [MIMEEntity] {
        guard let boundary = parameter("boundary", of: "Content-Type") else { throw ReadError.missingBoundary }
        var bytes = body
        while bytes.suffix(2) == [0x0D, 0x0A] { bytes.removeLast(2) }
        let opening = Array(("--" + boundary + "\r\n").utf8)
        let closing = Array(("\r\n--" + boundary + "--").utf8)
        let separator = Array(("\r\n--" + boundary + "\r\n").utf8)
        guard bytes.starts(with: opening), bytes.suffix(closing.count).elementsEqual(closing) else { throw ReadError.missingBoundary }
        let inner = Array(bytes[opening.count..<(bytes.count - closing.count)])
        var parts: [[UInt8]] = []
        var start = 0
        var index = 0
        while index + separator.count <= inner.count {
            if inner[index..<(index + separator.count)].elementsEqual(separator) {
                parts.append(Array(inner[start..<index]))
                index += separator.count
                start = index
            } else {
                index += 1
            }
        }
        parts.append(Array(inner[start...]))
        return try parts.map { try MIMEEntity($0) }
    }

    /// The body with its transfer encoding undone.
    func decodedBody() throws -> [UInt8] {
        switch (header("Content-Transfer-Encoding") ?? "7bit").lowercased() {
        case "base64":
            let text = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "")
            guard let data = Data(base64Encoded: text) else { throw ReadError.badBase64 }
            return Array(data)
        case "quoted-printable":
            return try Self.decodeQuotedPrintable(body)
        default:
            return body
        }
    }

    static func decodeQuotedPrintable(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                if index + 2 < bytes.count, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A {
                    index += 3
                    continue
                }
                guard index + 2 < bytes.count, let value = UInt8(String(decoding: bytes[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) else {
                    throw ReadError.badQuotedPrintable
                }
                output.append(value)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    /// Lines of the raw body (between CRLFs).
    var bodyLines: [String] { crlfLines(body) }
}

/// Lines of CRLF-terminated text, split on bytes.
func crlfLines(_ bytes: [UInt8]) -> [String] {
    var lines: [String] = []
    var start = 0
    var index = 0
    while index + 1 < bytes.count {
        if bytes[index] == 0x0D && bytes[index + 1] == 0x0A {
            lines.append(String(decoding: bytes[start..<index], as: UTF8.self))
            index += 2
            start = index
        } else {
            index += 1
        }
    }
    lines.append(String(decoding: bytes[start...], as: UTF8.self))
    return lines
}
