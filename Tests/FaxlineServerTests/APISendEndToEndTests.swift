import Accounts
import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Store
import Testing
import Web

/// A fax sent through the REST API to the Asterisk emulator: the server runs (dispatcher, AMI
/// client, AudioSocket server, the HTTP listener); the request goes through the same HTTP
/// application the listener serves.
@Suite("REST API end to end", .serialized)
struct APISendEndToEndTests {
    @Test("POST /api/v1/faxes with a 3-page TIFF: dialed, the far end gets identical pages, the job and the sent fax show it")
    func sendThroughTheAPI() async throws {
        let harness = try await OutboundHarness.start()
        let server = harness.server.server
        let web = try #require(server.web)
        #expect((await web.localAddress)?.port ?? 0 > 0)
        let accounts = AccountAdministration(store: harness.database)
        _ = try await accounts.addUser(
            User(name: "alice", email: "alice@example.com", deviceExtensions: ["201"], createdAt: Date()), password: nil, actor: "test")
        let token = try await accounts.createToken(userName: "alice", scope: .send, expiresAt: nil, actor: "test", at: Date()).text
        let letter = try TestDocuments.letter()

        let boundary = "e2e-\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"number\"\r\n\r\n555 0101\r\n".utf8)
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"letter.tif\"\r\nContent-Type: image/tiff\r\n\r\n".utf8))
        body.append(try Data(contentsOf: letter))
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"

        let request = (headers: headers, body: ByteBuffer(bytes: body))
        let application = try web.makeApplication()
        let jobID: Int64 = try await application.test(.router) { client in
            let response = try await client.executeRequest(uri: "/api/v1/faxes", method: .post, headers: request.headers, body: request.body)
            #expect(response.status == .accepted, "\(String(buffer: response.body))")
            let submission = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(submission["pages"] as? Int == 3)
            return Int64(try #require((submission["jobs"] as? [[String: Any]])?.first?["id"] as? Int))
        }

        let job = try await harness.waitForJob(jobID, in: [.done, .failed])
        #expect(job.state == .done && job.sender.deviceExtension == "201" && job.owner == "alice")
        try await waitUntil { await harness.farEnd.calls.count == 1 }
        let call = try #require(await harness.farEnd.calls.first)
        #expect(call.number == "5550101" && call.outcome.farEnd?.isSuccess == true)
        #expect(try FaxPageRaster.pages(of: call.receivedFile) == FaxPageRaster.pages(of: letter.path))

        try await application.test(.router) { client in
            var auth = HTTPFields()
            auth[.authorization] = "Bearer \(token)"
            let shown = try await client.executeRequest(uri: "/api/v1/jobs/\(jobID)", method: .get, headers: auth, body: nil)
            let detail = try #require(try JSONSerialization.jsonObject(with: Data(buffer: shown.body)) as? [String: Any])
            #expect(detail["state"] as? String == "done" && detail["pagesConfirmed"] as? Int == 3)
            #expect((detail["calls"] as? [[String: Any]])?.first?["remoteStationId"] as? String == "+1 555 0101")
            try await waitUntil {
                let sent = try await client.executeRequest(uri: "/api/v1/faxes?direction=sent", method: .get, headers: auth, body: nil)
                let page = try JSONSerialization.jsonObject(with: Data(buffer: sent.body)) as? [String: Any]
                return ((page?["items"] as? [[String: Any]])?.first?["status"] as? String) == "sent"
            }
        }
        await harness.stop()
    }
}
