import FaxCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Store
import Testing
import Web

@Suite("REST API: sending")
struct SendAPITests {
    static let letter = Data("Dear Sir or Madam,\n\nplease find our offer below.\n".utf8)

    @Test("multipart: a broadcast to two numbers as the user's device, with a cover page; one job per number, queued")
    func multipartBroadcast() async throws {
        let fixture = try await APIFixture.make()
        let form = MultipartForm()
        form.add("number", "555 0101")
        form.add("number", "+1 (555) 0102")
        form.addFile("file", filename: "offer.txt", contentType: "text/plain", Self.letter)
        form.addJSON("options", #"{"from":"201","priority":50,"tries":5,"header":"ACME","cover":{"to":"Mr Smith","subject":"Offer"}}"#)
        let submission = try jsonObject(try await fixture.test { client in
            let response = try await client.request("/api/v1/faxes", .post, token: fixture.tokens["alice"], headers: form.headers, body: form.body)
            #expect(response.status == .accepted, "\(response.text)")
            return Data(buffer: response.body)
        })
        let jobs = try #require(submission["jobs"] as? [[String: Any]])
        #expect(jobs.compactMap { $0["number"] as? String } == ["5550101", "+15550102"])
        #expect(submission["pages"] as? Int == 2)
        let broadcast = try #require(submission["broadcastId"] as? String)
        let stored = try await fixture.database.jobs(JobQuery(broadcastID: broadcast))
        #expect(stored.count == 2)
        for job in stored {
            #expect(job.state == .queued && job.priority == 50 && job.maxTries == 5 && job.pageCount == 2)
            #expect(job.owner == "alice" && job.sender.deviceExtension == "201" && job.sender.stationID == "+1 555 0201")
            #expect(job.sender.header == "ACME" && job.sender.callerIDName == "Sales")
        }
        // The upload folder is gone; the document is in the spool.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.spoolRoot + "/tmp").filter { $0.hasPrefix("upload-") }
        #expect(leftovers.isEmpty)
        #expect(FileManager.default.fileExists(atPath: try #require(stored.first).document.absolutePath(under: fixture.spoolRoot)))
    }

    @Test("JSON with base64 documents; a user with one device sends as it without naming it")
    func json() async throws {
        let fixture = try await APIFixture.make()
        let body = #"{"numbers":["5550103"],"documents":[{"name":"a.txt","content":"\#(Self.letter.base64EncodedString())"}],"options":{"sendAt":"2030-01-01T08:00:00Z","killAfter":7200}}"#
        let submission = try jsonObject(try await fixture.test { client in
            let response = try await client.request("/api/v1/faxes", .post, token: fixture.tokens["bob"], json: body)
            #expect(response.status == .accepted, "\(response.text)")
            return Data(buffer: response.body)
        })
        let id = try #require((submission["jobs"] as? [[String: Any]])?.first?["id"] as? Int)
        let job = try #require(try await fixture.database.job(id: Int64(id)))
        #expect(job.sender.deviceExtension == "202" && job.pageCount == 1)
        #expect(job.notBefore == Date(timeIntervalSince1970: 1_893_484_800))
        #expect(job.killAt == job.notBefore.addingTimeInterval(7200))
    }

    @Test("a document the converter refuses: 422 naming the file as uploaded and its problem; nothing queued")
    func unconvertible() async throws {
        let fixture = try await APIFixture.make()
        let form = MultipartForm()
        form.add("number", "5550100")
        form.addFile("file", filename: "good.txt", contentType: "text/plain", Self.letter)
        form.addFile("file", filename: "../../scan.bin", contentType: "application/octet-stream", Data([0x00, 0x01, 0x02, 0xFF, 0xFE]))
        try await fixture.test { client in
            let problem = try await client.request("/api/v1/faxes", .post, token: fixture.tokens["alice"], headers: form.headers, body: form.body)
                .expectProblem(.unprocessableContent)
            #expect(problem["detail"] as? String == "scan.bin: unknown file type (faxline sends PDF, PostScript, TIFF, PNG, JPEG, plain text and, with LibreOffice, Office documents)")
            #expect(problem["field"] as? String == "scan.bin")

            let empty = MultipartForm()
            empty.add("number", "5550100")
            empty.addFile("file", filename: "empty.txt", contentType: "text/plain", Data())
            let emptyProblem = try await client.request("/api/v1/faxes", .post, token: fixture.tokens["alice"], headers: empty.headers, body: empty.body)
                .expectProblem(.unprocessableContent)
            #expect(emptyProblem["detail"] as? String == "empty.txt: the file is empty")

            let badNumber = MultipartForm()
            badNumber.add("number", "call me")
            badNumber.addFile("file", filename: "a.txt", contentType: "text/plain", Self.letter)
            let numberProblem = try await client.request("/api/v1/faxes", .post, token: fixture.tokens["alice"], headers: badNumber.headers, body: badNumber.body)
                .expectProblem(.unprocessableContent)
            #expect(numberProblem["field"] as? String == "number")
        }
        #expect(try await fixture.database.jobs(JobQuery()).isEmpty)
    }

    @Test("sending as someone else's device is 403; an administrator may send as any device or none")
    func sendAs() async throws {
        let fixture = try await APIFixture.make()
        try await fixture.test { client in
            let mine = Self.form(from: "202")
            let problem = try await client.request("/api/v1/faxes", .post, token: fixture.tokens["alice"], headers: mine.headers, body: mine.body)
                .expectProblem(.forbidden)
            #expect((problem["detail"] as? String)?.contains("202") == true)
            for device in ["202", nil] {
                let admin = Self.form(from: device)
                #expect(try await client.request("/api/v1/faxes", .post, token: fixture.tokens["admin"], headers: admin.headers, body: admin.body)
                    .status == .accepted)
            }
        }
        #expect(try await fixture.database.jobs(JobQuery()).count == 2)
    }

