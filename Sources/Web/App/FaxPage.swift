import Accounts
import Documents
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// One fax: every page as an image (a click opens it at full size), the PDF inline or as a
/// download, its details, the T.30 event log as a timeline, deliveries with "mail again", a
/// note and tags, and delete (audited by the retention's purge). Opening it marks it read.
struct FaxPage: Sendable {
    let app: WebApp

    struct Item {
        var label: String
        var value: String
    }

    struct PageImage {
        var number: Int
        var count: Int
        var full: String
    }

    struct Event {
        var time: String
        var kind: String
        var tone: String
        var text: String
    }

    struct Delivery {
        var address: String
        var format: String
        var state: String
        var tone: String
        var attempts: String
        var error: String?
    }

    struct Model {
        var chrome: Chrome
        var href: String
        var from: String
        var status: String
        var statusTone: String
        var notice: String?
        var hasPDF: Bool
        var explanation: String?
        var pdfHref: String
        var pages: [PageImage]
        var details: [Item]
        var note: String
        var tags: String
        var deliveries: [Delivery]
        var canResend: Bool
        var recipients: String
        var events: [Event]
        var canDelete: Bool
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/faxes/:id") { request, context in try await show(request, context: context) }
        router.get("/faxes/:id/pages/:page") { request, context in try await pageImage(request, context: context) }
        router.get("/faxes/:id/pdf") { request, context in try await pdf(request, context: context) }
        router.post("/faxes/:id/note") { request, context in try await saveNote(request, context: context) }
        router.post("/faxes/:id/mail") { request, context in try await mailAgain(request, context: context) }
        router.post("/faxes/:id/delete") { request, context in try await delete(request, context: context) }
    }

    /// The fax named in the path, if the session may do `action` to it: 404 when there is
    /// none, 403 when it is another user's.
    private func fax(_ context: WebRequestContext, allowing action: FaxOperation) async throws -> (FaxRecord, WebSessions.SignedIn) {
        let session = try context.requireSession()
        let id = try context.parameters.require("id").lowercased()
        guard let fax = try await app.services.faxes.fax(id: id) else { throw WebPageError.notFound("Fax \(id)") }
        if case .denied(let denial) = AccessPolicy.decide(session.principal, action, fax: fax) { throw WebPageError.forbidden(denial) }
        return (fax, session)
    }

    private func show(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (fax, session) = try await fax(context, allowing: .read)
        if let userID = session.principal.user.id { try await app.services.faxes.markRead(fax, userID: userID, at: app.now()) }
        let annotation = try await app.services.faxes.annotation(of: fax)
        let deliveries = try await app.services.faxes.deliveries(faxID: fax.id)
        let recipients = try await app.services.faxes.deviceRecipients(of: fax)
        let hasPDF = app.services.faxes.filePath(.pdf, of: fax) != nil
        let href = "/faxes/\(fax.id)"
        let pageCount = hasPDF ? fax.session.pages : 0
        let notice: String? = switch WebForm(query: request)["done"] {
        case "note": "Note and tags saved."
        case "mail": "Mail queued."
        default: nil
        }
        let model = Model(
            chrome: Chrome(title: "Fax from \(Self.from(fax))", session: session, current: .inbox),
            href: href, from: Self.from(fax), status: WebDisplay.faxStatus(fax.status), statusTone: WebDisplay.tone(fax.status),
            notice: notice, hasPDF: hasPDF,
            explanation: fax.status == .failed ? "the fax failed" : (fax.files.pdf == nil ? "retention removed its images" : nil),
            pdfHref: href + "/pdf",
            pages: (0..<max(pageCount, 0)).map { PageImage(number: $0 + 1, count: pageCount, full: href + "/pages/\($0 + 1)") },
            details: Self.details(fax), note: annotation.note, tags: annotation.tags.joined(separator: ", "),
            deliveries: deliveries.map { delivery in
                Delivery(
                    address: delivery.recipient, format: delivery.format.rawValue, state: delivery.state.rawValue,
                    tone: delivery.state == .delivered ? "good" : (delivery.state == .failed ? "bad" : "busy"),
                    attempts: Plural.count(delivery.attempts, "attempt"), error: delivery.lastError.flatMap { $0.isEmpty ? nil : $0 })
            },
            canResend: hasPDF && AccessPolicy.decide(session.principal, .resend, fax: fax).isAllowed,
            recipients: recipients.map(\.address).joined(separator: ", "),
            events: fax.events.map { entry in
                let kind = WebDisplay.eventKind(entry.kind)
                return Event(time: String(format: "%.1f s", entry.time), kind: kind.label, tone: kind.tone, text: entry.text)
            },
            canDelete: AccessPolicy.decide(session.principal, .delete, fax: fax).isAllowed)
        return app.renderer.page("fax", model)
    }

    static func from(_ fax: FaxRecord) -> String {
        fax.callerName.isEmpty ? (fax.callerNumber.isEmpty ? "an unknown caller" : fax.callerNumber) : fax.callerName
    }

