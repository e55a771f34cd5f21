import Foundation

/// Plain text as fax pages: monospace, margins, long lines wrapped, form feeds honoured.
public struct TextLayout: Sendable, Equatable {
    public var fontSize: Double = 10
    public var lineHeight: Double = 12
    /// Margins in points on every side.
    public var margin: Double = 54
    public var tabWidth = 8

    public init() {}

    /// Characters per line and lines per page for a fax page of this format.
    func grid(for format: FaxPageFormat) -> (columns: Int, rows: Int) {
        let pageWidth = Double(format.width) / format.xDPI * 72
        let pageHeight = Double(format.height) / format.yDPI * 72
        // Courier's advance is 0.6 em.
        let columns = Int((pageWidth - 2 * margin) / (fontSize * 0.6))
        let rows = Int((pageHeight - 2 * margin) / lineHeight)
        return (max(columns, 10), max(rows, 5))
    }

    /// Splits the text into pages of wrapped lines.
    public func pages(of text: String, format: FaxPageFormat) -> [[String]] {
        let (columns, rows) = grid(for: format)
        var pages: [[String]] = []
        var page: [String] = []
        func newPage() {
            pages.append(page)
            page = []
        }
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        for rawLine in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let segments = rawLine.split(separator: "\u{0C}", omittingEmptySubsequences: false)
            for (index, segment) in segments.enumerated() {
                if index > 0 { newPage() }
                for wrapped in wrap(expandTabs(String(segment)), columns: columns) {
                    if page.count == rows { newPage() }
                    page.append(wrapped)
                }
            }
        }
        if !page.isEmpty || pages.isEmpty { pages.append(page) }
        // Trailing empty lines at the end of the file make no page of their own.
        while pages.count > 1, pages.last?.allSatisfy({ $0.isEmpty }) == true { pages.removeLast() }
        return pages
    }

    func expandTabs(_ line: String) -> String {
        guard line.contains("\t") else { return line }
        var result = ""
        var column = 0
        for character in line {
            if character == "\t" {
                let spaces = tabWidth - column % tabWidth
                result += String(repeating: " ", count: spaces)
                column += spaces
            } else {
                result.append(character)
                column += 1
            }
        }
        return result
    }

    /// Breaks a line at the last space that fits, or hard at the column limit for a long word.
    func wrap(_ line: String, columns: Int) -> [String] {
        var remaining = Array(line)
        guard remaining.count > columns else { return [line] }
        var lines: [String] = []
        while remaining.count > columns {
            var cut = columns
            if let space = remaining[0..<columns].lastIndex(of: " "), space > columns / 2 {
                cut = space + 1
            }
            lines.append(String(remaining[0..<cut]).trimmingTrailingSpaces())
            remaining.removeFirst(cut)
        }
        lines.append(String(remaining))
        return lines
    }

    /// A PostScript program drawing the pages, for Ghostscript at the fax page geometry.
    func program(pages: [[String]], format: FaxPageFormat) -> String {
        let pageHeight = Double(format.height) / format.yDPI * 72
        var program = PostScriptProgram()
        program.defineFonts()
        program.line("/Mono findfont \(fontSize) scalefont setfont")
        for page in pages {
            var y = pageHeight - margin - fontSize
            for line in page {
                if !line.isEmpty {
                    program.line("\(margin) \(String(format: "%.2f", y)) moveto \(PostScriptProgram.hexString(line)) show")
                }
                y -= lineHeight
            }
            program.line("showpage")
        }
        return program.source
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
