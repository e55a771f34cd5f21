import Accounts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The fields of an `application/x-www-form-urlencoded` body or a query string, in order
/// (a name may repeat).
struct WebForm: Sendable {
    static let formTokenField = "form_token"
    /// Forms are small; only Send uploads files (multipart, read elsewhere).
    static let maximumBytes = 64 * 1024

    private(set) var fields: [(name: String, value: String)] = []

    init(encoded text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields.append((Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : ""))
        }
    }

    init(query request: Request) {
        self.init(encoded: String(request.uri.query ?? ""))
    }

    /// The body of a POST, refused with 403 unless it carries the session's form token.
    static func posted(_ request: Request, context: WebRequestContext) async throws -> (WebForm, WebSessions.SignedIn) {
        let session = try context.requireSession()
        var request = request
        let body = try await request.collectBody(upTo: maximumBytes)
        let form = WebForm(encoded: String(buffer: body))
        guard WebSessions.formTokenMatches(form[formTokenField], session.formToken) else { throw WebPageError.formTokenMissing }
        return (form, session)
    }

    mutating func append(name: String, value: String) { fields.append((name, value)) }

    subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// The value, trimmed; `nil` when absent or blank.
    func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    func flag(_ name: String) -> Bool { self[name].map { $0 == "on" || $0 == "1" || $0 == "true" } ?? false }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Text for a URL's query: RFC 3986's unreserved characters as they are, everything else
    /// percent-encoded as UTF-8 (`alphanumerics` would let `ü` of a job's tag through raw).
    static func encode(_ pairs: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }
}

extension WebRequestContext {
    /// The signed-in session, or the sign-in page.
    func requireSession() throws -> WebSessions.SignedIn {
        guard let session else { throw WebRedirect.signIn }
        return session
    }
}

/// A redirect a handler throws (to sign in), answered by the app's middleware.
struct WebRedirect: Error {
    var location: String

    static let signIn = WebRedirect(location: "/signin")
}
