import FaxCore
import Foundation
import Mail

/// What of a received mail goes on the fax: the body text without its signature, and the
/// sender address of a `From` header.
enum MailFaxDocument {
    /// The text above a signature separator (`-- `), trailing blank lines removed.
    static func withoutSignature(_ text: String) -> String {
        var kept: [Substring] = []
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if line == "-- " || line == "--" { break }
            kept.append(line)
        }
        while let last = kept.last, last.allSatisfy(\.isWhitespace) { kept.removeLast() }
        return kept.joined(separator: "\n")
    }

    /// `alice@example.com` from `Alice <alice@example.com>` or a bare address; `nil` when
    /// there is no valid one (several addresses: the first).
    static func address(inFromHeader value: String) -> String? {
        var text = Substring(value)
        if let open = text.lastIndex(of: "<"), let close = text[open...].firstIndex(of: ">") {
            text = text[text.index(after: open)..<close]
        } else if let comma = text.firstIndex(of: ",") {
            text = text[..<comma]
        }
        let address = text.trimmingCharacters(in: .whitespaces)
        return EmailAddress.isValid(address) ? address : nil
    }
}

/// The gateway's own mails to senders.
enum MailFaxReplies {
    /// "Your fax is queued": the jobs and their numbers.
    static func queued(_ jobs: [Job], from: String, to address: String, subject: String) -> MailMessage? {
        guard let first = jobs.first else { return nil }
        var lines = ["Your mail \(subject.isEmpty ? "" : "\"\(UntrustedText.cleaned(subject.prefix(100)))\" ")was queued as a fax "
            + "(\(Plural.count(first.pageCount, "page"))\(first.tag.map { ", tag \"\($0)\"" } ?? "")):", ""]
        for job in jobs { lines.append("  job \(job.id ?? 0) to \(job.number)") }
        lines += ["", "You get another mail when each job is done or has failed."]
        return try? MailMessage(
            from: MailAddress(from, displayName: "Faxline"), to: [MailAddress(address)],
            subject: "Fax queued: " + jobs.map(\.number).joined(separator: ", "),
            extraHeaders: [(name: "X-Faxline-Broadcast", value: String(first.broadcastID.prefix(36)))],
            body: .plainText(lines.joined(separator: "\n")))
    }
}
