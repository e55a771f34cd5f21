import Foundation

/// The words of a PDF and where each stands on its page, as poppler's `pdftotext -bbox -cropbox`
/// reports them: points from the top left corner of the page's crop box (what a viewer shows,
/// and what `PDFRewriter` paints on with Ghostscript's `-dUseCropBox`), its rotation applied.
public struct PDFTextLayout: Sendable, Equatable {
    public struct Box: Sendable, Equatable {
        public var xMin: Double, yMin: Double, xMax: Double, yMax: Double

        public init(xMin: Double, yMin: Double, xMax: Double, yMax: Double) {
            self.xMin = xMin
            self.yMin = yMin
            self.xMax = xMax
            self.yMax = yMax
        }
    }

    public struct Word: Sendable, Equatable {
        public var text: String
        public var box: Box

        public init(text: String, box: Box) {
            self.text = text
            self.box = box
        }
    }

    public struct Page: Sendable, Equatable {
        public var width: Double
        public var height: Double
        public var words: [Word]

        public init(width: Double, height: Double, words: [Word] = []) {
            self.width = width
            self.height = height
            self.words = words
        }
    }

    public var pages: [Page]

    public init(pages: [Page]) {
        self.pages = pages
    }

    public static let maximumOutputBytes = 64 << 20
    public static let maximumWords = 500_000
    public static let maximumWordBytes = 4096

    /// Runs `pdftotext -bbox` on `pdf` (in a sandbox, with the converter's time and memory
    /// limits) and reads its answer. `path` names the user's document in errors.
    public static func extract(from pdf: String, options: ConversionOptions = ConversionOptions(),
                               reportingAs path: String) async throws(DocumentError) -> PDFTextLayout {
        let sandbox = try ToolSandbox()
        defer { sandbox.remove() }
        let document = try sandbox.link("document.pdf", to: pdf)
        let output = sandbox.file("layout.html")
        let runner = ToolRunner(timeLimit: options.timeLimit, memoryLimit: options.memoryLimit)
        let outcome: ToolRunner.Outcome
        do {
            outcome = try await runner.run(
                "pdftotext", ["-q", "-bbox", "-cropbox", "-enc", "UTF-8", "-l", "\(options.maximumPages)", document, output],
                sandbox: sandbox)
        } catch {
            switch error {
            case .missing: throw .toolMissing(path: path, tool: "pdftotext", advice: "install it with `apt-get install poppler-utils`")
            case .timedOut: throw .timedOut(path: path, seconds: Int(options.timeLimit.components.seconds))
            case .cannotStart(let reason): throw .toolFailed(path: path, tool: "pdftotext", reason: reason)
            }
        }
        guard outcome.status == 0, let handle = FileHandle(forReadingAtPath: output) else {
            if outcome.status == 1 || outcome.output.lowercased().contains("password") { throw .encrypted(path: path) }
            throw .damaged(path: path, reason: "pdftotext cannot read it (exit status \(outcome.status))")
        }
        defer { try? handle.close() }
        let bytes = [UInt8]((try? handle.read(upToCount: maximumOutputBytes + 1)) ?? Data())
        guard bytes.count <= maximumOutputBytes else {
            throw .tooLarge(path: path, reason: "its text is longer than \(maximumOutputBytes >> 20) MB")
        }
        return try parse(bytes, reportingAs: path)
    }

