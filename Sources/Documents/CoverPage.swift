import Foundation

/// A cover page: off by default, added per job. The built-in design is plain and clean; a site
/// may supply its own PostScript template, which finds the fields defined as strings
/// (`faxTo faxToNumber faxFrom faxFromNumber faxSubject faxPages faxDate`, and `faxComments`,
/// an array of lines) and draws them as it likes. The template is the administrator's code and
/// still runs under -dSAFER; the field values are the sender's text and only ever data.
public struct CoverPage: Sendable, Equatable {
    public var to: String
    public var toFax: String
    public var from: String
    public var fromFax: String
    public var subject: String
    public var comments: String
    public var date: Date
    /// A PostScript template file; nil = the built-in design.
    public var templatePath: String?

    public init(to: String = "", toFax: String = "", from: String = "", fromFax: String = "",
                subject: String = "", comments: String = "", date: Date = Date(), templatePath: String? = nil) {
        self.to = to
        self.toFax = toFax
        self.from = from
        self.fromFax = fromFax
        self.subject = subject
        self.comments = comments
        self.date = date
        self.templatePath = templatePath
    }

    /// Fields longer than this are cut: a cover page is one page.
    static let fieldLimit = 200
    static let commentLineLimit = 40

    func program(totalPages: Int, format: FaxPageFormat) throws(DocumentError) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        var layout = TextLayout()
        layout.margin = 72
        let commentLines = comments.isEmpty ? [] :
            Array(layout.pages(of: comments, format: format).joined().prefix(Self.commentLineLimit))

        var program = PostScriptProgram()
        program.defineFonts()
        let fields: [(String, String)] = [
            ("faxTo", to), ("faxToNumber", toFax), ("faxFrom", from), ("faxFromNumber", fromFax),
            ("faxSubject", subject), ("faxPages", String(totalPages)), ("faxDate", formatter.string(from: date)),
        ]
        for (name, value) in fields {
            program.line("/\(name) \(PostScriptProgram.hexString(String(value.prefix(Self.fieldLimit)))) def")
        }
        program.line("/faxComments [" + commentLines.map(PostScriptProgram.hexString).joined(separator: " ") + "] def")
        program.line("/faxPageWidth \(Double(format.width) / format.xDPI * 72) def")
        program.line("/faxPageHeight \(Double(format.height) / format.yDPI * 72) def")
        if let templatePath {
            guard let template = try? String(contentsOfFile: templatePath, encoding: .utf8) else {
                throw .unreadable(path: templatePath, reason: "the cover page template cannot be read")
            }
            program.line(template)
        } else {
            program.line(Self.builtInTemplate)
        }
        return program.source
    }

    static let builtInTemplate = """
    /top faxPageHeight 72 sub def
    /SansBold findfont 36 scalefont setfont 72 top 30 sub moveto (FAX) show
    72 top 44 sub moveto faxPageWidth 72 sub top 44 sub lineto 2 setlinewidth stroke
    /row top 80 sub def
    /field { % label value
      /SansBold findfont 12 scalefont setfont 72 row moveto exch show
      /Sans findfont 12 scalefont setfont 180 row moveto show
      /row row 22 sub def } def
    (To:) faxTo field
    (Fax:) faxToNumber field
    (From:) faxFrom field
    (Fax:) faxFromNumber field
    (Subject:) faxSubject field
    (Date:) faxDate field
    (Pages:) faxPages field
    72 row 4 add moveto faxPageWidth 72 sub row 4 add lineto 1 setlinewidth stroke
    /row row 24 sub def
    /Mono findfont 10 scalefont setfont
    faxComments { 72 row moveto show /row row 12 sub def } forall
    showpage
    """
}
