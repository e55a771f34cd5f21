import Documents
import FaxCore
import Foundation
import HTTPTypes
import OpenAPIRuntime

extension FaxlineAPI {
    static let maximumDocuments = 20

    func sendFax(_ input: Operations.SendFax.Input) async throws -> Operations.SendFax.Output {
        let principal = try RequestPrincipal.required()
        // Refuse a token that may not send before reading what may be megabytes.
        let anyOwnDevice = principal.user.isAdmin ? nil : principal.user.deviceExtensions.first
        if case .denied(let denial) = AccessPolicy.decide(principal, .send(asDevice: anyOwnDevice)) { throw APIProblem.forbidden(denial) }

        let uploads = try UploadFolder(in: services.jobs.uploadDirectory)
        defer { uploads.remove() }
        var numbers: [String] = []
        var options = Components.Schemas.SendOptions()
        switch input.body {
        case .multipartForm(let parts):
            for try await part in parts {
                switch part {
                case .number(let number):
                    numbers.append(try await Self.text(number.payload.body, field: "number", limit: 64))
                case .file(let file):
                    try await uploads.add(file.payload.body, name: file.filename)
                case .options(let given):
                    options = given.payload.body
                case .undocumented(let raw):
                    let name = raw.headerFields[.contentDisposition] ?? "?"
                    throw APIProblem.badRequest("unexpected part (\(name)); parts are number, file and options")
                }
            }
        case .json(let request):
            numbers = request.numbers
            options = request.options ?? options
            for document in request.documents {
                try uploads.add(Data(document.content.data), name: document.name)
            }
        }
        guard !uploads.documents.isEmpty else { throw APIProblem.badRequest("give at least one document", field: "file") }

        let device = options.from ?? Self.defaultSendingDevice(for: principal.user)
        if case .denied(let denial) = AccessPolicy.decide(principal, .send(asDevice: device)) { throw APIProblem.forbidden(denial) }
        if let callbackURL = options.callbackUrl {
            guard let webhooks = services.webhooks else {
                throw APIProblem(.unprocessableContent, "this server posts no callbacks", title: "Invalid value", field: "callbackUrl")
            }
            do {
                _ = try WebhookURL.validate(callbackURL, field: "callbackUrl")
                try webhooks.checkCallbackURL(callbackURL, for: principal.user)
            } catch let error as FaxValidationError {
                throw APIProblem(.unprocessableContent, error.description, title: "Invalid value", field: "callbackUrl")
            }
        }

        var request = SendRequest(numbers: numbers, documents: uploads.documents, owner: principal.user.name)
        request.deviceExtension = device
        request.stationID = options.stationId
        request.header = options.header
        request.callerID = options.callerId
        request.priority = options.priority
        request.tries = options.tries
        request.dials = options.dials
        request.notBefore = options.sendAt
        request.killAfter = options.killAfter.map(TimeInterval.init)
        request.notifyEmail = options.notifyEmail
        request.notifyOnRequeue = options.notifyOnRequeue ?? false
        request.callbackURL = options.callbackUrl
        request.tag = try Self.jobTag(options.tag)
        request.cover = options.cover.map { cover in
            CoverPage(to: cover.to ?? "", toFax: cover.toFax ?? "", from: cover.from ?? "", fromFax: cover.fromFax ?? "",
                      subject: cover.subject ?? "", comments: cover.comments ?? "", date: now())
        }
        let jobs: [Job]
        do {
            jobs = try await services.jobs.submit(request)
        } catch let error as DocumentError {
            throw uploads.problem(error)
        }
        return .accepted(.init(body: .json(.init(
            broadcastId: jobs.first?.broadcastID ?? "", pages: jobs.first?.pageCount ?? 0,
            jobs: jobs.map { .init(id: $0.id ?? 0, number: $0.number) }))))
    }

    /// A tag as the client gave it; one that breaks the rules `JobTag` and the schema state is
    /// a malformed request (400), as any value outside its schema.
    static func jobTag(_ text: String?) throws -> JobTag? {
        guard let text else { return nil }
        do {
            return try JobTag(text)
        } catch {
            throw APIProblem.badRequest(error.description, field: "tag")
        }
    }

    /// The device a send without one goes out as: a user's only device; none otherwise (then
    /// only an administrator may send).
    static func defaultSendingDevice(for user: User) -> String? {
        user.deviceExtensions.count == 1 && !user.isAdmin ? user.deviceExtensions.first : nil
    }

    /// A small text part, whole.
    static func text(_ body: HTTPBody, field: String, limit: Int) async throws -> String {
        let bytes: [UInt8]
        do {
            bytes = try await [UInt8](collecting: body, upTo: limit)
        } catch let problem as APIProblem {
            throw problem
        } catch {
            // The runtime's error for a body longer than `limit`.
            throw APIProblem.badRequest("\(field) is longer than \(limit) bytes", field: field)
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The documents of one send request, written to a private folder in the spool's temporary
/// folder as they arrive (never held whole in memory), and removed when the request ends. The
/// files are numbered: nothing the client names reaches a path.
final class UploadFolder: @unchecked Sendable {
    let path: String
    private(set) var documents: [(path: String, name: String)] = []

    init(in directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/upload-" + UUID().uuidString.lowercased()
        guard mkdir(path, 0o700) == 0 else {
            throw APIProblem(.internalServerError, "cannot make a folder for the upload (\(String(cString: strerror(errno))))")
        }
    }

    /// Streams a file part to disk.
    func add(_ body: HTTPBody, name: String?) async throws {
        let handle = try nextFile(name: name)
        defer { try? handle.close() }
        for try await chunk in body {
            try handle.write(contentsOf: chunk)
        }
    }

    func add(_ data: Data, name: String?) throws {
        let handle = try nextFile(name: name)
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
    }

    private func nextFile(name: String?) throws -> FileHandle {
        guard documents.count < FaxlineAPI.maximumDocuments else {
            throw APIProblem.badRequest("at most \(FaxlineAPI.maximumDocuments) documents per fax", field: "file")
        }
        let file = path + "/\(documents.count + 1)"
        guard FileManager.default.createFile(atPath: file, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: file)
        else { throw APIProblem(.internalServerError, "cannot write the upload") }
        let shown = Self.displayName(name) ?? "document \(documents.count + 1)"
        documents.append((path: file, name: shown))
        return handle
    }

    /// A conversion error about an uploaded file, naming the file as the client did.
    func problem(_ error: DocumentError) -> APIProblem {
        var detail = error.description
        var field: String?
        for document in documents where detail.contains(document.path) {
            detail = detail.replacingOccurrences(of: document.path, with: document.name)
            field = document.name
        }
        return APIProblem(.unprocessableContent, detail, title: "Document cannot be sent", field: field)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The client's file name for messages: its last component, printable, at most 100 characters.
    static func displayName(_ name: String?) -> String? {
        guard let name else { return nil }
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var printable = String.UnicodeScalarView()
        printable.append(contentsOf: last.unicodeScalars.filter { !$0.properties.generalCategory.isControl }.prefix(100))
        let shown = String(printable)
        return shown.isEmpty ? nil : shown
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isControl: Bool { self == .control || self == .format || self == .lineSeparator || self == .paragraphSeparator }
}
