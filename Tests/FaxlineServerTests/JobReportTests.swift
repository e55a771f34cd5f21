import Documents
import FaxCore
import FaxTestSupport
import Foundation
import Logging
import Mail
import Store
import Testing

@testable import FaxlineServer

/// A job's delivery report: queued in the durable mail queue, sent by the mail delivery with
/// page 1 as PNG and the PDF of the job's pages, to the loopback SMTP sink.
@Suite("Job delivery reports", .serialized)
struct JobReportTests {
    struct Fixture {
        let folder: URL
        let database: FaxDatabase
        let spool: Spool
        let smtp: TestSMTPServer
        let port: Int

        static func make() async throws -> Fixture {
            let folder = try TestDocuments.makeTemporaryDirectory("report")
            let spool = Spool(root: folder.path + "/spool")
            try spool.prepare()
            try FileManager.default.createDirectory(atPath: spool.root + "/out", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: try TestDocuments.letter().path, toPath: spool.root + "/out/letter.tif")
            let smtp = TestSMTPServer()
            let port = try await smtp.start()
            return Fixture(folder: folder, database: try FaxDatabase(path: folder.path + "/faxline.sqlite"), spool: spool, smtp: smtp, port: port)
        }

        func submitJob() async throws -> Job {
            let job = try Job(number: "5550101", document: SpoolPath("out/letter.tif"), pageCount: 3, notifyEmail: "sender@example.com")
            return try #require(try await database.submitJobs([job]).first)
        }

        /// A mail delivery as `serve` runs it, on `database`.
        func delivery(on database: FaxDatabase) throws -> MailDeliveryService {
            let smtp = SMTPConfiguration(host: "127.0.0.1", port: port, tlsMode: .none, fromAddress: "faxline@example.com",
                                         connectTimeout: .seconds(2), totalTimeout: .seconds(20))
            return try MailDeliveryService(
                deliveries: database, faxes: database, devices: database, spool: spool,
                settings: .init(fromAddress: smtp.fromAddress, retry: .standard, pollInterval: .seconds(1)),
                sender: try CurlSMTPSender(configuration: smtp), logger: Logger(label: "faxline.test"), notices: database, jobs: database)
        }

        func notifier() -> JobNotifier {
            JobNotifier(notices: database, logger: Logger(label: "faxline.test")) {}
        }
    }

    @Test("a done job: the report has the outcome, page 1 as a PNG and the PDF of the 3 pages")
    func doneJob() async throws {
        let fixture = try await Fixture.make()
        var job = try await fixture.submitJob()
        job.state = .done
        job.nextPage = 4
        await fixture.notifier().post(job, .done)
        #expect(try await fixture.delivery(on: fixture.database).deliverDue() == 1)

        let mail = try #require(try await fixture.smtp.waitForMessages(count: 1).first)
        #expect(mail.recipients == ["sender@example.com"])
        #expect(mail.text.contains("Subject: Fax job \(try #require(job.id)) to 5550101 was sent"))
        #expect(mail.text.contains("all 3 pages were received"))
        let png = try #require(MIMEAttachments.first(ofType: "image/png", in: mail.text))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let pdf = try #require(MIMEAttachments.first(ofType: "application/pdf", in: mail.text))
        let pdfFile = fixture.folder.path + "/sent.pdf"
        try Data(pdf).write(to: URL(fileURLWithPath: pdfFile))
        // The PDF decodes: Ghostscript renders its last page, and it has no page 4.
        try await FaxPreview().fullPage(3, ofPDF: pdfFile, to: fixture.folder.path + "/page3.png")
        await #expect(throws: DocumentError.self) { try await FaxPreview().fullPage(4, ofPDF: pdfFile, to: fixture.folder.path + "/page4.png") }
        // The PNG is the first page the job sent, at the fax's resolution.
        let pngFile = fixture.folder.path + "/page1.png"
        try Data(png).write(to: URL(fileURLWithPath: pngFile))
        #expect(try Self.pngWidth(pngFile) == 1728)
        await fixture.smtp.stop()
    }

