import Documents
import FaxCore
import Foundation
import Mail

/// The mail to a job's submitter, like Faxination's delivery report: the outcome in plain
/// words, pages sent of total, tries and calls, time on the line; when done or failed for good,
/// the first page as PNG and the PDF of what was sent are attached (`attachments`).
struct JobReport: Sendable {
    let subject: String
    let text: String

    init(job: Job, notice: JobNotice) {
        let id = job.id.map(String.init) ?? "?"
        // The submitter's own reference in the subject too: it is what their mail rules sort by.
        let named = "Fax job \(id) to \(job.number)" + (job.tag.map { " (\($0))" } ?? "")
        var lines: [String]
        switch notice {
        case .done:
            subject = "\(named) was sent"
            lines = ["Your fax to \(job.number) was sent: all \(Plural.count(job.pageCount, "page")) were received."]
        case .failed:
            subject = "\(named) failed"
            lines = ["Your fax to \(job.number) could not be sent: \(job.reason).",
                     "\(job.pagesConfirmed) of \(Plural.count(job.pageCount, "page")) were received."]
        case .requeued:
            subject = "\(named) will be retried"
            lines = ["Your fax to \(job.number) is not through yet: \(job.reason).",
                     "The next try is at \(job.notBefore.formatted(.iso8601)); \(job.pagesConfirmed) of \(Plural.count(job.pageCount, "page")) were received so far."]
        }
        let seconds = job.attempts.compactMap { attempt in attempt.endedAt.map { $0.timeIntervalSince(attempt.startedAt) } }.reduce(0, +)
        lines.append("Calls made: \(job.dials) (tries: \(job.tries) of \(job.maxTries)); time on the line: \(Int(seconds.rounded())) s.")
        if let last = job.attempts.last, !last.remoteStationID.isEmpty {
            lines.append("Far end station id: \(last.remoteStationID)")
        }
        lines.append("")
        lines.append("Job \(id), submitted \(job.submittedAt.formatted(.iso8601)).")
        if let tag = job.tag { lines.append("Your reference (tag): \(tag)") }
        text = lines.joined(separator: "\n")
    }

    /// The report's mail body: its text, then page 1 as PNG and the PDF of the job's pages
    /// (the TIFF at `document`). When the pages are gone (retention, a deleted job) or cannot be
    /// rendered, the text says so and the mail goes without them.
    static func body(text: String, jobID: Int64, document: String?, workDirectory: String) async -> MIMEPart {
        guard let document, FileManager.default.fileExists(atPath: document) else {
            return .plainText(text + "\n\nThe fax pages are no longer kept on the server, so they are not attached.")
        }
        let base = workDirectory + "/report-\(jobID)-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: base + ".pdf")
            try? FileManager.default.removeItem(atPath: base + ".png")
        }
        do {
            try FaxPDFWriter.write(tiff: document, to: base + ".pdf", title: "Fax job \(jobID)")
            try await FaxPreview().fullPage(1, ofPDF: base + ".pdf", to: base + ".png")
            let pdf = try [UInt8](Data(contentsOf: URL(fileURLWithPath: base + ".pdf")))
            let png = try [UInt8](Data(contentsOf: URL(fileURLWithPath: base + ".png")))
            return .mixed([
                .plainText(text),
                .attachment(png, filename: "fax-job-\(jobID)-page-1.png", mediaType: "image/png"),
                .attachment(pdf, filename: "fax-job-\(jobID).pdf", mediaType: "application/pdf"),
            ])
        } catch {
            return .plainText(text + "\n\nThe fax pages could not be attached: \(ErrorWords.describe(error)).")
        }
    }
}
