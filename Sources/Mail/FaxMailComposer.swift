import FaxCore
import Foundation

/// Builds the mail that delivers a received fax to a device's mailboxes.
public struct FaxMailComposer: Sendable {
    public var from: MailAddress
    /// Time zone for the times shown in the mail and its `Date` header.
    public var timeZone: TimeZone
    /// Files bigger than this are refused rather than mailed (most servers refuse ~25 MB).
    public var maximumAttachmentBytes: Int

    public init(from: MailAddress, timeZone: TimeZone = .current, maximumAttachmentBytes: Int = 20 * 1024 * 1024) {
        self.from = from
        self.timeZone = timeZone
        self.maximumAttachmentBytes = maximumAttachmentBytes
    }

    /// The message for `content` in `format`. The files the format needs must exist, except
    /// for a fax without pages, which becomes a notice without attachments.
    public func compose(_ content: ReceivedFaxMailContent, to recipients: [MailAddress], format: DeliveryFormat) throws(MailError) -> MailMessage {
        let facts = Facts(content, timeZone: timeZone)
        let baseName = attachmentBaseName(content)
        let hasPages = content.pages > 0

        var attachments: [MIMEPart] = []
        if hasPages && (format == .pdf || format == .both || format == .inline) {
            let pdf = try read(content.pdfFile, what: "PDF")
            attachments.append(.attachment(pdf, filename: baseName + ".pdf", mediaType: "application/pdf"))
        }
        if hasPages && (format == .tiff || format == .both) {
            let tiff = try read(content.tiffFile, what: "TIFF")
            attachments.append(.attachment(tiff, filename: baseName + ".tif", mediaType: "image/tiff"))
        }

        let textBody = MIMEPart.plainText(facts.plainText)
        var mainPart = textBody
        if format == .inline && hasPages {
            var thumbnail: [UInt8]?
            if content.thumbnailFile != nil { thumbnail = try read(content.thumbnailFile, what: "thumbnail") }
            let contentID = "page1.\(UUID().uuidString.lowercased())@\(from.domain)"
            let html = MIMEPart.html(facts.html(imageContentID: thumbnail == nil ? nil : contentID))
            let htmlPart = thumbnail.map { bytes in
                MIMEPart.related([html, .inline(bytes, contentID: contentID, mediaType: "image/png", filename: baseName + "-page1.png")])
            } ?? html
            mainPart = .alternative([textBody, htmlPart])
        }
        let body = attachments.isEmpty ? mainPart : .mixed([mainPart] + attachments)
        return MailMessage(
            from: from,
            to: recipients,
            subject: facts.subject,
            date: Date(),
            timeZone: timeZone,
            extraHeaders: deviceHeader(content),
            body: body
        )
    }

    private func deviceHeader(_ content: ReceivedFaxMailContent) -> [(name: String, value: String)] {
        let value = String(HeaderText.sanitized(content.deviceExtension).prefix(64))
        return value.isEmpty ? [] : [("X-Faxline-Device", value)]
    }

    private func read(_ url: URL?, what: String) throws(MailError) -> [UInt8] {
        guard let url else { throw .attachmentUnreadable(path: "(none)", reason: "the \(what) file of the fax is missing") }
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw .attachmentUnreadable(path: url.path, reason: "the \(what) file does not exist or cannot be read")
        }
        guard size <= maximumAttachmentBytes else {
            throw .attachmentUnreadable(path: url.path, reason: "\(size) bytes is more than the limit of \(maximumAttachmentBytes)")
        }
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw .attachmentUnreadable(path: url.path, reason: "\(error.localizedDescription)")
        }
    }

    /// `fax-20261123-144035-15550100`: sortable, and free of anything the caller controls
    /// beyond digits.
    private func attachmentBaseName(_ content: ReceivedFaxMailContent) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: content.receivedAt)
        func two(_ value: Int?) -> String { String(value ?? 0).leftPadded(to: 2) }
        let stamp = "\(c.year ?? 0)\(two(c.month))\(two(c.day))-\(two(c.hour))\(two(c.minute))\(two(c.second))"
        let digits = String(content.callerNumber.filter { $0.isASCII && $0.isNumber }.prefix(20))
        return digits.isEmpty ? "fax-\(stamp)" : "fax-\(stamp)-\(digits)"
    }
}

