import FaxCore

/// Finds a record (webhook, delivery, contact) by the start of its UUID, as people type it
/// after seeing the first 8 characters in a list.
public enum IDPrefixLookup {
    /// At most this many candidates are shown when a prefix names several.
    static let candidatesShown = 5

    /// The one record whose id starts with `text`. `ids` lists the ids starting with a prefix
    /// (at most a count), `record` reads one.
    public static func find<Record: Sendable>(
        _ text: String, naming thing: String, ids: (String, Int) async throws -> [String], record: (String) async throws -> Record?
    ) async throws -> Record {
        let prefix = try FaxIDPrefix(text, naming: thing)
        let found = try await ids(prefix.text, candidatesShown + 1)
        guard found.count == 1 else { throw IDLookupError(thing: thing, prefix: prefix.text, candidates: found) }
        guard let result = try await record(found[0]) else { throw IDLookupError(thing: thing, prefix: prefix.text, candidates: []) }
        return result
    }
}

/// A prefix that names no record, or several.
public struct IDLookupError: Error, Sendable, Equatable, CustomStringConvertible {
    public var thing: String
    public var prefix: String
    /// The ids that start so (at most a few, and one more when there are more).
    public var candidates: [String]

    public var description: String {
        guard !candidates.isEmpty else { return "no \(thing) \(prefix)" }
        let shown = candidates.prefix(IDPrefixLookup.candidatesShown).map { "  " + $0 }
        return "\(prefix) names more than one \(thing); give more of the id:\n" + shown.joined(separator: "\n")
            + (candidates.count > IDPrefixLookup.candidatesShown ? "\n  …" : "")
    }
}
