import Accounts
import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Store
import Testing
import Web

/// A fax sent through the REST API to the Asterisk emulator: the server runs as `faxline serve`
/// wires it (dispatcher, AMI client, AudioSocket server, the HTTP listener), and every request
/// goes over loopback HTTP to the port the listener bound.
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
        let port = try #require(await web.localAddress?.port)
        let http = LoopbackHTTP(base: "http://127.0.0.1:\(port)", token: token)
        let letter = try TestDocuments.letter()

        let boundary = "e2e-\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"number\"\r\n\r\n555 0101\r\n".utf8)
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"letter.tif\"\r\nContent-Type: image/tiff\r\n\r\n".utf8))
        body.append(try Data(contentsOf: letter))
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        let (status, submission) = try await http.json(
            "/api/v1/faxes", method: "POST", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        #expect(status == 202, "\(submission)")
        #expect(submission["pages"] as? Int == 3)
        let jobID = Int64(try #require((submission["jobs"] as? [[String: Any]])?.first?["id"] as? Int))

        let job = try await harness.waitForJob(jobID, in: [.done, .failed])
        #expect(job.state == .done && job.sender.deviceExtension == "201" && job.owner == "alice")
        try await waitUntil { await harness.farEnd.calls.count == 1 }
        let call = try #require(await harness.farEnd.calls.first)
        #expect(call.number == "5550101" && call.outcome.farEnd?.isSuccess == true)
        #expect(try FaxPageRaster.pages(of: call.receivedFile) == FaxPageRaster.pages(of: letter.path))

        let (_, detail) = try await http.json("/api/v1/jobs/\(jobID)")
        #expect(detail["state"] as? String == "done" && detail["pagesConfirmed"] as? Int == 3)
        #expect((detail["calls"] as? [[String: Any]])?.first?["remoteStationId"] as? String == "+1 555 0101")
        try await waitUntil {
            let (_, page) = try await http.json("/api/v1/faxes?direction=sent")
            return ((page["items"] as? [[String: Any]])?.first?["status"] as? String) == "sent"
        }
        let (unauthorized, _) = try await LoopbackHTTP(base: http.base, token: "fl_0_wrong").json("/api/v1/faxes")
        #expect(unauthorized == 401)
        await harness.stop()
    }
}