/// The values a fax mail shows, cleaned of controls (they partly come from the remote fax).
private struct Facts {
    let sender: String
    let senderLabel: String?
    let stationID: String?
    let callerName: String?
    let device: String
    let pages: Int
    let time: String
    let duration: String
    let isPartial: Bool
    let status: String?

    init(_ content: ReceivedFaxMailContent, timeZone: TimeZone) {
        let number = String(HeaderText.sanitized(content.callerNumber).prefix(64))
        sender = number.isEmpty ? "unknown sender" : number
        callerName = content.callerName.map(HeaderText.sanitized).flatMap { $0.isEmpty ? nil : String($0.prefix(80)) }
        stationID = content.remoteStationID.map(HeaderText.sanitized).flatMap { $0.isEmpty ? nil : String($0.prefix(40)) }
        senderLabel = callerName ?? stationID
        let deviceName = String(HeaderText.sanitized(content.deviceName).prefix(100))
        let ext = String(HeaderText.sanitized(content.deviceExtension).prefix(64))
        device = deviceName.isEmpty ? ext : "\(deviceName) (\(ext))"
        pages = content.pages
        time = MailDate.rfc5322(content.receivedAt, timeZone: timeZone)
        let seconds = max(0, Int(content.duration.rounded()))
        duration = seconds >= 60 ? "\(seconds / 60) min \(seconds % 60) s" : "\(seconds) s"
        isPartial = content.isPartial
        status = content.statusText.map(HeaderText.sanitized).flatMap { $0.isEmpty ? nil : String($0.prefix(300)) }
    }

    var pageCount: String { pages == 1 ? "1 page" : "\(pages) pages" }

    var subject: String {
        let label = senderLabel.map { " (\($0))" } ?? ""
        return "\(isPartial ? "Partial fax" : "Fax") from \(sender)\(label) — \(pageCount)"
    }

    var partialNote: String? {
        guard isPartial else { return nil }
        let reason = status.map { " (\($0))" } ?? ""
        return "NOTE: this fax is INCOMPLETE\(reason). Only \(pageCount) arrived; ask the sender to send it again."
    }

    var rows: [(String, String)] {
        var rows: [(String, String)] = [("From", sender)]
        if let callerName { rows.append(("Caller name", callerName)) }
        if let stationID { rows.append(("Station id", stationID)) }
        rows.append(("To", device))
        rows.append(("Pages", String(pages)))
        rows.append(("Received", time))
        rows.append(("Duration", duration))
        rows.append(("Status", isPartial ? "partial\(status.map { " — \($0)" } ?? "")" : (status ?? "complete")))
        return rows
    }

    var plainText: String {
        var lines: [String] = []
        if let partialNote { lines += [partialNote, ""] }
        lines.append("You have received a fax.")
        lines.append("")
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows {
            lines.append(label + ":" + String(repeating: " ", count: width - label.count + 1) + value)
        }
        lines.append("")
        lines.append("-- ")
        lines.append("Faxline")
        return lines.joined(separator: "\n") + "\n"
    }

    func html(imageContentID: String?) -> String {
        func escape(_ text: String) -> String {
            var result = ""
            for character in text {
                switch character {
                case "&": result += "&amp;"
                case "<": result += "&lt;"
                case ">": result += "&gt;"
                case "\"": result += "&quot;"
                case "'": result += "&#39;"
                default: result.append(character)
                }
            }
            return result
        }
        var html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(escape(subject))</title></head>\n<body style=\"font-family: sans-serif\">\n"
        if let partialNote {
            html += "<p style=\"background:#fff3cd;border:1px solid #c9a100;padding:8px\"><strong>\(escape(partialNote))</strong></p>\n"
        }
        html += "<p>You have received a fax.</p>\n<table>\n"
        for (label, value) in rows {
            html += "<tr><th align=\"left\">\(escape(label))</th><td>\(escape(value))</td></tr>\n"
        }
        html += "</table>\n"
        if let imageContentID {
            html += "<p><img src=\"cid:\(escape(imageContentID))\" alt=\"Page 1 of the fax\" style=\"max-width:100%;border:1px solid #999\"></p>\n"
        }
        html += "<p>The complete fax is attached as a PDF.</p>\n</body></html>\n"
        return html
    }
}
