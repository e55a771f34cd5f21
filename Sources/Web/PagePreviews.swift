import Documents
import Foundation

/// Page previews as PNG, rendered from the fax's PDF on first request and kept on disk under a
/// name that carries the PDF's identity (size and modification time), so a changed or
/// re-filed fax never shows an old picture. The ETag is the same identity.
struct PagePreviews: Sendable {
    enum Size: String, Sendable {
        case full, thumbnail
    }

    let directory: String
    var preview = FaxPreview(timeLimit: .seconds(60))

    /// The PNG of `page` (1-based) of the fax whose PDF is at `pdf`, rendering it if needed.
    /// Throws `DocumentError.invalidOption` for a page the PDF does not have.
    func png(faxID: String, pdf: String, page: Int, size: Size) async throws -> String {
        let tag = try FileTag(path: pdf)
        let cached = directory + "/preview-\(faxID)-\(page)-\(size.rawValue)-\(tag.token).png"
        if FileManager.default.fileExists(atPath: cached) { return cached }
        switch size {
        case .full: try await preview.fullPage(page, ofPDF: pdf, to: cached)
        case .thumbnail: try await preview.thumbnail(ofPDF: pdf, to: cached)
        }
        return cached
    }

    /// The ETag of a page of this PDF, known without rendering it.
    static func etag(faxID: String, pdf: String, page: Int, size: Size) throws -> String {
        "\"\(faxID)-\(page)-\(size.rawValue)-\(try FileTag(path: pdf).token)\""
    }
}

/// What identifies a version of a file: its size and modification time.
struct FileTag: Equatable {
    var bytes: Int64
    var modified: Int64

    init(path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw APIProblem(.notFound, "the file is gone from the spool") }
        bytes = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }

    var token: String { String(bytes, radix: 36) + "-" + String(modified, radix: 36) }
    var etag: String { "\"\(token)\"" }

    /// Whether an If-None-Match header names this version.
    static func matches(_ header: String?, etag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { item in
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            return trimmed == "*" || trimmed == etag || trimmed == "W/" + etag
        }
    }
}