    static func form(from device: String?) -> MultipartForm {
        let form = MultipartForm()
        form.add("number", "5550100")
        form.addFile("file", filename: "a.txt", contentType: "text/plain", letter)
        if let device { form.addJSON("options", #"{"from":"\#(device)"}"#) }
        return form
    }

    @Test("an upload over the limit is 413, with or without Content-Length; the disk guard gives 507")
    func limits() async throws {
        let fixture = try await APIFixture.make { $0.web.maximumUploadBytes = 64 * 1024 }
        let form = MultipartForm()
        form.add("number", "5550100")
        form.addFile("file", filename: "big.txt", contentType: "text/plain", Data(repeating: 0x41, count: 100 * 1024))
        try await fixture.test { client in
            var headers = form.headers
            headers[.contentLength] = String(form.body.readableBytes)
            let problem = try await client.request("/api/v1/faxes", .post, token: fixture.tokens["alice"], headers: headers, body: form.body)
                .expectProblem(.contentTooLarge)
            #expect((problem["detail"] as? String)?.contains("max_upload_mb") == true)
            try await client.request("/api/v1/faxes", .post, token: fixture.tokens["alice"], headers: form.headers, body: form.body)
                .expectProblem(.contentTooLarge)
        }
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: fixture.spoolRoot + "/tmp"))?.filter { $0.hasPrefix("upload-") }
        #expect(leftovers?.isEmpty ?? true)

        let full = try await APIFixture.make { $0.minimumFreeBytes = Int64.max / 2 }
        let small = MultipartForm()
        small.add("number", "5550100")
        small.addFile("file", filename: "a.txt", contentType: "text/plain", Self.letter)
        try await full.test { client in
            let problem = try await client.request("/api/v1/faxes", .post, token: full.tokens["alice"], headers: small.headers, body: small.body)
                .expectProblem(HTTPResponse.Status(code: 507))
            #expect((problem["detail"] as? String)?.contains("no room for new faxes") == true)
        }
    }
}
