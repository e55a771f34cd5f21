/// Store failures the callers act on, whatever database is behind the repositories.
public enum RepositoryError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(String)
    /// Another record already has this unique value.
    case conflict(String)
    /// The record is still referenced by others.
    case inUse(String)

    public var description: String {
        switch self {
        case .notFound(let what): "\(what) not found"
        case .conflict(let what): what
        case .inUse(let what): what
        }
    }
}
