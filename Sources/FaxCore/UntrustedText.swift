/// Text a caller or a far end controls — caller id and name, DID, the called extension, the far
/// end's station id, AGI environment values — made safe to store, log and print: control
/// characters (C0, DEL, C1) and the invisible bidirectional marks and overrides are removed, so
/// such text can neither drive a terminal (`\e[2J`, `\e]0;…\a`) nor reorder what is shown around
/// it. Applied where the text enters (the AGI script, the engine's results) and again where it
/// is printed to a terminal.
public enum UntrustedText {
    /// `text` without the characters above; everything printable is kept as it was.
    public static func cleaned(_ text: some StringProtocol) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return String(text) }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.filter { !isUnsafe($0) })
        return String(scalars)
    }

    /// C0 controls, DEL, C1 controls, and the bidirectional formatting characters (LRM, RLM,
    /// ALM, the embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069).
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
