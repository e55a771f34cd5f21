import Accounts
import FaxCore
import Foundation
import MultipartKit
import NIOCore

/// Reads the Send form (`multipart/form-data`) as it streams in: the form token must be the
/// first part (it is the form's first field), so nothing of a forged form is written; files go
/// to numbered files in the draft's folder (nothing the client names reaches a path); text
/// fields are kept, each up to a limit.
final class SendUpload {
    static let maximumFieldBytes = 16 * 1024
    static let maximumFields = 40
    /// Ticked address book entries (each a contact id), counted apart from the other fields:
    /// as many as the form offers, each short.
    static let contactField = "contact"
    static let maximumContacts = FaxListQuery.maximumLimit
    static let maximumContactFieldBytes = 64

    private let folder: String
    private let formToken: String
    private var tokenChecked = false
    private var headers: [String: String] = [:]
    private var fieldName: String?
    private var fieldBytes: [UInt8] = []
    private var file: FileHandle?
    private var fieldCount = 0
    private var contactCount = 0
    private(set) var fields = WebForm(encoded: "")
    private(set) var documents: [(path: String, name: String)] = []
    private(set) var error: WebPageError?

    init(folder: String, formToken: String) {
        self.folder = folder
        self.formToken = formToken
    }

    /// Reads the whole body; throws the first error (a missing form token: 403).
    func read(_ body: some AsyncSequence<ByteBuffer, any Error>, boundary: String) async throws {
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { [unowned self] name, value in self.headers[name.lowercased()] = value }
        parser.onBody = { [unowned self] buffer in self.body(&buffer) }
        parser.onPartComplete = { [unowned self] in self.partComplete() }
        defer { try? file?.close() }
        for try await chunk in body {
            do {
                try parser.execute(chunk)
            } catch {
                throw WebPageError.badRequest("The form could not be read (it is not valid multipart/form-data).")
            }
            if let error { throw error }
        }
        if !tokenChecked { throw WebPageError.formTokenMissing }
    }

    private func body(_ buffer: inout ByteBuffer) {
        guard error == nil else { return }
        if fieldName == nil, file == nil { startPart() }
        guard error == nil else { return }
        if let file {
            do {
                try file.write(contentsOf: buffer.readableBytesView)
            } catch {
                self.error = WebPageError(.internalServerError, "Cannot write the upload.")
            }
        } else {
            let limit = fieldName == Self.contactField ? Self.maximumContactFieldBytes : Self.maximumFieldBytes
            guard fieldBytes.count + buffer.readableBytes <= limit else {
                error = WebPageError.badRequest("A field of the form is longer than \(limit) bytes.")
                return
            }
            fieldBytes.append(contentsOf: buffer.readableBytesView)
        }
    }

    /// Decides, from the part's headers, whether it is a field or a file.
    private func startPart() {
        let disposition = Self.disposition(headers["content-disposition"] ?? "")
        let name = disposition["name"] ?? ""
        guard tokenChecked || name == WebForm.formTokenField else {
            error = WebPageError.formTokenMissing
            return
        }
        if let filename = disposition["filename"], name == "file" {
            guard !filename.isEmpty else {
                fieldName = ""  // an empty file input: nothing chosen
                return
            }
            guard documents.count < FaxlineAPI.maximumDocuments else {
                error = WebPageError.badRequest("At most \(FaxlineAPI.maximumDocuments) documents per fax.")
                return
            }
            let path = folder + "/input-\(documents.count + 1)"
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let handle = FileHandle(forWritingAtPath: path)
            else {
                error = WebPageError(.internalServerError, "Cannot write the upload.")
                return
            }
            file = handle
            documents.append((path: path, name: UploadFolder.displayName(filename) ?? "document \(documents.count + 1)"))
        } else if name == Self.contactField {
            contactCount += 1
            guard contactCount <= Self.maximumContacts else {
                error = WebPageError.badRequest("At most \(Self.maximumContacts) contacts per fax.")
                return
            }
            fieldName = name
        } else {
            fieldCount += 1
            guard fieldCount <= Self.maximumFields else {
                error = WebPageError.badRequest("The form has too many fields.")
                return
            }
            fieldName = name
        }
    }

    private func partComplete() {
        if fieldName == nil, file == nil, error == nil { startPart() }
        if let file {
            try? file.close()
            self.file = nil
        } else if let name = fieldName {
            let value = String(decoding: fieldBytes, as: UTF8.self)
            if name == WebForm.formTokenField, !tokenChecked {
                if WebSessions.formTokenMatches(value, formToken) { tokenChecked = true } else { error = WebPageError.formTokenMissing }
            } else if !name.isEmpty {
                fields.append(name: name, value: value)
            }
        }
        fieldName = nil
        fieldBytes = []
        headers = [:]
    }

    /// The parameters of a Content-Disposition header (`form-data; name="a"; filename="b"`).
    static func disposition(_ header: String) -> [String: String] {
        var parameters: [String: String] = [:]
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            parameters[pair[0].trimmingCharacters(in: .whitespaces).lowercased()] = value.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return parameters
    }
}
