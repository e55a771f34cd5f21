import Accounts
import Documents
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// Send: numbers (several: a broadcast), documents (a file input, and dropping files on it),
/// the device to send as, priority, a later time, the page header, an optional cover page.
/// Recipients are typed or ticked in the address book (the user's and the shared contacts).
/// The documents are converted first, into a draft whose pages the user sees; only the
/// confirmation queues it (the API's `SendRequest` through `JobQueue`), then the job page.
struct SendPage: Sendable {
    let app: WebApp

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    /// A contact to tick on the form.
    struct ContactChoice {
        var id: String
        var label: String
        var number: String
        var checked: Bool
    }

    struct Model {
        var chrome: Chrome
        var message: String?
        var numbers: String
        var contacts: [ContactChoice]
        var hasContacts: Bool
        var devices: [Option]
        var senderName: String
        var tag: String
    }

    struct PreviewModel {
        struct Item {
            var label: String
            var value: String
        }

        var chrome: Chrome
        var href: String
        var details: [Item]
        var pagesText: String
        var pages: [FaxPage.PageImage]
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/send") { request, context in try await form(request, context: context) }
        router.post("/send") { request, context in try await upload(request, context: context) }
        router.get("/send/:draft") { request, context in try await preview(request, context: context) }
        router.get("/send/:draft/pages/:page") { request, context in try await pageImage(request, context: context) }
        router.post("/send/:draft/confirm") { request, context in try await confirm(request, context: context) }
        router.post("/send/:draft/discard") { request, context in try await discard(request, context: context) }
    }

    private var directory: String { app.services.jobs.uploadDirectory }

    /// The form; `picked` are the contacts ticked (again, after a refusal; or from the Contacts
    /// page's Send link).
    private func form(
        _ request: Request, context: WebRequestContext, message: String? = nil, numbers: String = "", picked: [String]? = nil,
        tag: String = ""
    ) async throws -> Response {
        let session = try context.requireSession()
        let devices = try await sendingDevices(session)
        let user = session.principal.user
        let query = WebForm(query: request)
        let ticked = Set(picked ?? query.all("contact"))
        let book = try await addressBook(session)
        let model = Model(
            chrome: Chrome(title: "Send a fax", session: session, current: .send), message: message,
            numbers: numbers.isEmpty ? (query["to"] ?? "") : numbers,
            contacts: book.map { ContactChoice(id: $0.id, label: $0.label, number: $0.faxNumber, checked: ticked.contains($0.id)) },
            hasContacts: !book.isEmpty,
            devices: devices.enumerated().map { index, device in
                Option(value: device?.extensionNumber ?? "", label: device.map { "\($0.extensionNumber) · \($0.name)" } ?? "No device (server defaults)",
                       selected: index == 0)
            },
            senderName: user.displayName.isEmpty ? user.name : user.displayName, tag: tag)
        return app.renderer.page("send", model, status: message == nil ? .ok : .unprocessableContent)
    }

    /// The contacts the form offers: the user's own and the shared ones, by name (the first
    /// page of the address book; the Contacts page searches the rest).
    private func addressBook(_ session: WebSessions.SignedIn) async throws -> [Contact] {
        guard let scope = AccessPolicy.contactScope(for: session.principal) else { return [] }
        return try await app.services.contacts.contactPage(ContactListQuery(scope: scope, limit: FaxListQuery.maximumLimit)).items
    }

    /// The ticked contacts, each one the user may read (`AccessPolicy`), in the order ticked.
    private func pickedContacts(_ ids: [String], session: WebSessions.SignedIn) async throws -> [Contact] {
        var contacts: [Contact] = []
        for id in ids where UUID(uuidString: id) != nil && !contacts.contains(where: { $0.id == id.lowercased() }) {
            guard let contact = try await app.services.contacts.contact(id: id) else {
                throw WebPageError.notFound("A contact you ticked (it was removed meanwhile)")
            }
            try WebApp.require(session, .contact(.read, ownerID: contact.ownerID))
            contacts.append(contact)
        }
        return contacts
    }

    /// What the user may send as: their devices; administrators every device, or none.
    private func sendingDevices(_ session: WebSessions.SignedIn) async throws -> [FaxDevice?] {
        let all = try await app.services.administration.devices()
        let user = session.principal.user
        if user.isAdmin { return all.map(Optional.some) + [nil] }
        return all.filter { user.deviceExtensions.contains($0.extensionNumber) }.map(Optional.some)
    }

