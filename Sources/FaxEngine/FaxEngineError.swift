/// Errors found before a call starts. Anything that goes wrong during a call is a `FaxResult`.
public enum FaxEngineError: Error, Equatable, CustomStringConvertible {
    case invalidOption(String)
    case unreadableDocument(path: String, reason: String)
    case pageRange(path: String, reason: String)
    case cannotWriteReceivedFax(path: String, reason: String)
    case spandspFailure(String)

    public var description: String {
        switch self {
        case .invalidOption(let reason):
            "invalid fax option: \(reason)"
        case .unreadableDocument(let path, let reason):
            "cannot send \(path): \(reason)"
        case .pageRange(let path, let reason):
            "cannot send \(path): \(reason)"
        case .cannotWriteReceivedFax(let path, let reason):
            "cannot receive into \(path): \(reason)"
        case .spandspFailure(let what):
            "spandsp failed: \(what)"
        }
    }
}
