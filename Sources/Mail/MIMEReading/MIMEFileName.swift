/// File names from mail, made safe to show and to hand on as a name — never as a path.
///
/// Attachments are stored under names the server makes; this is only the name the sender
/// gave, cleaned: no folders (`../../etc/passwd` → `passwd`), no control or bidirectional
/// override characters (`invoice\u{202E}fdp.exe`), no characters file systems reserve, no
/// leading dots, and a bounded length that keeps the extension.
public enum MIMEFileName {
    public static let maximumLength = 150

    /// The cleaned name, or nil when nothing usable is left.
    public static func sanitized(_ name: String) -> String? {
        let lastComponent = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = ""
        var lastWasSpace = false
        for scalar in lastComponent.unicodeScalars {
            let value = scalar.value
            let isInvisible = value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value)
                || (0x200B...0x200F).contains(value) || (0x202A...0x202E).contains(value)
                || (0x2066...0x2069).contains(value) || value == 0x2028 || value == 0x2029 || value == 0xFEFF
            if isInvisible { continue }
            if scalar == " " || scalar == "\t" || value == 0xA0 {
                if !lastWasSpace { cleaned.unicodeScalars.append(" ") }
                lastWasSpace = true
                continue
            }
            lastWasSpace = false
            cleaned.unicodeScalars.append(":*?\"<>|".unicodeScalars.contains(scalar) ? "_" : scalar)
        }
        var trimmed = Substring(cleaned)
        while let first = trimmed.first, first == "." || first == " " { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, last == "." || last == " " { trimmed = trimmed.dropLast() }
        guard !trimmed.isEmpty else { return nil }
        return shortened(String(trimmed))
    }

    /// At most ``maximumLength`` UTF-8 bytes, the extension kept when it is short.
    private static func shortened(_ name: String) -> String {
        guard name.utf8.count > maximumLength else { return name }
        var stem = Substring(name)
        var suffix = ""
        if let dot = name.lastIndex(of: "."), name.distance(from: dot, to: name.endIndex) <= 16 {
            stem = name[..<dot]
            suffix = String(name[dot...])
        }
        var result = ""
        for character in stem {
            guard result.utf8.count + character.utf8.count + suffix.utf8.count <= maximumLength else { break }
            result.append(character)
        }
        return result + suffix
    }

    /// A name for a part that has none: `attachment-3.pdf`.
    public static func fallback(partNumber: Int, mediaType: String) -> String {
        let extensions = [
            "application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/tiff": "tif",
            "text/plain": "txt", "text/html": "html", "message/rfc822": "eml", "application/postscript": "ps",
        ]
        let stem = mediaType == "message/rfc822" ? "message" : "attachment"
        return "\(stem)-\(partNumber)" + (extensions[mediaType].map { ".\($0)" } ?? "")
    }
}
