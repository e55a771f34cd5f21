import Accounts
import Crypto
import FaxCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import Web

@Suite("REST API: tokens, scopes and problem details")
struct AuthenticationTests {
    @Test("without a token, with a malformed header or a wrong token: 401 problem details with WWW-Authenticate")
    func unauthenticated() async throws {
        let fixture = try await APIFixture.make()
        try await fixture.test { client in
            let missing = try await client.request("/api/v1/faxes", token: nil)
            let problem = try missing.expectProblem(.unauthorized)
            #expect(problem["instance"] as? String == "/api/v1/faxes")
            #expect(missing.headers[.wwwAuthenticate] == "Bearer realm=\"faxline\"")

            var basic = HTTPFields()
            basic[.authorization] = "Basic YWxpY2U6c2VjcmV0"
            try await client.request("/api/v1/faxes", token: nil, headers: basic).expectProblem(.unauthorized)
            try await client.request("/api/v1/faxes", token: "fxl_1_" + String(repeating: "A", count: 43)).expectProblem(.unauthorized)
            try await client.request("/api/v1/faxes", token: "not-a-token").expectProblem(.unauthorized)
            // Every resource is behind the token, the administration too.
            for path in ["/api/v1/jobs", "/api/v1/devices", "/api/v1/users", "/api/v1/status", "/api/v1/me"] {
                try await client.request(path, token: nil).expectProblem(.unauthorized)
            }
        }
    }

    @Test("a revoked token, an expired one and the token of a disabled user are refused")
    func unusableTokens() async throws {
        let fixture = try await APIFixture.make()
        let accounts = AccountAdministration(store: fixture.database)
        let revoked = try await accounts.createToken(userName: "alice", scope: .read, expiresAt: nil, actor: "test", at: Date())
        _ = try await accounts.revokeToken(id: try #require(revoked.token.id), actor: "test", at: Date())
        let expired = try await accounts.createToken(
            userName: "alice", scope: .read, expiresAt: Date().addingTimeInterval(-10), actor: "test", at: Date().addingTimeInterval(-100))
        let bobs = try #require(fixture.tokens["bob"])
        _ = try await accounts.changeUser(name: "bob", User.Changes(isEnabled: false), actor: "test", at: Date())
        try await fixture.test { client in
            for token in [revoked.text, expired.text, bobs] {
                let problem = try await client.request("/api/v1/me", token: token).expectProblem(.unauthorized)
                #expect((problem["detail"] as? String)?.contains("not valid") == true)
            }
            let alice = try await client.request("/api/v1/me", token: fixture.tokens["alice"])
            #expect(alice.status == .ok)
            let me = try alice.json()
            #expect((me["user"] as? [String: Any])?["name"] as? String == "alice")
            #expect(me["scope"] as? String == "admin")
        }
    }

    @Test("the spec is served without a token, and it is the one the code was generated from")
    func specification() async throws {
        let fixture = try await APIFixture.make()
        try await fixture.test { client in
            let response = try await client.request("/api/v1/openapi.yaml", token: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/yaml")
            let onDisk = try String(contentsOf: Self.specPath, encoding: .utf8)
            #expect(response.text == onDisk)
        }
    }

    @Test("the generated code is current: regenerate with scripts/generate-api after changing openapi.yaml")
    func generatedCodeIsCurrent() throws {
        let data = try Data(contentsOf: Self.specPath)
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        let generated = try String(
            contentsOf: Self.specPath.deletingLastPathComponent().appendingPathComponent("Generated/OpenAPIDocument.swift"), encoding: .utf8)
        #expect(generated.contains("static let sha256 = \"\(digest)\""),
                "Sources/Web/openapi.yaml changed since the server code was generated: run scripts/generate-api and commit its output")
    }

    @Test("a token's scope limits what it does: read cannot send, kill or delete; send cannot delete; 403 names the scope")
    func scopes() async throws {
        let fixture = try await APIFixture.make()
        let fax = try await fixture.receivedFax(on: "201")
        let read = try await fixture.token("alice", scope: .read)
        let send = try await fixture.token("alice", scope: .send)
        try await fixture.test { client in
            #expect(try await client.request("/api/v1/faxes/\(fax.id)", token: read).status == .ok)
            let problem = try await client.request("/api/v1/faxes/\(fax.id)", .delete, token: read).expectProblem(.forbidden)
            #expect((problem["detail"] as? String)?.contains("scope admin") == true)
            try await client.request("/api/v1/faxes/\(fax.id)", .delete, token: send).expectProblem(.forbidden)
            try await client.request("/api/v1/faxes/\(fax.id)/resend", .post, token: read, json: "{}").expectProblem(.forbidden)
            let form = MultipartForm()
            form.add("number", "5550100")
            form.addFile("file", filename: "a.txt", contentType: "text/plain", Data("hello".utf8))
            try await client.request("/api/v1/faxes", .post, token: read, headers: form.headers, body: form.body).expectProblem(.forbidden)
            try await client.request("/api/v1/tokens", .post, token: send, json: #"{"scope":"read"}"#).expectProblem(.forbidden)
            // An ordinary user's admin token is still no administrator's.
            try await client.request("/api/v1/devices", token: fixture.tokens["alice"]).expectProblem(.forbidden)
        }
    }

    @Test("unknown paths and malformed values are problem details too")
    func otherErrors() async throws {
        let fixture = try await APIFixture.make()
        let token = try #require(fixture.tokens["admin"])
        try await fixture.test { client in
            try await client.request("/api/v1/nothing-here", token: token).expectProblem(.notFound)
            try await client.request("/api/v1/jobs/abc", token: token).expectProblem(.badRequest)
            try await client.request("/api/v1/faxes?limit=0", token: token).expectProblem(.badRequest)
            try await client.request("/api/v1/faxes?direction=sideways", token: token).expectProblem(.badRequest)
            try await client.request("/api/v1/devices", .post, token: token, json: "{not json").expectProblem(.badRequest)
            try await client.request("/api/v1/faxes/\(UUID().uuidString)", token: token).expectProblem(.notFound)
            try await client.request("/api/v1/faxes/not-a-uuid", token: token).expectProblem(.notFound)
        }
    }

    static let specPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/Web/openapi.yaml")
}
