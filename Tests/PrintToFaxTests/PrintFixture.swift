import Documents
import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Logging
import Mail
import Store
import StoreTestSupport

/// A data folder with a user who owns a device, a faxline.conf whose mail goes to a loopback
/// SMTP server, documents made with Ghostscript, and `faxline-cups` run as CUPS runs it.
struct PrintFixture {
    let folder: TemporaryFolder
    let database: FaxDatabase
    let smtp: TestSMTPServer

    static func make(extraConfiguration: String = "") async throws -> PrintFixture {
        let folder = try TemporaryFolder()
        let database = try folder.openDatabase()
        _ = try await database.addDevice(Sample.device("201"))
        _ = try await database.addUser(
            User(name: "alice", email: "alice@example.com", deviceExtensions: ["201"], createdAt: Sample.start), passwordHash: nil)
        let smtp = TestSMTPServer()
        let port = try await smtp.start()
        let configuration = """
            [mail]
            smtp_host = 127.0.0.1
            smtp_port = \(port)
            tls = none
            from = faxline@example.com

            [spool]
            min_free_mb = 0
            \(extraConfiguration)
            """
        try Data(configuration.utf8).write(to: URL(fileURLWithPath: folder.path + "/faxline.conf"))
        return PrintFixture(folder: folder, database: database, smtp: smtp)
    }

    /// A PDF of A4 pages made by Ghostscript from `pages`: each page's lines of 20-point
    /// Helvetica at (72, y) in PostScript points from the bottom.
    func pdf(_ name: String, pages: [[(y: Int, text: String)]]) throws -> String {
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: ")", with: "\\)")
        }
        let program = "%!PS\n/Helvetica findfont 20 scalefont setfont\n" + pages.map { lines in
            lines.map { "72 \($0.y) moveto (\(escaped($0.text))) show" }.joined(separator: "\n") + "\nshowpage"
        }.joined(separator: "\n")
        let source = folder.path + "/\(name).ps", output = folder.path + "/\(name).pdf"
        try Data(program.utf8).write(to: URL(fileURLWithPath: source))
        try TestDocuments.run("/usr/bin/gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-sPAPERSIZE=a4",
                                     "-sOutputFile=\(output)", source])
        return output
    }

    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static var program: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("faxline-cups")
    }

    /// Runs the backend as CUPS does: `job-id user title copies options [file]`, the device URI
    /// naming the data folder, the job on standard input unless `file` is given.
    func runBackend(user: String = "alice", title: String = "Letter", file: String? = nil, input: Data = Data(),
                    contentType: String = "application/pdf") throws -> Outcome {
        let arguments = ["17", user, title, "1", "media=A4"] + (file.map { [$0] } ?? [])
        return try Self.run(arguments, input: input, environment: [
            "DEVICE_URI": "faxline:" + folder.path, "CONTENT_TYPE": contentType, "PRINTER": "Fax",
            // CUPS's own temporary folder, which the data folder's owner cannot write.
            "TMPDIR": "/nonexistent/cups/tmp",
        ])
    }

    static func run(_ arguments: [String], input: Data = Data(), environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        // CUPS gives a backend a small environment of its own, nothing of the caller's.
        process.environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C"].merging(environment) { $1 }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let writer = Thread { stdin.fileHandleForWriting.write(input); try? stdin.fileHandleForWriting.close() }
        writer.start()
        let errors = PipeCollector(stderr.fileHandleForReading)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, standardOutput: String(decoding: output, as: UTF8.self),
                       standardError: String(decoding: errors.wait(), as: UTF8.self))
    }

    /// One pass of the server's mail delivery over the queue, to the loopback SMTP server.
    func deliverMail() async throws -> Int {
        let configuration = try FaxlineConfiguration.load(dataDirectory: folder.path)
        let service = try MailDeliveryService(
            deliveries: database, faxes: database, devices: database, spool: Spool(root: configuration.spoolDirectory),
            settings: .init(fromAddress: configuration.smtp.fromAddress, retry: .standard, pollInterval: .seconds(1)),
            sender: try CurlSMTPSender(configuration: configuration.smtp), logger: Logger(label: "faxline.test"), notices: database)
        return await service.deliverDue()
    }

    /// The pages of the fax document the jobs send.
    func faxPages(of job: Job) throws -> [FaxBitmap] {
        try FaxPageRaster.pages(of: job.document.absolutePath(under: folder.path + "/spool"))
    }
}

extension FaxBitmap {
    /// Black pixels between `top` and `bottom` points from the top of the page (an A4 page
    /// fills a fax page's height). Rows past the page's end — page chop cut white rows off —
    /// count as white.
    func blackPixels(fromPoint top: Double, toPoint bottom: Double) -> Int {
        let first = min(height, Int(top / 72 * yResolution)), last = min(height, Int(bottom / 72 * yResolution))
        var count = 0
        for y in first..<max(first, last) {
            for x in 0..<width where isBlack(x: x, y: y) { count += 1 }
        }
        return count
    }
}
