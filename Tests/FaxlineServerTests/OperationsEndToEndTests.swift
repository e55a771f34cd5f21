import Accounts
import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Testing

/// `/metrics` and `/readyz` on the real HTTP listener of a running server, after real calls
/// from the Asterisk emulator and with a real (test) Asterisk manager.
@Suite("Metrics and readiness end to end", .serialized)
struct OperationsEndToEndTests {
    @Test("a received 3-page fax and a refused call: counted by direction and outcome, pages, duration, refusal reason")
    func inboundCounted() async throws {
        let harness = try await ServerHarness.start()
        let outcome = try await harness.emulator.placeInboundCall(try ServerHarness.call())
        #expect(outcome.variables["FAXSTATUS"] == "SUCCESS")
        var refused = try ServerHarness.call()
        refused.calledExtension = "999"
        refused.dnid = "999"
        #expect(try await harness.emulator.placeInboundCall(refused).variables["FAXERROR"] == "NO_DEVICE")

        let http = try await Self.http(harness.server)
        let samples = try await Self.metrics(http)
        #expect(samples.value("faxline_calls_total", ["direction": "inbound", "outcome": "succeeded"]) == 1)
        #expect(samples.value("faxline_calls_total", ["direction": "inbound", "outcome": "failed"]) == 0)
        #expect(samples.value("faxline_pages_total", ["direction": "received"]) == 3)
        #expect(samples.value("faxline_pages_total", ["direction": "sent"]) == 0)
        #expect(samples.value("faxline_call_duration_seconds_count", ["direction": "inbound"]) == 1)
        #expect(try #require(samples.value("faxline_call_duration_seconds_sum", ["direction": "inbound"])) > 0)
        // The refused call took no line: it is a refusal, not a call.
        #expect(samples.value("faxline_calls_refused_total", ["reason": "NO_DEVICE"]) == 1)
        #expect(samples.value("faxline_calls_refused_total", ["reason": "NO_FREE_LINE"]) == 0)
        #expect(samples.value("faxline_lines", ["state": "idle"]) == Double(harness.lines.lineCount))
        // No [ami]: readiness does not ask for a manager.
        #expect(try await http.json("/readyz").0 == 200)
        await harness.stop()
    }

    @Test("a fax sent through the API: conversion timed, the call and its pages counted; /readyz follows the Asterisk manager")
    func outboundCountedAndManagerReadiness() async throws {
        let harness = try await OutboundHarness.start()
        let server = harness.server.server
        let accounts = AccountAdministration(store: harness.server.database)
        _ = try await accounts.addUser(
            User(name: "alice", email: "alice@example.com", deviceExtensions: ["201"], createdAt: Date()), password: nil, actor: "test")
        let token = try await accounts.createToken(userName: "alice", scope: .send, expiresAt: nil, actor: "test", at: Date()).text
        let http = try await Self.http(server, token: token)
        try await waitUntil { try await http.json("/readyz").0 == 200 }

        let letter = try Data(contentsOf: try TestDocuments.letter())
        let body = #"{"numbers":["5550101"],"documents":[{"name":"letter.tif","content":"\#(letter.base64EncodedString())"}]}"#
        let (status, submission) = try await http.json("/api/v1/faxes", method: "POST", body: Data(body.utf8), contentType: "application/json")
        #expect(status == 202, "\(submission)")
        let jobID = Int64(try #require((submission["jobs"] as? [[String: Any]])?.first?["id"] as? Int))
        #expect(try await harness.waitForJob(jobID, in: [.done, .failed]).state == .done)

        let samples = try await Self.metrics(http)
        #expect(samples.value("faxline_conversion_duration_seconds_count") == 1)
        #expect(samples.value("faxline_calls_total", ["direction": "outbound", "outcome": "succeeded"]) == 1)
        #expect(samples.value("faxline_pages_total", ["direction": "sent"]) == 3)
        #expect(samples.value("faxline_call_duration_seconds_count", ["direction": "outbound"]) == 1)
        #expect(samples.value("faxline_jobs", ["state": "queued"]) == 0)
        #expect(samples.value("faxline_calls_total", ["direction": "inbound", "outcome": "succeeded"]) == 0)

        // Asterisk stops: the manager's connection closes and the port refuses.
        await harness.ami.beginShutdown()
        await harness.ami.finishShutdown(restart: false)
        try await waitUntil { try await http.json("/readyz").0 == 503 }
        let (_, notReady) = try await http.json("/readyz")
        let problems = try #require(notReady["problems"] as? [[String: String]])
        #expect(problems.map { $0["check"] } == ["asterisk_manager"], "\(problems)")
        #expect(problems.first?["detail"]?.hasPrefix("not logged in") == true)
        // Alive all the same.
        #expect(try await http.json("/healthz").0 == 200)
        await harness.stop()
    }
}

extension OperationsEndToEndTests {
    /// The server's own listener; `/healthz`, `/readyz` and `/metrics` ignore the token.
    static func http(_ server: FaxlineServer, token: String = "none") async throws -> LoopbackHTTP {
        LoopbackHTTP(base: "http://127.0.0.1:\(try #require(await server.web?.localAddress?.port))", token: token)
    }

    static func metrics(_ http: LoopbackHTTP) async throws -> PrometheusSamples {
        let (status, body) = try await http.data("/metrics")
        #expect(status == 200)
        return PrometheusSamples(String(decoding: body, as: UTF8.self))
    }
}