    private func upload(_ request: Request, context: WebRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let user = session.principal.user
        // Refuse a user who may send as nothing before reading what may be megabytes.
        try WebApp.require(session, .send(asDevice: user.isAdmin ? nil : user.deviceExtensions.first))
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data"),
              let boundary = SendUpload.disposition("x; " + type.split(separator: ";").dropFirst().joined(separator: ";"))["boundary"],
              !boundary.isEmpty
        else { throw WebPageError.badRequest("The Send form must be posted as multipart/form-data.") }

        let id = UUID().uuidString.lowercased()
        let folder = try SendDraft.makeFolder(id: id, in: directory)
        var keep = false
        defer { if !keep { try? FileManager.default.removeItem(atPath: folder) } }
        let reader = SendUpload(folder: folder, formToken: session.formToken)
        try await reader.read(request.body, boundary: boundary)
        let fields = reader.fields

        let numbersText = fields["numbers"] ?? ""
        let picked = fields.all(SendUpload.contactField)
        let typed = numbersText.split(whereSeparator: { $0 == "\n" || $0 == "," || $0 == ";" })
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        let recipients = SendRecipients(
            typed: typed, picked: try await pickedContacts(picked, session: session), book: try await addressBook(session))
        let numbers = recipients.numbers
        guard !numbers.isEmpty else {
            return try await form(request, context: context, message: "Give at least one fax number or tick a contact.", picked: picked)
        }
        guard !reader.documents.isEmpty else {
            return try await form(request, context: context, message: "Choose at least one document.", numbers: numbersText, picked: picked)
        }
        let device = fields.text("device") ?? FaxlineAPI.defaultSendingDevice(for: user)
        try WebApp.require(session, .send(asDevice: device))

        var sendRequest = SendRequest(numbers: numbers, documents: reader.documents, owner: user.name)
        sendRequest.deviceExtension = device
        sendRequest.header = fields.text("header")
        sendRequest.priority = fields.text("priority").flatMap(Int.init)
        if let text = fields.text("send_at") {
            guard let date = Self.localTime(text) else {
                return try await form(
                    request, context: context, message: "The send time \(text) is not a date and time.", numbers: numbersText, picked: picked)
            }
            sendRequest.notBefore = date
        }
        if fields.flag("cover") {
            // A cover page to one contact is addressed to them unless the form says otherwise.
            let contactName = numbers.count == 1 ? recipients.contactLabels.first : nil
            sendRequest.cover = CoverPage(
                to: fields.text("cover_to") ?? contactName ?? "", toFax: numbers.count == 1 ? numbers[0] : "", from: fields.text("cover_from") ?? "",
                subject: fields.text("cover_subject") ?? "", comments: fields["cover_message"] ?? "", date: app.now())
        }
        let draft = SendDraft(
            id: id, owner: user.name, numbers: numbers, recipients: recipients.shown, deviceExtension: device, header: sendRequest.header,
            priority: sendRequest.priority ?? Job.defaultPriority, notBefore: sendRequest.notBefore, pages: 0,
            documentNames: reader.documents.map(\.name), coverSubject: sendRequest.cover.map { $0.subject.isEmpty ? "(no subject)" : $0.subject })
        var converted = draft
        let tagText = fields["tag"] ?? ""
        do {
            sendRequest.tag = try JobTag.optional(tagText)
            converted.tag = sendRequest.tag
            converted.pages = try await app.services.jobs.prepare(sendRequest, to: draft.tiff(in: directory))
        } catch let error as DocumentError {
            return try await form(
                request, context: context, message: Self.named(error, documents: reader.documents), numbers: numbersText, picked: picked,
                tag: tagText)
        } catch let error as FaxValidationError {
            return try await form(
                request, context: context, message: WebDisplay.capitalised(error.description), numbers: numbersText, picked: picked, tag: tagText)
        }
        for document in reader.documents { try? FileManager.default.removeItem(atPath: document.path) }
        try converted.save(in: directory)
        keep = true
        return WebApp.redirect("/send/\(id)")
    }

    /// A conversion error naming the file as the user did, not by its path in the spool.
    static func named(_ error: DocumentError, documents: [(path: String, name: String)]) -> String {
        var text = error.description
        for document in documents { text = text.replacingOccurrences(of: document.path, with: document.name) }
        if let path = error.documentName, let document = documents.first(where: { $0.path == path }), !text.contains(document.name) {
            text = document.name + ": " + text
        }
        // Not capitalised: it starts with the file's name as the user wrote it.
        return text
    }

