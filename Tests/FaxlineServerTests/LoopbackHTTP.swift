import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Requests to the server's HTTP listener over loopback, with a bearer token.
struct LoopbackHTTP {
    let base: String
    let token: String

    /// The status and the body of the answer.
    func data(_ path: String, method: String = "GET", body: Data? = nil, contentType: String? = nil) async throws -> (Int, Data) {
        var request = URLRequest(url: try #require(URL(string: base + path)))
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        return (try #require(response as? HTTPURLResponse).statusCode, data)
    }

    /// The status and the JSON object of the answer.
    func json(_ path: String, method: String = "GET", body: Data? = nil, contentType: String? = nil) async throws -> (Int, [String: Any]) {
        let (status, data) = try await data(path, method: method, body: body, contentType: contentType)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (status, try #require(object, "not a JSON object: \(String(decoding: data, as: UTF8.self))"))
    }
}
