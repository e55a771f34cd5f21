/// Why a document could not become fax pages, or fax pages could not become a PDF or preview.
/// Every case names the file, so a user who sent five files knows which one failed.
public enum DocumentError: Error, Equatable, CustomStringConvertible, Sendable {
    case emptyFile(path: String)
    case unreadable(path: String, reason: String)
    case unknownType(path: String)
    case encrypted(path: String)
    case damaged(path: String, reason: String)
    case tooManyPages(path: String, limit: Int)
    /// Over a size limit (pixels per page, decoder memory); the reason names the limit.
    case tooLarge(path: String, reason: String)
    /// The document (PostScript code) tried to read, write, delete or rename a file outside itself.
    case fileAccessRefused(path: String)
    case timedOut(path: String, seconds: Int)
    case toolMissing(path: String, tool: String, advice: String)
    case toolFailed(path: String, tool: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case invalidOption(String)

    public var description: String {
        switch self {
        case .emptyFile(let path):
            return "\(path): the file is empty"
        case .unreadable(let path, let reason):
            return "\(path): cannot be read (\(reason))"
        case .unknownType(let path):
            return "\(path): unknown file type (faxline sends PDF, PostScript, TIFF, PNG, JPEG, plain text and, with LibreOffice, Office documents)"
        case .encrypted(let path):
            return "\(path): the document is encrypted (password protected); send an unprotected copy"
        case .damaged(let path, let reason):
            return "\(path): the document is damaged (\(reason))"
        case .tooManyPages(let path, let limit):
            return "\(path): more than \(limit) pages"
        case .tooLarge(let path, let reason):
            return "\(path): too large to convert (\(reason))"
        case .fileAccessRefused(let path):
            return "\(path): the document tries to open, change or delete files outside itself, which is not allowed"
        case .timedOut(let path, let seconds):
            return "\(path): conversion took longer than \(seconds) s and was stopped"
        case .toolMissing(let path, let tool, let advice):
            return "\(path): \(tool) is not installed; \(advice)"
        case .toolFailed(let path, let tool, let reason):
            return "\(path): \(tool) failed (\(reason))"
        case .cannotWrite(let path, let reason):
            return "\(path): cannot be written (\(reason))"
        case .invalidOption(let reason):
            return "invalid option: \(reason)"
        }
    }
}
