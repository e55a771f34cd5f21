import Foundation

/// Builds the small PostScript programs this module gives Ghostscript (text pages, cover page,
/// header lines). Text from users only ever appears as hex strings (`<48656C6C6F>`): a hex
/// string has no escapes and no way to end early, so nothing in it can run as PostScript.
struct PostScriptProgram {
    private(set) var source = "%!PS-Adobe-3.0\n"

    mutating func line(_ text: String) {
        source += text + "\n"
    }

    /// The text as a hex string of ISO Latin-1 bytes; characters outside Latin-1 become "?".
    static func hexString(_ text: String) -> String {
        var hex = "<"
        for scalar in text.unicodeScalars {
            for byte in latin1(scalar) {
                hex += String(format: "%02X", byte)
            }
        }
        return hex + ">"
    }

    /// Latin-1 bytes for a character, with the usual typographic characters spelled in ASCII.
    static func latin1(_ scalar: Unicode.Scalar) -> [UInt8] {
        switch scalar.value {
        case 0x20..<0x7F, 0xA0...0xFF: return [UInt8(scalar.value)]
        case 0x09: return [0x20]
        case 0x2010...0x2015, 0x2212: return Array("-".utf8)
        case 0x2018, 0x2019, 0x201A: return Array("'".utf8)
        case 0x201C, 0x201D, 0x201E: return Array("\"".utf8)
        case 0x2026: return Array("...".utf8)
        case 0x20AC: return Array("EUR".utf8)
        default: return Array("?".utf8)
        }
    }

    /// Defines `/Mono` (Courier) and `/Sans` (Helvetica) with Latin-1 encoding, so accented
    /// characters print as themselves (with "-" as a hyphen: ISOLatin1Encoding makes it a minus).
    mutating func defineFonts() {
        line("""
        /reencode { findfont dup length dict begin { 1 index /FID ne { def } { pop pop } ifelse } forall \
        /Encoding ISOLatin1Encoding 256 array copy dup 45 /hyphen put def currentdict end definefont pop } bind def
        /Mono /Courier reencode
        /Sans /Helvetica reencode
        /SansBold /Helvetica-Bold reencode
        """)
    }
}
