/// Helpers for putting untrusted wire text into error messages and logs.
enum WireText {
    /// A short, escaped rendering of `text`: control characters become visible escapes and long
    /// text is cut, so that a hostile line can neither forge log lines nor flood them.
    static func excerpt(_ text: String, limit: Int = 80) -> String {
        var shown = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                shown += "…"
                break
            }
            shown += scalar.escaped(asASCII: false)
            count += 1
        }
        return "\"" + shown + "\""
    }
}
