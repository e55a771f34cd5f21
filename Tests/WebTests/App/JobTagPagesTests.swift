import FaxCore
import FaxTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Store
import Testing
@testable import Web

/// The job tag in the web app: the Send form's "Reference (tag)", the preview, the job page and
/// the outbox, which lists the jobs of one tag.
@Suite("Web app: job tags", .serialized)
struct JobTagPagesTests {
    static let tag = "Müller & Co 4711"

    /// The Send form as alice fills it in: the letter to 5550101, with `tag` as typed.
    static func sendForm(_ browser: WebBrowser, tag: String) throws -> MultipartForm {
        let form = MultipartForm()
        form.add("form_token", try #require(browser.formToken))
        form.add("numbers", "5550101")
        form.addFile("file", filename: "letter.tif", contentType: "image/tiff", try Data(contentsOf: try TestDocuments.letter()))
        form.add("tag", tag)
        return form
    }

    @Test("sent with a tag: shown in the preview, on the job page and in the outbox, which filters by it")
    func sendShowAndFilter() async throws {
        let fixture = try await WebAppTests.fixture()
        try await fixture.test { client in
            let browser = WebBrowser(client)
            try await browser.signIn("alice", password: WebAppTests.password)
            let sendPage = try await browser.get("/send")
            #expect(sendPage.text.contains("<label for=\"tag\">Reference (tag)") && sendPage.text.contains("name=\"tag\" maxlength=\"50\""))

            let uploaded = try await browser.postMultipart("/send", try Self.sendForm(browser, tag: " \(Self.tag) "))
            #expect(uploaded.status == .seeOther, "\(uploaded.text)")
            let preview = try #require(uploaded.headers[.location])
            let previewPage = try await browser.get(preview)
            #expect(previewPage.text.contains("<dt>Reference (tag)</dt><dd>Müller &amp; Co 4711</dd>"), "\(previewPage.text)")
            #expect(try await browser.post(preview + "/confirm", []).status == .seeOther)

            let job = try #require(try await fixture.database.jobPage(JobListQuery(scope: .everything)).items.first)
            #expect(job.tag?.text == Self.tag)
            let jobPage = try await browser.get("/jobs/\(job.id ?? 0)")
            #expect(jobPage.text.contains("<dt>Reference (tag)</dt><dd>Müller &amp; Co 4711</dd>"), "\(jobPage.text)")
            let tagHref = "/jobs?tag=M%C3%BCller%20%26%20Co%204711"
            #expect(jobPage.text.contains("href=\"\(tagHref)\""), "\(jobPage.text)")

            let outbox = try await browser.get(tagHref)
            #expect(outbox.status == .ok)
            #expect(outbox.text.contains("Jobs tagged “Müller &amp; Co 4711”"))
            #expect(outbox.text.contains("<span class=\"job-tag\">Müller &amp; Co 4711</span>"))
            #expect(outbox.text.contains("href=\"/jobs/\(job.id ?? 0)\""))
            let otherTag = try await browser.get("/jobs?tag=Offer")
            #expect(otherTag.text.contains("No jobs with this tag.") && !otherTag.text.contains("href=\"/jobs/\(job.id ?? 0)\""))
            let badFilter = try await browser.get("/jobs?tag=" + String(repeating: "t", count: 51))
            #expect(badFilter.status == .badRequest && badFilter.text.contains("must be 1 to 50 characters"), "\(badFilter.status)")
        }
    }

    @Test("a tag too long brings the form back with the limit and what was typed; nothing is converted or queued")
    func tagTooLong() async throws {
        let fixture = try await WebAppTests.fixture()
        try await fixture.test { client in
            let browser = WebBrowser(client)
            try await browser.signIn("alice", password: WebAppTests.password)
            try await browser.get("/send")
            let tooLong = String(repeating: "t", count: 51)
            let answer = try await browser.postMultipart("/send", try Self.sendForm(browser, tag: tooLong))
            #expect(answer.status == .unprocessableContent)
            #expect(answer.text.contains("Invalid tag: ") && answer.text.contains("must be 1 to 50 characters without control characters (it has 51)"))
            #expect(answer.text.contains("value=\"\(tooLong)\"") && answer.text.contains(">5550101</textarea>"))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.server.spool.temporaryDirectory)
            #expect(!leftovers.contains { $0.hasPrefix(SendDraft.prefix) })
        }
        #expect(try await fixture.database.jobPage(JobListQuery(scope: .everything)).items.isEmpty)
    }
}
