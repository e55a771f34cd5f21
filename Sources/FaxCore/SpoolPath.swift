/// A file in the spool, relative to the spool root, so that the database stays valid when
/// the spool moves (or is shared storage mounted elsewhere on another node).
public struct SpoolPath: Sendable, Hashable, Codable, CustomStringConvertible {
    public static let maximumLength = 1024

    public let relativePath: String

    /// Accepts `in/2026/11/23/<id>.tif`-style paths: relative, no `.`/`..`/empty components,
    /// no NUL, no backslash.
    public init(_ relativePath: String) throws {
        func fail(_ reason: String) -> FaxValidationError {
            FaxValidationError(field: "spool path", reason: "\(FieldRules.quoted(relativePath)) \(reason)")
        }
        guard !relativePath.isEmpty, relativePath.utf8.count <= Self.maximumLength else {
            throw fail("must be 1 to \(Self.maximumLength) bytes")
        }
        guard !relativePath.hasPrefix("/") else { throw fail("must be relative to the spool root") }
        guard !relativePath.utf8.contains(0), !relativePath.contains("\\"), !FieldRules.hasControlCharacters(relativePath)
        else { throw fail("contains a forbidden character") }
        let components = relativePath.split(separator: "/", omittingEmptySubsequences: false)
        guard components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw fail("must not have empty, '.' or '..' components")
        }
        self.relativePath = relativePath
    }

    public init(from decoder: any Decoder) throws {
        self = try CheckedTextCoding.decode(from: decoder, checking: { try SpoolPath($0) })
    }

    public func encode(to encoder: any Encoder) throws {
        try CheckedTextCoding.encode(relativePath, to: encoder)
    }

    /// The absolute path under a spool root.
    public func absolutePath(under spoolRoot: String) -> String {
        spoolRoot.hasSuffix("/") ? spoolRoot + relativePath : spoolRoot + "/" + relativePath
    }

    public var description: String { relativePath }
}
