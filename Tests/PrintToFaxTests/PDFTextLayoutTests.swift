import Documents
import Testing

/// Reading pdftotext's word boxes: pages, words, entities, and what is refused.
@Suite struct PDFTextLayoutTests {
    static let sample = """
        <!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">
        <head><title>&lt;word xMin="1"&gt;</title>
        <meta name="Producer" content="x &gt; y"/></head>
        <body><doc>
          <page width="595.000000" height="842.000000">
            <word xMin="72.000000" yMin="74.768000" xMax="124.008000" yMax="96.968000">Dear</word>
            <word xMin="125.364000" yMin="133.384000" xMax="254.472000" yMax="144.484000">@@+FAX:5550101@@&amp;&lt;&#233;&#x41;</word>
          </page>
          <page width="612" height="792">
          </page>
        </doc></body></html>
        """

    @Test func pagesAndWords() throws {
        let layout = try PDFTextLayout.parse(Array(Self.sample.utf8), reportingAs: "doc")
        #expect(layout.pages.count == 2)
        #expect(layout.pages[0].width == 595 && layout.pages[0].height == 842)
        #expect(layout.pages[0].words.map(\.text) == ["Dear", "@@+FAX:5550101@@&<éA"])
        #expect(layout.pages[0].words[1].box == PDFTextLayout.Box(xMin: 125.364, yMin: 133.384, xMax: 254.472, yMax: 144.484))
        #expect(layout.pages[1].words.isEmpty && layout.pages[1].height == 792)
    }

    @Test("damaged answers are errors", arguments: [
        #"<word xMin="1" yMin="1" xMax="2" yMax="2">x</word>"#,
        #"<page width="595" height="842"><word xMin="1" yMin="1" xMax="2">x</word>"#,
        #"<page width="nan" height="842">"#,
        #"<page width="595" height="842"><word xMin="1" yMin="1" xMax="2" yMax="2">never closed"#,
    ])
    func damaged(text: String) {
        #expect(throws: DocumentError.self) { try PDFTextLayout.parse(Array(text.utf8), reportingAs: "doc") }
    }

    @Test func aWordOverTheLimitIsRefused() {
        let word = String(repeating: "w", count: PDFTextLayout.maximumWordBytes + 1)
        let text = #"<page width="595" height="842"><word xMin="1" yMin="1" xMax="2" yMax="2">"# + word + "</word></page>"
        #expect(throws: DocumentError.self) { try PDFTextLayout.parse(Array(text.utf8), reportingAs: "doc") }
    }
}
