import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Store
import Testing

/// Every bad case of an inbound call: a clear answer to Asterisk, a record of what happened,
/// and nothing lost.
@Suite("Inbound faults")
struct InboundFaultTests {
    @Test("4 calls at once on 4 lines all succeed; a 5th is refused with congestion")
    func fourLinesAndAFifthCall() async throws {
        let harness = try await ServerHarness.start { $0.mediaIdleTimeout = .seconds(30) }
        let gate = AsyncGate()
        let emulator = harness.emulator
        let document = try TestDocuments.letter()
        var held = EmulatedInboundCall(machine: EmulatedFaxMachine(role: .send(document: document.path)))
        held.mediaGate = gate
        let calls = (1...4).map { index in
            var call = held
            call.callerID = "55501\(index)0"
            return Task { try await emulator.placeInboundCall(call) }
        }
        try await waitUntil { harness.lines.snapshot().lines.allSatisfy { $0.state != .idle } }

        let fifth = try await emulator.placeInboundCall(try ServerHarness.call())
        #expect(fifth.variables["FAXSTATUS"] == "FAILED")
        #expect(fifth.variables["FAXERROR"] == "NO_FREE_LINE")
        #expect(!fifth.answered)
        #expect(fifth.commands.contains { $0.hasPrefix("EXEC Congestion") })

        gate.open()
        for call in calls {
            let outcome = try await call.value
            #expect(outcome.variables["FAXSTATUS"] == "SUCCESS")
            #expect(outcome.variables["FAXPAGES"] == "3")
        }
        let counters = harness.lines.snapshot().counters
        #expect(counters.inboundCalls == 4)
        #expect(counters.succeeded == 4)
        #expect(counters.inboundRefusedNoFreeLine == 1)
        let faxes = try await harness.database.recentFaxes(FaxQuery(limit: 10))
        #expect(faxes.filter { $0.status == .received }.count == 4)
        #expect(faxes.filter { $0.status == .refused }.count == 1)
        #expect(Set(faxes.compactMap(\.lineName)).count == 4)
        await harness.stop()
    }

    @Test("an extension with no device and no default route is refused, on no line")
    func unknownExtension() async throws {
        let harness = try await ServerHarness.start()
        var call = try ServerHarness.call()
        call.calledExtension = "999"
        call.dnid = "999"
        let outcome = try await harness.emulator.placeInboundCall(call)
        #expect(outcome.variables["FAXSTATUS"] == "FAILED")
        #expect(outcome.variables["FAXERROR"] == "NO_DEVICE")
        #expect(outcome.variables["FAXSTATUSSTRING"]?.isEmpty == false)
        #expect(!outcome.answered)
        #expect(outcome.mediaFrames == 0)
        let fax = try await harness.onlyFax()
        #expect(fax.status == .refused)
        #expect(harness.lines.snapshot().counters.inboundCalls == 0)
        await harness.stop()
    }

    @Test("the default route takes a fax nobody claims")
    func defaultRoute() async throws {
        let harness = try await ServerHarness.start()
        try await harness.database.setDefaultExtension("201")
        var call = try ServerHarness.call(sending: try onePage())
        call.calledExtension = "777"
        let outcome = try await harness.emulator.placeInboundCall(call)
        #expect(outcome.variables["FAXSTATUS"] == "SUCCESS")
        #expect(try await harness.onlyFax().deviceExtensions == ["201"])
        await harness.stop()
    }

    @Test("the caller hangs up after page 1: the page is kept, the fax is partial and still mailed")
    func hangupMidFax() async throws {
        let harness = try await ServerHarness.start()
        let outcome = try await harness.emulator.placeInboundCall(try ServerHarness.call(hangUpAfterPages: 1))
        #expect(outcome.variables["FAXSTATUS"] == "FAILED")
        #expect(outcome.variables["FAXPAGES"] == "1")
        let fax = try await harness.onlyFax()
        #expect(fax.status == .partial)
        #expect(fax.session.pages == 1)
        let tiff = try #require(fax.files.tiff).absolutePath(under: harness.spoolRoot)
        let sent = try FaxPageRaster.pages(of: TestDocuments.letter().path)
        #expect(try FaxPageRaster.pages(of: tiff) == [sent[0]])
        let messages = try await harness.smtp.waitForMessages(count: 1)
        #expect(messages.first?.text.contains("partial") == true || messages.first?.text.contains("Partial") == true)
        #expect(harness.lines.snapshot().lines.allSatisfy { $0.state == .idle })
        await harness.stop()
    }