    static func details(_ fax: FaxRecord) -> [Item] {
        let session = fax.session
        var items = [
            Item(label: "From", value: [fax.callerName, fax.callerNumber].filter { !$0.isEmpty }.joined(separator: " · ")),
            Item(label: "Station id", value: session.remoteStationID),
            Item(label: "To device", value: fax.deviceExtensions.joined(separator: ", ")),
            Item(label: "Number called", value: fax.did),
            Item(label: "Received", value: WebDisplay.time(fax.createdAt)),
            Item(label: "Pages", value: "\(session.pages)"),
            Item(label: "Duration", value: session.duration > 0 ? WebDisplay.duration(session.duration) : ""),
            Item(label: "Speed", value: session.bitRate > 0 ? "\(session.bitRate) bit/s" + (session.ecm ? ", ECM" : "") : ""),
            Item(label: "Resolution", value: session.resolution),
            Item(label: "Compression", value: session.compression),
            Item(label: "Line", value: fax.lineName ?? ""),
            Item(label: "Delivery", value: WebDisplay.delivery(fax.deliveryState)),
            Item(label: "Result", value: [session.statusString, session.errorText].filter { !$0.isEmpty }.joined(separator: " · ")),
            Item(label: "Id", value: fax.id),
        ]
        items.removeAll { $0.value.isEmpty }
        return items
    }

    /// A page as PNG (full size, or the thumbnail of page 1), rendered once and kept, with the
    /// API's ETag.
    private func pageImage(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (fax, _) = try await fax(context, allowing: .read)
        guard let page = Int(try context.parameters.require("page")), page >= 1 else { throw WebPageError.notFound("That page") }
        let size: PagePreviews.Size = WebForm(query: request)["size"] == "thumbnail" ? .thumbnail : .full
        if size == .thumbnail, page != 1 { throw WebPageError.badRequest("Thumbnails are made of page 1 only.") }
        guard let pdf = app.services.faxes.filePath(.pdf, of: fax) else { throw WebPageError.notFound("The pages of this fax") }
        let tag = try PagePreviews.etag(faxID: fax.id, pdf: pdf, page: page, size: size)
        let png: String
        if FileTag.matches(request.headers[.ifNoneMatch], etag: tag) {
            png = ""
        } else {
            do {
                png = try await app.previews.png(faxID: fax.id, pdf: pdf, page: page, size: size)
            } catch DocumentError.invalidOption {
                throw WebPageError.notFound("Page \(page) of this fax (it has \(fax.session.pages))")
            }
        }
        return try Self.file(png, contentType: "image/png", etag: tag, request: request)
    }

    /// The PDF, shown by the browser (`inline`) or saved (`?download=1`).
    private func pdf(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (fax, _) = try await fax(context, allowing: .read)
        guard let path = app.services.faxes.filePath(.pdf, of: fax) else { throw WebPageError.notFound("The PDF of this fax") }
        let tag = try FileTag(path: path).etag
        var response = try Self.file(path, contentType: "application/pdf", etag: tag, request: request)
        let disposition = WebForm(query: request)["download"] == "1" ? "attachment" : "inline"
        response.headers[.contentDisposition] = "\(disposition); filename=\"fax-\(fax.id.prefix(8)).pdf\""
        return response
    }

    /// A file of the spool as the body, or 304 when the browser has this version. The type is
    /// always ours, never a client's.
    static func file(_ path: String, contentType: String, etag: String, request: Request) throws -> Response {
        var headers = HTTPFields()
        headers[.eTag] = etag
        headers[.cacheControl] = "private, no-cache"
        if FileTag.matches(request.headers[.ifNoneMatch], etag: etag) { return Response(status: .notModified, headers: headers) }
        guard let data = FileManager.default.contents(atPath: path) else { throw WebPageError.notFound("The file") }
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func saveNote(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, _) = try await WebForm.posted(request, context: context)
        // Writing on a fax is as much as reading it: every user who sees it may.
        let (fax, _) = try await fax(context, allowing: .read)
        try await app.services.faxes.annotate(fax, FaxAnnotation(typedNote: form["note"] ?? "", typedTags: form["tags"] ?? ""))
        return WebApp.redirect("/faxes/\(fax.id)?done=note")
    }

    private func mailAgain(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, _) = try await WebForm.posted(request, context: context)
        let (fax, session) = try await fax(context, allowing: .resend)
        let addresses = (form.text("to") ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        var recipients: [MailRecipient]
        if addresses.isEmpty {
            recipients = try await app.services.faxes.deviceRecipients(of: fax)
            guard !recipients.isEmpty else { throw WebPageError.badRequest("The fax's devices have no mail addresses; give one.") }
        } else {
            recipients = []
            for address in addresses {
                do {
                    try EmailAddress.validate(address)
                } catch {
                    throw WebPageError.badRequest("\(address): \(error.description)")
                }
                recipients.append(MailRecipient(address: address, format: .pdf))
            }
        }
        _ = try await app.services.faxes.mailAgain(fax, to: recipients, actor: WebApp.actor(session))
        return WebApp.redirect("/faxes/\(fax.id)?done=mail")
    }

    private func delete(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, _) = try await WebForm.posted(request, context: context)
        let (fax, session) = try await fax(context, allowing: .delete)
        guard form.flag("confirm") else { throw WebPageError.badRequest("Tick the box to confirm the deletion.") }
        try await app.services.faxes.delete(fax, force: false, actor: WebApp.actor(session))
        return WebApp.redirect("/inbox")
    }
}