    /// Reads pdftotext's XHTML: `<page width= height=>` elements holding `<word xMin= yMin=
    /// xMax= yMax=>text</word>`. Everything else (the title, the document's meta data) is
    /// skipped. Limits: words in all, bytes per word.
    public static func parse(_ bytes: [UInt8], reportingAs path: String) throws(DocumentError) -> PDFTextLayout {
        var reader = TagReader(bytes: bytes)
        var pages: [Page] = []
        var wordCount = 0
        func damaged(_ reason: String) -> DocumentError {
            .damaged(path: path, reason: "pdftotext's word list: \(reason)")
        }
        while let tag = reader.nextTag() {
            switch tag.name {
            case "page":
                guard let width = tag.number("width"), let height = tag.number("height"), width > 0, height > 0 else {
                    throw damaged("a page without its size")
                }
                pages.append(Page(width: width, height: height))
            case "word":
                guard !pages.isEmpty else { throw damaged("a word outside a page") }
                guard let xMin = tag.number("xMin"), let yMin = tag.number("yMin"), let xMax = tag.number("xMax"),
                      let yMax = tag.number("yMax")
                else { throw damaged("a word without its box") }
                guard let text = reader.text(until: "</word>", limit: maximumWordBytes) else {
                    throw damaged("a word longer than \(maximumWordBytes) bytes, or not closed")
                }
                wordCount += 1
                guard wordCount <= maximumWords else {
                    throw .tooLarge(path: path, reason: "more than \(maximumWords) words")
                }
                pages[pages.count - 1].words.append(
                    Word(text: Self.unescaped(text), box: Box(xMin: xMin, yMin: yMin, xMax: xMax, yMax: yMax)))
            default:
                continue
            }
        }
        return PDFTextLayout(pages: pages)
    }

    /// XML's five entities and numeric references, as pdftotext writes them.
    static func unescaped(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let after = rest[ampersand...]
            guard let semicolon = after.prefix(12).firstIndex(of: ";") else {
                result += "&"
                rest = after.dropFirst()
                continue
            }
            let entity = after[after.index(after: ampersand)..<semicolon]
            let named: [Substring: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
            if let replacement = named[entity] {
                result += replacement
            } else if entity.hasPrefix("#x"), let value = UInt32(entity.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(value) {
                result.unicodeScalars.append(scalar)
            } else if entity.hasPrefix("#"), let value = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(value) {
                result.unicodeScalars.append(scalar)
            } else {
                result += after[...semicolon]
            }
            rest = after[after.index(after: semicolon)...]
        }
        return result + rest
    }
}

/// Start tags of an XML text and the text after one: just enough XML for pdftotext's answer.
private struct TagReader {
    struct Tag {
        var name: Substring
        var attributes: [Substring: Substring]

        func number(_ name: Substring) -> Double? {
            attributes[name].flatMap { Double($0) }.flatMap { $0.isFinite ? $0 : nil }
        }
    }

    let text: Substring
    var position: Substring.Index

    init(bytes: [UInt8]) {
        text = Substring(String(decoding: bytes, as: UTF8.self))
        position = text.startIndex
    }

    /// The next start tag; end tags, comments and declarations are passed over.
    mutating func nextTag() -> Tag? {
        while let open = text[position...].firstIndex(of: "<") {
            guard let close = text[open...].firstIndex(of: ">") else { return nil }
            let inside = text[text.index(after: open)..<close]
            position = text.index(after: close)
            guard let first = inside.first, first.isLetter else { continue }
            let nameEnd = inside.firstIndex { $0 == " " || $0 == "/" || $0 == "\n" || $0 == "\t" } ?? inside.endIndex
            return Tag(name: inside[..<nameEnd], attributes: Self.attributes(inside[nameEnd...]))
        }
        return nil
    }

    /// The text up to `end`, which is then passed over; nil when `end` does not come within
    /// `limit` bytes.
    mutating func text(until end: String, limit: Int) -> String? {
        let window = text[position...].utf8.prefix(limit + end.utf8.count)
        guard let range = Substring(window).firstRange(of: end) else { return nil }
        let found = String(text[position..<range.lowerBound])
        position = range.upperBound
        return found
    }

    private static func attributes(_ text: Substring) -> [Substring: Substring] {
        var attributes: [Substring: Substring] = [:]
        var rest = text
        while let equals = rest.firstIndex(of: "=") {
            let name = rest[..<equals].trimmingCharacters(in: .whitespacesAndNewlines)
            let afterEquals = rest[rest.index(after: equals)...]
            guard let quote = afterEquals.first, quote == "\"" || quote == "'" else { break }
            let valueStart = afterEquals.index(after: afterEquals.startIndex)
            guard let valueEnd = afterEquals[valueStart...].firstIndex(of: quote) else { break }
            attributes[Substring(name)] = afterEquals[valueStart..<valueEnd]
            rest = afterEquals[afterEquals.index(after: valueEnd)...]
        }
        return attributes
    }
}
