import Documents
import FaxCore
import Foundation

/// A fax being prepared in the web app: the uploaded documents converted (with the cover page)
/// to the one TIFF that will be sent, and what the form asked for, in a private folder of the
/// spool's temporary folder. The user sees its pages, then confirms (it is submitted, and the
/// folder removed) or discards it. Drafts left behind go with the spool's temporary files.
struct SendDraft: Codable, Sendable {
    var id: String
    var owner: String
    var numbers: [String]
    /// The numbers as the preview shows them, with their contacts' names (`nil` in drafts made
    /// before the address book).
    var recipients: [String]?
    var deviceExtension: String?
    var header: String?
    var priority: Int
    var notBefore: Date?
    var pages: Int
    var documentNames: [String]
    var coverSubject: String?
    var tag: JobTag?

    static let prefix = "web-draft-"

    static func folder(id: String, in directory: String) -> String { directory + "/" + prefix + id }

    func folder(in directory: String) -> String { Self.folder(id: id, in: directory) }
    func tiff(in directory: String) -> String { folder(in: directory) + "/fax.tif" }
    func pdf(in directory: String) -> String { folder(in: directory) + "/fax.pdf" }

    /// Makes the draft's folder (mode 0700) and returns its path.
    static func makeFolder(id: String, in directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = folder(id: id, in: directory)
        guard mkdir(path, 0o700) == 0 else {
            throw WebPageError(.internalServerError, "Cannot make a folder for the upload (\(String(cString: strerror(errno)))).")
        }
        return path
    }

    /// Writes what the form asked for, and the PDF the page previews are drawn from.
    func save(in directory: String) throws {
        let data = try JSONEncoder().encode(self)
        try data.write(to: URL(fileURLWithPath: folder(in: directory) + "/draft.json"))
        _ = try FaxPDFWriter.write(tiff: tiff(in: directory), to: pdf(in: directory))
    }

    /// The draft of this id, only for its owner (anyone else: not found, as if there were none).
    static func load(id: String, owner: String, in directory: String) throws -> SendDraft {
        guard UUID(uuidString: id) != nil, let data = FileManager.default.contents(atPath: folder(id: id.lowercased(), in: directory) + "/draft.json"),
              let draft = try? JSONDecoder().decode(SendDraft.self, from: data), draft.owner == owner
        else { throw WebPageError.notFound("This fax draft (it was sent, discarded or is too old)") }
        return draft
    }

    func remove(in directory: String) {
        try? FileManager.default.removeItem(atPath: folder(in: directory))
    }
}
