import Foundation

/// A signed-in browser session of the web app. The browser holds a random secret in a cookie;
/// the store keeps only its SHA-256, so a copy of the database signs nobody in.
public struct WebSession: Sendable, Equatable {
    public var userID: Int64
    public var createdAt: Date
    public var expiresAt: Date

    public init(userID: Int64, createdAt: Date, expiresAt: Date) {
        self.userID = userID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// The store side of web sessions. A session goes with its user.
public protocol WebSessionRepository: Sendable {
    /// Stores a new session under the hash of its secret (32 bytes), and forgets every session
    /// that expired before `session.createdAt`.
    func addSession(_ session: WebSession, secretHash: [UInt8]) async throws
    func session(secretHash: [UInt8]) async throws -> WebSession?
    func removeSession(secretHash: [UInt8]) async throws
}

/// What users write on a fax in the web app: a note and tags (shared by everyone who sees it).
public struct FaxAnnotation: Sendable, Equatable {
    public var note: String
    public var tags: [String]

    public static let maximumNoteLength = 2000
    public static let maximumTags = 20
    public static let maximumTagLength = 32

    public init(note: String = "", tags: [String] = []) {
        self.note = note
        self.tags = tags
    }

    /// From what a user typed: the note trimmed and cut to its limit, tags split on commas and
    /// spaces, lower-cased, printable, unique, in order.
    public init(typedNote: String, typedTags: String) {
        let lines = typedNote.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { UntrustedText.cleaned($0) }
        note = String(lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines).prefix(Self.maximumNoteLength))
        var seen = Set<String>()
        tags = typedTags.split(whereSeparator: { $0 == "," || $0.isWhitespace })
            .map { String(UntrustedText.cleaned($0).lowercased().prefix(Self.maximumTagLength)) }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
            .prefix(Self.maximumTags).map { $0 }
    }
}

/// Notes, tags and who has opened a received fax.
public protocol FaxAnnotationRepository: Sendable {
    func annotation(faxID: String) async throws -> FaxAnnotation
    func setAnnotation(_ annotation: FaxAnnotation, faxID: String) async throws
    /// Records that the user opened the fax (once; later opens change nothing).
    func markRead(faxID: String, userID: Int64, at now: Date) async throws
    /// Which of these faxes the user has opened.
    func readFaxIDs(_ faxIDs: [String], userID: Int64) async throws -> Set<String>
}
