/// The text of an HTML mail body, for a fax page: tags dropped, scripts, styles and the head
/// left out, entities decoded, white space collapsed as a browser would, and line breaks kept
/// where block elements and `<br>` put them. Pure, total and linear in the input.
public enum HTMLText {
    public static func plainText(from html: String) -> String {
        var reader = Reader(Array(html.unicodeScalars))
        var text = TextBuilder()
        while let scalar = reader.next() {
            switch scalar {
            case "<":
                readMarkup(&reader, into: &text)
            case "&":
                if let decoded = entity(&reader) {
                    text.append(decoded)
                } else {
                    text.append("&")
                }
            default:
                text.append(scalar)
            }
        }
        return text.result()
    }

    private static let skippedElements: Set<String> = ["script", "style", "head", "title", "template", "svg", "object"]
    private static let paragraphElements: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr", "dl"]
    private static let lineElements: Set<String> = [
        "div", "tr", "li", "dd", "dt", "section", "article", "header", "footer", "address", "form", "fieldset", "nav",
        "aside", "main", "figure", "figcaption", "center", "caption", "tbody", "thead", "tfoot",
    ]

    private static func readMarkup(_ reader: inout Reader, into text: inout TextBuilder) {
        if reader.consume("!--") {
            reader.skip(past: "-->")
            return
        }
        guard let first = reader.peek() else {
            text.append("<")
            return
        }
        if first == "!" || first == "?" {
            reader.skip(past: ">")
            return
        }
        let isClosing = first == "/"
        if isClosing { _ = reader.next() }
        var name = ""
        while let scalar = reader.peek(), scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
            name.unicodeScalars.append(scalar)
            _ = reader.next()
        }
        guard !name.isEmpty else {
            // `a < b` is text, not a tag.
            text.append("<")
            if isClosing { text.append("/") }
            return
        }
        name = name.lowercased()
        reader.skipTagRest()
        if !isClosing && skippedElements.contains(name) {
            reader.skip(pastClosingTag: name)
            return
        }
        switch name {
        case "br":
            text.lineBreak()
        case "pre":
            text.paragraph()
            text.isPreformatted = !isClosing
        case "li" where !isClosing:
            text.blockBoundary()
            text.append("• ")
        case "td", "th":
            text.space()
        default:
            if paragraphElements.contains(name) {
                text.paragraph()
            } else if lineElements.contains(name) {
                text.blockBoundary()
            }
        }
    }

    /// After `&`: a named or numeric reference ending in `;`, or nil (the `&` is text).
    private static func entity(_ reader: inout Reader) -> Unicode.Scalar? {
        let start = reader.position
        var name = ""
        while let scalar = reader.next() {
            if scalar == ";" {
                if let value = value(ofEntity: name) { return value }
                break
            }
            guard name.unicodeScalars.count < 32, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "#" else { break }
            name.unicodeScalars.append(scalar)
        }
        reader.position = start
        return nil
    }

    private static func value(ofEntity name: String) -> Unicode.Scalar? {
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let number: UInt32? = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            guard let number else { return nil }
            if number == 0x09 || number == 0x0A { return Unicode.Scalar(number) }
            guard number >= 0x20, !(0x7F...0x9F).contains(number), let scalar = Unicode.Scalar(number) else { return "\u{FFFD}" }
            return scalar
        }
        return namedEntities[name]
    }

    private static let namedEntities: [String: Unicode.Scalar] = {
        var table: [String: Unicode.Scalar] = [:]
        let latin1 = """
            nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute \
            micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig \
            Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash \
            Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc \
            euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml \
            yacute thorn yuml
            """
        for (offset, name) in latin1.split(separator: " ").enumerated() {
            table[String(name)] = Unicode.Scalar(UInt32(0xA0 + offset))
        }
        let others: [(String, UInt32)] = [
            ("quot", 0x22), ("amp", 0x26), ("apos", 0x27), ("lt", 0x3C), ("gt", 0x3E), ("OElig", 0x152), ("oelig", 0x153),
            ("Scaron", 0x160), ("scaron", 0x161), ("Yuml", 0x178), ("fnof", 0x192), ("circ", 0x2C6), ("tilde", 0x2DC),
            ("ensp", 0x2002), ("emsp", 0x2003), ("thinsp", 0x2009), ("zwnj", 0x200C), ("zwj", 0x200D), ("lrm", 0x200E),
            ("rlm", 0x200F), ("ndash", 0x2013), ("mdash", 0x2014), ("lsquo", 0x2018), ("rsquo", 0x2019), ("sbquo", 0x201A),
            ("ldquo", 0x201C), ("rdquo", 0x201D), ("bdquo", 0x201E), ("dagger", 0x2020), ("Dagger", 0x2021), ("bull", 0x2022),
            ("hellip", 0x2026), ("permil", 0x2030), ("prime", 0x2032), ("Prime", 0x2033), ("lsaquo", 0x2039),
            ("rsaquo", 0x203A), ("euro", 0x20AC), ("trade", 0x2122), ("larr", 0x2190), ("rarr", 0x2192), ("uarr", 0x2191),
            ("darr", 0x2193), ("minus", 0x2212),
        ]
        for (name, value) in others {
            table[name] = Unicode.Scalar(value)
        }
        return table
    }()

    /// The count of Latin-1 entity names, for a test that the table lines up with U+00A0–U+00FF.
    static var latin1EntityCount: Int { namedEntities.values.filter { (0xA0...0xFF).contains($0.value) }.count }

    private struct Reader {
        let scalars: [Unicode.Scalar]
        var position = 0

        init(_ scalars: [Unicode.Scalar]) {
            self.scalars = scalars
        }

        mutating func next() -> Unicode.Scalar? {
            guard position < scalars.count else { return nil }
            defer { position += 1 }
            return scalars[position]
        }

        func peek() -> Unicode.Scalar? {
            position < scalars.count ? scalars[position] : nil
        }

        /// Consumes `text` (case-insensitive) if it comes next.
        mutating func consume(_ text: String) -> Bool {
            let wanted = Array(text.lowercased().unicodeScalars)
            guard position + wanted.count <= scalars.count else { return false }
            for (offset, scalar) in wanted.enumerated() where lowercased(scalars[position + offset]) != scalar {
                return false
            }
            position += wanted.count
            return true
        }

        mutating func skip(past text: String) {
            while position < scalars.count {
                if consume(text) { return }
                position += 1
            }
        }

        /// Past the `>` of the current tag, quoted attribute values included.
        mutating func skipTagRest() {
            var quote: Unicode.Scalar?
            while let scalar = next() {
                if let open = quote {
                    if scalar == open { quote = nil }
                } else if scalar == "\"" || scalar == "'" {
                    quote = scalar
                } else if scalar == ">" {
                    return
                }
            }
        }

        /// Past `</name …>`, for elements whose content is not text.
        mutating func skip(pastClosingTag name: String) {
            while position < scalars.count {
                if consume("</" + name) {
                    let following = peek()
                    if following == nil || following == ">" || following.map({ $0.properties.isWhitespace }) == true || following == "/" {
                        skipTagRest()
                        return
                    }
                } else {
                    position += 1
                }
            }
        }

        private func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
            ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 0x20)! : scalar
        }
    }

    /// Collects text the way a browser lays it out, in lines. Breaks are owed until text
    /// follows, so breaks at the start and end vanish and block boundaries do not stack.
    private struct TextBuilder {
        var lines: [String] = []
        var current = ""
        var hasText = false
        /// `<br>`s (and newlines in `<pre>`) since the last text: each one counts.
        var hardBreaks = 0
        /// 1 after a block element, 2 (a blank line) after a paragraph-like one.
        var softBreaks = 0
        var pendingSpace = false
        var isPreformatted = false

        mutating func append(_ scalar: Unicode.Scalar) {
            if isPreformatted {
                if scalar == "\n" {
                    lineBreak()
                } else if scalar != "\r" {
                    emit(scalar)
                }
                return
            }
            if scalar.properties.isWhitespace && scalar != "\u{A0}" {
                if hasText { pendingSpace = true }
                return
            }
            emit(scalar == "\u{A0}" ? " " : scalar)
        }

        mutating func append(_ text: String) {
            for scalar in text.unicodeScalars { append(scalar) }
        }

        private mutating func emit(_ scalar: Unicode.Scalar) {
            if hasText {
                // At most two blank lines in a row, however many <br>s.
                let newlines = min(3, max(hardBreaks, softBreaks))
                if newlines > 0 {
                    lines.append(Self.trimmed(current))
                    lines.append(contentsOf: repeatElement("", count: newlines - 1))
                    current = ""
                } else if pendingSpace {
                    current.unicodeScalars.append(" ")
                }
            }
            hardBreaks = 0
            softBreaks = 0
            pendingSpace = false
            hasText = true
            current.unicodeScalars.append(scalar)
        }

        mutating func lineBreak() {
            if hasText { hardBreaks += 1 }
        }

        mutating func blockBoundary() {
            if hasText { softBreaks = max(softBreaks, 1) }
        }

        mutating func paragraph() {
            if hasText { softBreaks = 2 }
        }

        mutating func space() {
            if hasText { pendingSpace = true }
        }

        func result() -> String {
            var all = lines + [Self.trimmed(current)]
            while all.last?.isEmpty == true { all.removeLast() }
            return all.joined(separator: "\n")
        }

        private static func trimmed(_ line: String) -> String {
            var line = line
            while line.last == " " || line.last == "\t" { line.removeLast() }
            return line
        }
    }
}
