import Foundation

/// The line printed at the top of every sent page, as fax machines do:
/// who sent it, when, and which page of how many.
public struct PageHeader: Sendable, Equatable {
    /// Placeholders: {station} {date} {page} {pages}.
    public var format: String
    public var stationID: String
    public var date: Date
    public var fontSize: Double = 9

    public static let defaultFormat = "{date}   {station}   Page {page} of {pages}"

    public init(stationID: String, date: Date = Date(), format: String = PageHeader.defaultFormat) {
        self.stationID = stationID
        self.date = date
        self.format = format
    }

    public func text(page: Int, of pages: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return format
            .replacingOccurrences(of: "{station}", with: stationID)
            .replacingOccurrences(of: "{date}", with: formatter.string(from: date))
            .replacingOccurrences(of: "{page}", with: String(page))
            .replacingOccurrences(of: "{pages}", with: String(pages))
    }

    /// Height of the band at the top of the page that the header replaces, in points.
    var bandPoints: Double { fontSize + 7 }

    func bandRows(yDPI: Double) -> Int {
        Int((bandPoints / 72 * yDPI).rounded(.up))
    }

    /// One page per header line, each only as tall as the band.
    func program(pageCount: Int) -> String {
        var program = PostScriptProgram()
        program.defineFonts()
        program.line("/Mono findfont \(fontSize) scalefont setfont")
        for page in 1...pageCount {
            program.line("18 4 moveto \(PostScriptProgram.hexString(text(page: page, of: pageCount))) show showpage")
        }
        return program.source
    }
}
