import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import Web

/// A browser's view of the web app in process: it keeps the cookies the server sets and the
/// form token of the last page, and posts forms as a browser does.
final class WebBrowser: @unchecked Sendable {
    let client: any TestClientProtocol
    private(set) var cookies: [String: String] = [:]
    private(set) var formToken: String?

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    @discardableResult
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await send(uri, .get, headers: headers, body: nil)
    }

    /// Posts an url-encoded form; `withToken` adds the current page's form token first.
    @discardableResult
    func post(_ uri: String, _ fields: [(String, String)], withToken: Bool = true) async throws -> TestResponse {
        var all = fields
        if withToken, let formToken { all.insert((WebForm.formTokenField, formToken), at: 0) }
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await send(uri, .post, headers: headers, body: ByteBuffer(string: WebForm.encode(all)))
    }

    func postMultipart(_ uri: String, _ form: MultipartForm) async throws -> TestResponse {
        try await send(uri, .post, headers: form.headers, body: form.body)
    }

    /// Signs in through the form and returns the answer to the post.
    @discardableResult
    func signIn(_ name: String, password: String) async throws -> TestResponse {
        try await get("/signin")
        return try await post("/signin", [("name", name), ("password", password)])
    }

    func send(_ uri: String, _ method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var fields = headers
        if !cookies.isEmpty { fields[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        let response = try await client.executeRequest(uri: uri, method: method, headers: fields, body: body)
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[1].isEmpty || header.contains("Expires=Thu, 01 Jan 1970") { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
        if let token = Self.formToken(in: String(buffer: response.body)) { formToken = token }
        return response
    }

    static func formToken(in html: String) -> String? {
        guard let range = html.range(of: "name=\"form_token\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
