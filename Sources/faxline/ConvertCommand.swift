import ArgumentParser
import Documents
import Foundation

/// `faxline convert`: shows what a document becomes before it is ever sent.
struct ConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Turn documents into fax pages and write the fax, its PDF and previews.",
        discussion: """
        Writes DIR/fax.tif (the pages as they would be sent), DIR/fax.pdf, DIR/thumbnail.png and \
        DIR/page-N.png for every page, and prints the page count.
        """)

    @Argument(help: "Documents to convert, in order (PDF, PostScript, TIFF, PNG, JPEG, text, Office).")
    var files: [String]

    @Option(name: .customLong("out"), help: ArgumentHelp("Directory for the results.", valueName: "dir"))
    var outputDirectory: String

    @Option(help: "standard, fine or superfine.") var resolution: String = FaxResolution.fine.rawValue
    @Option(help: "a4 or letter.") var paper: String = PaperSize.a4.rawValue
    @Option(help: "Chop blank space at the bottom of pages: all, last or none.") var chop: String = PageChop.Mode.last.rawValue
    @Option(help: "Blank space (inches) at least this tall is chopped.") var chopThreshold: Double = 3
    @Option(help: "Seconds allowed per document.") var timeout: Int = 120
    @Option(help: "Largest number of pages accepted.") var maxPages: Int = 200
    @Option(help: "Station id for a header line on every page (no header when absent).") var header: String?
    @Flag(help: "Add a cover page.") var cover = false
    @Option(help: "Cover page: recipient.") var to: String = ""
    @Option(help: "Cover page: recipient's fax number.") var toFax: String = ""
    @Option(help: "Cover page: sender.") var from: String = ""
    @Option(help: "Cover page: sender's fax number.") var fromFax: String = ""
    @Option(help: "Cover page: subject.") var subject: String = ""
    @Option(help: "Cover page: comments.") var comments: String = ""
    @Option(help: "Cover page: a PostScript template instead of the built-in design.") var coverTemplate: String?

    func validate() throws {
        guard FaxResolution(rawValue: resolution) != nil else { throw ValidationError("--resolution must be standard, fine or superfine") }
        guard PaperSize(rawValue: paper) != nil else { throw ValidationError("--paper must be a4 or letter") }
        guard PageChop.Mode(rawValue: chop) != nil else { throw ValidationError("--chop must be all, last or none") }
        guard chopThreshold > 0 else { throw ValidationError("--chop-threshold must be positive") }
        guard (1...3600).contains(timeout) else { throw ValidationError("--timeout must be 1...3600 seconds") }
        guard (1...10_000).contains(maxPages) else { throw ValidationError("--max-pages must be 1...10000") }
        guard !files.isEmpty || cover else { throw ValidationError("give at least one document (or --cover)") }
    }

    func run() async throws {
        var options = ConversionOptions(
            format: FaxPageFormat(resolution: FaxResolution(rawValue: resolution) ?? .fine,
                                  paper: PaperSize(rawValue: paper) ?? .a4),
            pageChop: PageChop(mode: PageChop.Mode(rawValue: chop) ?? .last, thresholdInches: chopThreshold),
            timeLimit: .seconds(timeout),
            maximumPages: maxPages)
        if let header { options.header = PageHeader(stationID: header) }
        if cover {
            options.cover = CoverPage(to: to, toFax: toFax, from: from, fromFax: fromFax,
                                      subject: subject, comments: comments, templatePath: coverTemplate)
        }
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let directory = URL(fileURLWithPath: outputDirectory)
        let tiff = directory.appendingPathComponent("fax.tif").path
        let pdf = directory.appendingPathComponent("fax.pdf").path
        let thumbnail = directory.appendingPathComponent("thumbnail.png").path
        let result = try await DocumentConverter(options: options).convert(files, to: tiff)
        try FaxPDFWriter.write(tiff: tiff, to: pdf)
        let preview = FaxPreview()
        try await preview.thumbnail(ofPDF: pdf, to: thumbnail)
        for page in 1...result.pageCount {
            try await preview.fullPage(page, ofPDF: pdf, to: directory.appendingPathComponent("page-\(page).png").path)
        }
        let reader = try FaxTIFFReader(path: tiff)
        print("\(result.pageCount) page\(result.pageCount == 1 ? "" : "s")"
              + (result.hasCoverPage ? " (with cover page)" : ""))
        for page in reader.pages {
            print("  page \(page.index + 1): \(page.width)×\(page.height) at \(Int(page.xResolution))×\(Int(page.yResolution)) dpi")
        }
        print("wrote \(tiff), \(pdf), \(thumbnail) and page-1…\(result.pageCount).png")
    }
}