    @Test("a failed job whose pages are gone: the report goes without attachments and says so")
    func failedJobWithoutPages() async throws {
        let fixture = try await Fixture.make()
        var job = try await fixture.submitJob()
        job.state = .failed
        job.reason = "nobody answered (gave up after 3 calls)"
        try FileManager.default.removeItem(atPath: fixture.spool.root + "/out/letter.tif")
        await fixture.notifier().post(job, .failed)
        #expect(try await fixture.delivery(on: fixture.database).deliverDue() == 1)

        let mail = try #require(try await fixture.smtp.waitForMessages(count: 1).first)
        #expect(mail.text.contains("could not be sent: nobody answered (gave up after 3 calls)."))
        #expect(mail.text.contains("The fax pages are no longer kept on the server, so they are not attached."))
        #expect(MIMEAttachments.first(ofType: "image/png", in: mail.text) == nil)
        #expect(MIMEAttachments.first(ofType: "application/pdf", in: mail.text) == nil)
        await fixture.smtp.stop()
    }

    @Test("a failed job's report survives a restart: a new delivery on the same SQLite file sends it, with its pages")
    func durableAcrossRestart() async throws {
        let fixture = try await Fixture.make()
        var job = try await fixture.submitJob()
        job.state = .failed
        job.reason = "the line was busy"
        // The mail server refuses for now: the report stays queued.
        await fixture.smtp.setScript(SMTPServerScript(dataReply: SMTPReply(451, "4.3.0 try later")))
        await fixture.notifier().post(job, .failed)
        #expect(try await fixture.delivery(on: fixture.database).deliverDue() == 0)
        let queued = try #require(try await fixture.database.dueNotices(at: .distantFuture, limit: 10).first)
        #expect(queued.jobID == job.id && queued.attempts == 1 && queued.state == .pending)

        await fixture.smtp.setScript(.acceptAll)
        let reopened = try FaxDatabase(path: fixture.folder.path + "/faxline.sqlite")
        #expect(try await fixture.delivery(on: reopened).deliverDue(now: .distantFuture) == 1)
        let mail = try #require(try await fixture.smtp.waitForMessages(count: 1).first)
        #expect(mail.text.contains("could not be sent: the line was busy."))
        #expect(MIMEAttachments.first(ofType: "image/png", in: mail.text) != nil)
        #expect(MIMEAttachments.first(ofType: "application/pdf", in: mail.text) != nil)
        #expect(try await reopened.notice(id: queued.id)?.state == .delivered)
        await fixture.smtp.stop()
    }

    @Test("the reports name the job's tag, in the subject (mail rules sort by it) and in the text")
    func tagInTheReport() async throws {
        let fixture = try await Fixture.make()
        var job = try await fixture.submitJob()
        job.tag = try JobTag("Offer 4711")
        job.state = .failed
        job.reason = "the line was busy"
        try FileManager.default.removeItem(atPath: fixture.spool.root + "/out/letter.tif")
        await fixture.notifier().post(job, .failed)
        #expect(try await fixture.delivery(on: fixture.database).deliverDue() == 1)
        let id = try #require(job.id)
        let mail = try #require(try await fixture.smtp.waitForMessages(count: 1).first)
        #expect(mail.text.contains("Subject: Fax job \(id) to 5550101 (Offer 4711) failed"), "\(mail.text)")
        #expect(mail.text.contains("Your reference (tag): Offer 4711"))

        job.state = .done
        let done = JobReport(job: job, notice: .done)
        #expect(done.subject == "Fax job \(id) to 5550101 (Offer 4711) was sent")
        #expect(done.text.hasSuffix("Your reference (tag): Offer 4711"))
        job.tag = nil
        #expect(JobReport(job: job, notice: .done).subject == "Fax job \(id) to 5550101 was sent")
        #expect(!JobReport(job: job, notice: .done).text.contains("tag"))
        await fixture.smtp.stop()
    }

    /// The width in a PNG's IHDR chunk.
    static func pngWidth(_ path: String) throws -> Int {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
    }
}
