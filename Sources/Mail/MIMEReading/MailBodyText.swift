/// Plain-text bodies: line endings, `format=flowed`, and whether a body says anything at all.
public enum MailBodyText {
    /// Whether `text` carries nothing worth a page: empty, only white space, or only a
    /// signature (everything after a `-- ` line, RFC 3676 4.3; `--` too, as some clients
    /// trim the space).
    public static func isBlankOrSignatureOnly(_ text: String) -> Bool {
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if line == "-- " || line == "--" { return true }
            if !line.allSatisfy(\.isWhitespace) { return false }
        }
        return true
    }

    /// LF line endings.
    static func normalizedLineEndings(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                result.unicodeScalars.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            result.unicodeScalars.append(scalar)
        }
        return result
    }

    /// RFC 3676 `format=flowed`: a line ending in a space continues on the next (the space
    /// removed too with `delsp=yes`); a leading space added for stuffing is removed. Quoted
    /// lines (`>`) are kept with their quote level.
    static func unflowed(_ text: String, deleteSpace: Bool) -> String {
        var output: [String] = []
        var paragraph: String?
        for rawLine in normalizedLineEndings(text).split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(rawLine)
            if line.first == " " { line = line.dropFirst() }
            let isSignatureSeparator = line == "-- "
            if line.hasSuffix(" ") && !isSignatureSeparator {
                let piece = deleteSpace ? line.dropLast() : line
                paragraph = (paragraph ?? "") + piece
            } else {
                output.append((paragraph ?? "") + line)
                paragraph = nil
            }
        }
        if let paragraph { output.append(paragraph) }
        return output.joined(separator: "\n")
    }
}