    /// A `datetime-local` value (YYYY-MM-DDTHH:MM) in the server's time zone.
    static func localTime(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "T" || $0 == ":" }).compactMap { Int($0) }
        guard parts.count >= 5, (1970...9999).contains(parts[0]) else { return nil }
        return Calendar.current.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4]))
    }

    private func draft(_ context: WebRequestContext) throws -> (SendDraft, WebSessions.SignedIn) {
        let session = try context.requireSession()
        return (try SendDraft.load(id: try context.parameters.require("draft"), owner: session.principal.user.name, in: directory), session)
    }

    private func preview(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (draft, session) = try draft(context)
        let href = "/send/\(draft.id)"
        var details = [
            PreviewModel.Item(
                label: draft.numbers.count == 1 ? "To" : "To (\(draft.numbers.count) numbers)",
                value: (draft.recipients ?? draft.numbers).joined(separator: ", ")),
            PreviewModel.Item(label: "Documents", value: draft.documentNames.joined(separator: ", ")),
            PreviewModel.Item(label: "Pages", value: "\(draft.pages)" + (draft.coverSubject == nil ? "" : " with the cover page")),
            PreviewModel.Item(label: "Send as", value: draft.deviceExtension ?? "no device"),
            PreviewModel.Item(label: "When", value: draft.notBefore.map(WebDisplay.time) ?? "now"),
        ]
        if let subject = draft.coverSubject { details.append(.init(label: "Cover subject", value: subject)) }
        if let header = draft.header { details.append(.init(label: "Header", value: header)) }
        if let tag = draft.tag { details.append(.init(label: "Reference (tag)", value: tag.text)) }
        let model = PreviewModel(
            chrome: Chrome(title: "Check and send", session: session, current: .send), href: href, details: details,
            pagesText: Plural.count(draft.pages, "page") + (draft.numbers.count > 1 ? " to \(draft.numbers.count) numbers" : ""),
            pages: (0..<draft.pages).map { FaxPage.PageImage(number: $0 + 1, count: draft.pages, full: href + "/pages/\($0 + 1)") })
        return app.renderer.page("sendPreview", model)
    }

    private func pageImage(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (draft, _) = try draft(context)
        guard let page = Int(try context.parameters.require("page")), (1...max(draft.pages, 1)).contains(page) else {
            throw WebPageError.notFound("That page")
        }
        let pdf = draft.pdf(in: directory)
        let tag = try PagePreviews.etag(faxID: "draft-\(draft.id)", pdf: pdf, page: page, size: .full)
        let png = FileTag.matches(request.headers[.ifNoneMatch], etag: tag)
            ? "" : try await PagePreviews(directory: draft.folder(in: directory)).png(faxID: "draft", pdf: pdf, page: page, size: .full)
        return try FaxPage.file(png, contentType: "image/png", etag: tag, request: request)
    }

    private func confirm(_ request: Request, context: WebRequestContext) async throws -> Response {
        _ = try await WebForm.posted(request, context: context)
        let (draft, session) = try draft(context)
        try WebApp.require(session, .send(asDevice: draft.deviceExtension))
        // The converted pages are the document: the cover page is in them already.
        var sendRequest = SendRequest(numbers: draft.numbers, documents: [(draft.tiff(in: directory), "the previewed fax")], owner: draft.owner)
        sendRequest.deviceExtension = draft.deviceExtension
        sendRequest.header = draft.header
        sendRequest.priority = draft.priority
        sendRequest.notBefore = draft.notBefore.map { max($0, app.now()) }
        sendRequest.tag = draft.tag
        let jobs = try await app.services.jobs.submit(sendRequest)
        draft.remove(in: directory)
        if jobs.count == 1, let id = jobs.first?.id { return WebApp.redirect("/jobs/\(id)?done=queued") }
        return WebApp.redirect("/jobs?" + WebForm.encode([("broadcast", jobs.first?.broadcastID ?? "")]))
    }

    private func discard(_ request: Request, context: WebRequestContext) async throws -> Response {
        _ = try await WebForm.posted(request, context: context)
        let (draft, _) = try draft(context)
        draft.remove(in: directory)
        return WebApp.redirect("/send")
    }
}
