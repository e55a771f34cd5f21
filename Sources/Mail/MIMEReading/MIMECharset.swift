/// Text in the charsets mail clients actually send: UTF-8, US-ASCII, ISO-8859-1 and
/// Windows-1252.
///
/// ISO-8859-1 is read as Windows-1252 (as browsers do): its C1 range is never meant as control
/// characters, and mislabelled Windows text is common. Text labelled US-ASCII or ISO-8859-1
/// that is valid UTF-8 is read as UTF-8, the usual mislabelling. Any other charset is read as
/// UTF-8 when the bytes are valid UTF-8 and refused otherwise (``decode(_:charset:)`` throws)
/// for bodies — a page of guessed characters is worse than a clear refusal. Header text
/// (subjects, names, file names) is never refused: it falls back to Windows-1252.
public enum MIMECharset {
    public enum Kind: Sendable, Hashable {
        case utf8
        case ascii
        case windows1252
        case unsupported(String)
    }

    public static func kind(of name: String) -> Kind {
        switch name.trimmingBlanks().lowercased() {
        case "utf-8", "utf8":
            return .utf8
        case "us-ascii", "ascii", "us_ascii", "ansi_x3.4-1968", "iso646-us", "":
            return .ascii
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819",
             "windows-1252", "cp1252", "x-cp1252", "cp-1252":
            return .windows1252
        case let other:
            return .unsupported(String(other.prefix(40)))
        }
    }

    public struct UnsupportedCharset: Error, Sendable, Hashable, CustomStringConvertible {
        public let name: String

        public init(name: String) {
            self.name = name
        }

        public var description: String {
            "text in charset \(name) cannot be read (supported: UTF-8, US-ASCII, ISO-8859-1, Windows-1252)"
        }
    }

    /// A body's text; throws for bytes in a charset this reader does not know.
    public static func decode(_ bytes: some Collection<UInt8>, charset: String?) throws(UnsupportedCharset) -> String {
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        switch kind(of: charset ?? "us-ascii") {
        case .utf8, .ascii, .windows1252:
            // Declared UTF-8 or ASCII but not valid as such: Windows text mislabelled.
            return windows1252(bytes)
        case .unsupported(let name):
            throw UnsupportedCharset(name: name)
        }
    }

    /// Header text: never refused.
    static func decodeLeniently(_ bytes: some Collection<UInt8>, charset: String?) -> String {
        (try? decode(bytes, charset: charset)) ?? windows1252(bytes)
    }

    static func windows1252(_ bytes: some Collection<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if (0x80...0x9F).contains(byte) {
                let value = windows1252High[Int(byte) - 0x80]
                scalars.append(value == 0 ? "\u{FFFD}" : Unicode.Scalar(value) ?? "\u{FFFD}")
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    /// 0x80–0x9F in Windows-1252; 0 where the code page leaves a hole.
    private static let windows1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]
}