    @Test("an AudioSocket connection with a UUID nobody announced is closed at once; the call fails cleanly")
    func bogusMediaUUID() async throws {
        let harness = try await ServerHarness.start()
        var call = try ServerHarness.call()
        call.useBogusMediaUUID = true
        let outcome = try await harness.emulator.placeInboundCall(call)
        #expect(outcome.mediaRefused)
        #expect(outcome.variables["FAXSTATUS"] == "FAILED")
        let fax = try await harness.onlyFax()
        #expect(fax.status == .failed)
        #expect(fax.files.tiff == nil)
        #expect(fax.events.contains { $0.text.contains("audio never connected") })
        #expect(harness.lines.snapshot().lines.allSatisfy { $0.state == .idle })
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.spoolRoot + "/tmp").isEmpty)
        await harness.stop()
    }

    @Test("malformed AGI input is dropped and the server keeps serving", arguments: [
        "agi_network: yes\nthis is not agi\n\n",
        "agi_request agi://x/inbound\n\n",
        String(repeating: "x", count: 70_000) + "\n\n",
        "\u{0}\u{1}\u{2}binary\n\n",
        "agi_request: agi://127.0.0.1/nosuchscript\nagi_uniqueid: 1.2\n\n",
    ])
    func malformedAGI(input: String) async throws {
        let harness = try await ServerHarness.start()
        // The server may reset the connection while an oversized line is still being written.
        if let bad = try? await harness.emulator.sendRawAGI(Array(input.utf8)) {
            #expect(!bad.answered)
            if input.contains("nosuchscript") {
                #expect(bad.variables["FAXERROR"] == "UNKNOWN_SCRIPT")
            }
        } else {
            #expect(input.utf8.count > 60_000, "only the oversized line may end in a reset")
        }
        let good = try await harness.emulator.placeInboundCall(try ServerHarness.call(sending: try onePage()))
        #expect(good.variables["FAXSTATUS"] == "SUCCESS")
        await harness.stop()
    }

    @Test("the mail server is down: the fax waits as delivery pending, and goes out when it is back")
    func mailServerDownAndBack() async throws {
        let harness = try await ServerHarness.start()
        await harness.smtp.stop()
        let outcome = try await harness.emulator.placeInboundCall(try ServerHarness.call(sending: try onePage()))
        #expect(outcome.variables["FAXSTATUS"] == "SUCCESS")
        let fax = try await harness.onlyFax()
        try await waitUntil {
            let deliveries = try await harness.database.deliveries(faxID: fax.id)
            return deliveries.first?.attempts ?? 0 >= 1 && deliveries.first?.state == .pending
        }
        let waiting = try #require(try await harness.database.deliveries(faxID: fax.id).first)
        #expect(waiting.lastError?.isEmpty == false)
        #expect(waiting.nextAttemptAt != nil)
        #expect(try await harness.database.fax(id: fax.id)?.deliveryState == .pending)

        _ = try await harness.smtp.start()
        // Time passes: the retry falls due.
        let delivered = await harness.server.mailDelivery.deliverDue(now: Date().addingTimeInterval(24 * 3600))
        #expect(delivered == 1)
        #expect(try await harness.smtp.waitForMessages(count: 1).count == 1)
        #expect(try await harness.database.fax(id: fax.id)?.deliveryState == .delivered)
        await harness.stop()
    }

    @Test("a nearly full disk refuses the call before answering; nothing is written")
    func diskFull() async throws {
        let harness = try await ServerHarness.start { $0.minimumFreeBytes = .max / 2 }
        let outcome = try await harness.emulator.placeInboundCall(try ServerHarness.call())
        #expect(outcome.variables["FAXERROR"] == "DISK_FULL")
        #expect(!outcome.answered)
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.spoolRoot + "/tmp").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.spoolRoot + "/in").isEmpty)
        await harness.stop()
    }

    @Test("Dial with Asterisk's T.38 gateway instead of the AudioSocket application")
    func dialGateway() async throws {
        let harness = try await ServerHarness.start { $0.mediaConnection = .dialGateway }
        let outcome = try await harness.emulator.placeInboundCall(try ServerHarness.call(sending: try onePage()))
        #expect(outcome.commands.contains { $0.hasPrefix("SET VARIABLE FAXOPT(gateway)") || $0.hasPrefix("SET VARIABLE \"FAXOPT(gateway)\"") })
        #expect(outcome.commands.contains { $0.contains("Dial") && $0.contains("AudioSocket/127.0.0.1:") && $0.contains("c(slin)") })
        #expect(outcome.variables["FAXSTATUS"] == "SUCCESS")
        await harness.stop()
    }

    @Test("a reception cut by a crash: on restart its whole pages are filed as a partial fax and mailed")
    func recoveryAfterCrash() async throws {
        let folder = try TestDocuments.makeTemporaryDirectory("crash")
        // The first server "dies" in the middle of a call: a record in 'receiving' and the
        // pages spandsp had written so far.
        var configuration = FaxlineConfiguration(dataDirectory: folder.path)
        let database = try FaxDatabase(path: configuration.databasePath)
        _ = try await database.addDevice(ServerHarness.salesDevice)
        let interrupted = FaxRecord(deviceExtensions: ["201"], callerNumber: "5550100", lineName: "line2", status: .receiving)
        try await database.insertFax(interrupted)
        try FileManager.default.createDirectory(atPath: configuration.spoolDirectory + "/tmp", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try onePage().path, toPath: configuration.spoolDirectory + "/tmp/\(interrupted.id).tif")
        configuration.agi = .init(host: "127.0.0.1", port: 0)

        let harness = try await ServerHarness.start(devices: []) { $0.dataDirectory = folder.path }
        try await waitUntil { try await harness.database.fax(id: interrupted.id)?.status != .receiving }
        let fax = try #require(try await harness.database.fax(id: interrupted.id))
        #expect(fax.status == .partial)
        #expect(fax.session.pages == 1)
        #expect(fax.files.pdf != nil)
        #expect(try await harness.smtp.waitForMessages(count: 1).count == 1)
        await harness.stop()
    }
}

/// Page 1 of the letter, for calls whose content does not matter (faster).
func onePage() throws -> URL {
    let output = TestDocuments.scratch.appendingPathComponent("letter-page1.tif")
    if !FileManager.default.fileExists(atPath: output.path) {
        let partial = output.appendingPathExtension("part")
        try TestDocuments.run("/usr/bin/tiffcp", [try TestDocuments.letter().path + ",0", partial.path])
        try? FileManager.default.moveItem(at: partial, to: output)
    }
    return output
}
