import Documents
import FaxCore

/// Finds the control fields on a printed document's pages and the word boxes that show them.
///
/// Each page's words are joined by single spaces, in pdftotext's reading order, and scanned
/// (`ControlFieldScanner`); a field may run over several words (`@@+FAX:555 0100@@`) but not
/// over two pages. Every word that holds part of a field is blanked whole.
public struct ControlFieldLocator: Sendable, Equatable {
    /// The fields in the document's order.
    public var fields: [ControlFieldScanner.Field]
    /// Per page (0-based), the boxes to blank.
    public var boxes: [[PDFTextLayout.Box]]
    public var pageHeights: [Double]

    public init(layout: PDFTextLayout) throws(ControlFieldScanner.ScanError) {
        fields = []
        boxes = []
        pageHeights = layout.pages.map(\.height)
        for page in layout.pages {
            var text: [UInt8] = []
            var starts: [Int] = []
            for word in page.words {
                if !text.isEmpty { text.append(UInt8(ascii: " ")) }
                starts.append(text.count)
                text.append(contentsOf: word.text.utf8)
            }
            var scanner = ControlFieldScanner()
            try scanner.feed(text)
            guard fields.count + scanner.fields.count <= ControlFieldScanner.maximumFields else {
                throw .tooManyFields(limit: ControlFieldScanner.maximumFields)
            }
            var pageBoxes: [PDFTextLayout.Box] = []
            for (index, word) in page.words.enumerated() {
                let range = starts[index]..<(starts[index] + word.text.utf8.count)
                if scanner.fields.contains(where: { $0.range.overlaps(range) }) { pageBoxes.append(word.box) }
            }
            fields += scanner.fields
            boxes.append(pageBoxes)
        }
    }
}
