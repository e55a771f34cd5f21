import Documents
import FaxCore
import FaxTestSupport
import Foundation
import PrintToFax
import Store
import Testing

/// `faxline-cups` run as CUPS runs it: arguments, environment, the job on standard input or in
/// a file; what lands in Faxline's queue, what the fax pages show, what CUPS is told.
@Suite(.serialized) struct BackendProgramTests {
    /// The body in the top third of the page, the control fields in the bottom third.
    static let letter: [[(y: Int, text: String)]] = [[
        (760, "Dear Sir, this is the letter."),
        (730, "It goes to two numbers."),
        (200, "@@+FAX:+1 (555) 010-0100@@ @@+PRIO:high@@"),
        (160, "@@+FAX:555 0101@@ @@+TAG:Order 4711@@"),
    ]]

    @Test func withoutArgumentsItNamesItsDevice() throws {
        let outcome = try PrintFixture.run([])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == CUPSBackendRequest.discoveryLine + "\n")
    }

    @Test func wrongArgumentsAreAUsageError() throws {
        let outcome = try PrintFixture.run(["1", "alice", "title"])
        #expect(outcome.status == CUPSBackendStatus.failed.rawValue)
        #expect(outcome.standardError.contains("ERROR: Usage: faxline-cups job-id user title copies options [file]"))
    }

    @Test("a PDF on standard input with two numbers: two jobs, the fields gone from the pages")
    func twoNumbersFromStandardInput() async throws {
        let fixture = try await PrintFixture.make()
        let pdf = try fixture.pdf("letter", pages: Self.letter)
        let outcome = try fixture.runBackend(input: try Data(contentsOf: URL(fileURLWithPath: pdf)))
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let jobs = try await fixture.database.jobs(JobQuery())
        #expect(Set(jobs.map(\.number)) == ["+15550100100", "5550101"])
        #expect(jobs.allSatisfy { $0.owner == "alice" && $0.priority == PrintedFaxOptions.highPriority })
        #expect(jobs.allSatisfy { $0.sender.deviceExtension == "201" && $0.notifyEmail == "alice@example.com" })
        #expect(Set(jobs.map(\.broadcastID)).count == 1)
        // @@+TAG@@ is the jobs' tag, stored, not only logged.
        #expect(jobs.allSatisfy { $0.tag?.text == "Order 4711" })
        #expect(outcome.standardError.contains("INFO: fax job queued"))

        // The fields were 620 to 700 points from the top: the fax page is white there, the
        // letter (60 to 120) is not.
        let pages = try fixture.faxPages(of: jobs[0])
        #expect(pages.count == 1)
        #expect(pages[0].blackPixels(fromPoint: 50, toPoint: 130) > 1000)
        #expect(pages[0].blackPixels(fromPoint: 130, toPoint: 842) == 0)
        // Rendered as it was printed, the same page shows the fields there: the check can fail.
        let unblanked = fixture.folder.path + "/unblanked.tif"
        try await DocumentConverter().convert([pdf], to: unblanked)
        #expect(try FaxPageRaster.pages(of: unblanked)[0].blackPixels(fromPoint: 600, toPoint: 720) > 1000)
        // Nothing of the job is left in the spool's temporary folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.folder.path + "/spool/tmp").isEmpty)
    }

    @Test("PostScript in a file (CUPS's second way), a field wrapped over two lines")
    func postScriptFromAFile() async throws {
        let fixture = try await PrintFixture.make()
        let source = fixture.folder.path + "/job.ps"
        try Data("""
            %!PS
            /Helvetica findfont 20 scalefont setfont
            72 760 moveto (First page) show showpage
            /Helvetica findfont 20 scalefont setfont
            72 760 moveto (Second page) show
            72 300 moveto (@@+FAX: 555) show 72 270 moveto (0102 @@) show showpage
            """.utf8).write(to: URL(fileURLWithPath: source))
        let outcome = try fixture.runBackend(file: source, contentType: "application/postscript")
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let jobs = try await fixture.database.jobs(JobQuery())
        #expect(jobs.map(\.number) == ["5550102"])
        let pages = try fixture.faxPages(of: jobs[0])
        #expect(pages.count == 2)
        // "Second page" 60 to 90 points from the top, the field 520 to 580.
        #expect(pages[1].blackPixels(fromPoint: 50, toPoint: 100) > 100)
        #expect(pages[1].blackPixels(fromPoint: 100, toPoint: 842) == 0)
    }

    @Test("a page with a crop box: the field is painted out where the viewer shows it")
    func cropBox() async throws {
        let fixture = try await PrintFixture.make()
        let source = fixture.folder.path + "/cropped.ps", pdf = fixture.folder.path + "/cropped.pdf"
        try Data("""
            %!PS
            [/CropBox [100 100 495 742] /PAGES pdfmark
            /Helvetica findfont 20 scalefont setfont
            120 700 moveto (Body text here) show
            120 200 moveto (@@+FAX:5550103@@) show
            showpage
            """.utf8).write(to: URL(fileURLWithPath: source))
        try TestDocuments.run("/usr/bin/gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-sPAPERSIZE=a4",
                                              "-sOutputFile=\(pdf)", source])
        let outcome = try fixture.runBackend(file: pdf)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let jobs = try await fixture.database.jobs(JobQuery())
        #expect(jobs.map(\.number) == ["5550103"])
        // The 642-point high crop box fits the fax page 842/642 times larger: the body is about
        // 35 to 61 points from the top, the field 690 to 720.
        let pages = try fixture.faxPages(of: jobs[0])
        #expect(pages[0].blackPixels(fromPoint: 20, toPoint: 80) > 500)
        #expect(pages[0].blackPixels(fromPoint: 80, toPoint: 842) == 0)
    }

    @Test("no number: refused, CUPS cancels the job, the user is mailed why")
    func noNumber() async throws {
        let fixture = try await PrintFixture.make()
        let pdf = try fixture.pdf("plain", pages: [[(760, "A letter without a number @@+PRIO:low@@")]])
        let outcome = try fixture.runBackend(title: "Quarterly report", file: pdf)
        #expect(outcome.status == CUPSBackendStatus.cancel.rawValue)
        #expect(outcome.standardError.contains("ERROR: print job refused: the document has no fax number"))
        #expect(try await fixture.database.jobs(JobQuery()).isEmpty)
        // The mail waits in the durable queue; the server's mail delivery sends it.
        let notices = try await fixture.database.dueNotices(at: Date(), limit: 10)
        #expect(notices.map(\.recipient) == ["alice@example.com"])
        #expect(notices.first?.subject == "Your print job was not faxed: Quarterly report")
        #expect(try await fixture.deliverMail() == 1)
        let mails = try await fixture.smtp.waitForMessages(count: 1)
        #expect(mails[0].recipients == ["alice@example.com"])
        // Quoted-printable soft line breaks undone.
        let text = mails[0].text.replacingOccurrences(of: "=\r\n", with: "")
        #expect(text.contains("Subject: Your print job was not faxed: Quarterly report"))
        #expect(text.contains("has no fax number"))
        #expect(try await fixture.database.dueNotices(at: Date(), limit: 10).isEmpty)
    }

    @Test("a tag too long: refused, CUPS cancels the job, the user is mailed the limit")
    func tagTooLong() async throws {
        let fixture = try await PrintFixture.make()
        // Narrow letters, so that the 51 of them fit on the line at 20 points.
        let pdf = try fixture.pdf("tagged", pages: [[(760, "A letter."), (200, "@@+FAX:5550100@@"),
                                                     (160, "@@+TAG:\(String(repeating: "i", count: 51))@@")]])
        let outcome = try fixture.runBackend(title: "Offer", file: pdf)
        #expect(outcome.status == CUPSBackendStatus.cancel.rawValue, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("ERROR: print job refused: invalid @@+TAG:…@@"), "\(outcome.standardError)")
        #expect(try await fixture.database.jobs(JobQuery()).isEmpty)
        let notices = try await fixture.database.dueNotices(at: Date(), limit: 10)
        #expect(notices.map(\.recipient) == ["alice@example.com"])
        #expect(notices.first?.body.contains("must be 1 to 50 characters without control characters (it has 51)") == true,
                "\(notices.first?.body ?? "no mail")")
    }

    @Test("an unknown user: refused and logged, nobody mailed")
    func unknownUser() async throws {
        let fixture = try await PrintFixture.make()
        let pdf = try fixture.pdf("letter", pages: Self.letter)
        let outcome = try fixture.runBackend(user: "mallory", file: pdf)
        #expect(outcome.status == CUPSBackendStatus.cancel.rawValue)
        #expect(outcome.standardError.contains("ERROR: print job refused: no Faxline user mallory for the print user mallory"))
        #expect(try await fixture.database.jobs(JobQuery()).isEmpty)
        #expect(try await fixture.database.dueNotices(at: Date(), limit: 10).isEmpty)
    }

    @Test("[print] users maps a print user to a Faxline user")
    func mappedUser() async throws {
        let fixture = try await PrintFixture.make(extraConfiguration: "[print]\nusers = jdoe:alice, root:alice")
        let pdf = try fixture.pdf("letter", pages: Self.letter)
        let outcome = try fixture.runBackend(user: "jdoe", file: pdf)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(try await fixture.database.jobs(JobQuery()).map(\.owner) == ["alice", "alice"])
    }

    @Test("a broken PDF: refused with the reason, the user mailed, nothing left behind")
    func brokenPDF() async throws {
        let fixture = try await PrintFixture.make()
        let pdf = try Data(contentsOf: URL(fileURLWithPath: try fixture.pdf("letter", pages: Self.letter)))
        let broken = pdf.prefix(pdf.count / 3)
        let outcome = try fixture.runBackend(input: Data(broken))
        #expect(outcome.status == CUPSBackendStatus.cancel.rawValue)
        #expect(outcome.standardError.contains("ERROR: print job refused"))
        #expect(try await fixture.database.jobs(JobQuery()).isEmpty)
        #expect(try await fixture.database.dueNotices(at: Date(), limit: 10).map(\.recipient) == ["alice@example.com"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.folder.path + "/spool/tmp").isEmpty)
    }

    @Test("an empty job and a wrong number are refused")
    func emptyAndWrongNumber() async throws {
        let fixture = try await PrintFixture.make()
        let empty = try fixture.runBackend(input: Data())
        #expect(empty.status == CUPSBackendStatus.cancel.rawValue)
        #expect(empty.standardError.contains("the print job is empty"))
        let pdf = try fixture.pdf("wrong", pages: [[(760, "@@+FAX:555-CALL-NOW@@")]])
        let wrong = try fixture.runBackend(file: pdf)
        #expect(wrong.status == CUPSBackendStatus.cancel.rawValue)
        #expect(wrong.standardError.contains("is not a phone number"))
        #expect(try await fixture.database.jobs(JobQuery()).isEmpty)
    }

    @Test("run as root (as CUPS runs it), the backend works as the data folder's owner", .enabled(if: geteuid() == 0))
    func becomesTheDataFolderOwner() async throws {
        let fixture = try await PrintFixture.make()
        let pdf = try fixture.pdf("letter", pages: Self.letter)
        let owner = try #require(getpwnam("nobody")).pointee
        let everything = [fixture.folder.path] + (FileManager.default.subpaths(atPath: fixture.folder.path) ?? [])
            .map { fixture.folder.path + "/" + $0 }
        for path in everything { #expect(chown(path, owner.pw_uid, owner.pw_gid) == 0) }
        let outcome = try fixture.runBackend(input: try Data(contentsOf: URL(fileURLWithPath: pdf)))
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let jobs = try await fixture.database.jobs(JobQuery())
        #expect(jobs.count == 2)
        let document = try #require(jobs.first).document.absolutePath(under: fixture.folder.path + "/spool")
        let attributes = try FileManager.default.attributesOfItem(atPath: document)
        #expect((attributes[.ownerAccountID] as? NSNumber)?.uint32Value == owner.pw_uid)
    }

    @Test("no Faxline data at the device URI: the printer is stopped, the job kept")
    func noData() throws {
        let outcome = try PrintFixture.run(["3", "alice", "t", "1", ""], input: Data("%PDF-1.4".utf8),
                                           environment: ["DEVICE_URI": "faxline:/nonexistent/faxline"])
        #expect(outcome.status == CUPSBackendStatus.stop.rawValue)
        #expect(outcome.standardError.contains("ERROR:"))
    }
}
