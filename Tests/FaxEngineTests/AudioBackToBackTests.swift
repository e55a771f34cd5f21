import Documents
import FaxEngine
import FaxTestSupport
import Testing

@Suite("Audio back to back")
struct AudioBackToBackTests {
    @Test("a 3-page letter arrives pixel for pixel", arguments: [true, false], [true, false])
    func threePages(ecm: Bool, senderCalls: Bool) throws {
        let (call, sent, received) = try makeCall(ecm: ecm, senderCalls: senderCalls)
        let (sender, receiver) = call.run()
        #expect(call.bothFinished, "T.30 ended by itself, not by the test's time limit")
        #expect(sender.status == .success, "\(sender.statusString)")
        #expect(receiver.status == .success, "\(receiver.statusString)")
        #expect(sender.pagesConfirmed == 3)
        #expect(receiver.pagesConfirmed == 3)
        #expect(receiver.ecm == ecm)
        #expect(receiver.bitRate == 14_400)
        #expect(receiver.resolution.name == "fine")
        #expect(receiver.compression == (ecm ? .t6 : .t4TwoDimensional))
        #expect(receiver.remoteStationID == "+1 555 0100")
        #expect(sender.remoteStationID == "+1 555 0199")
        #expect(!sender.hungUpAfterLastPage)
        try expectSamePages(received, as: sent)
    }

    @Test("the event log records phase B, every page in phase D, and phase E")
    func eventLog() throws {
        let (call, _, _) = try makeCall()
        let (_, receiver) = call.run()
        let kinds = receiver.events.map(\.kind)
        #expect(kinds.filter { $0 == .phaseB }.count == 1)
        #expect(kinds.filter { $0 == .phaseD }.count == 3)
        #expect(kinds.last(where: { $0 != .log }) == .phaseE)
        #expect(receiver.events.contains { $0.kind == .log && $0.text.contains("DCS") })
        let times = receiver.events.map(\.time)
        #expect(times == times.sorted(), "event times never go back")
        #expect(receiver.events.last { $0.kind == .phaseD }?.text.contains("EOP") == true)
    }

    @Test("an ECM page's data frames are counted in the log, not dumped in hex; the control frames stay")
    func ecmPageDataIsCountedNotLogged() throws {
        let (call, _, _) = try makeCall(ecm: true, firstPage: 1, lastPage: 1)
        let (sender, receiver) = call.run()
        #expect(sender.isSuccess && receiver.isSuccess)
        for result in [sender, receiver] {
            let lines = result.events.filter { $0.kind == .log }.map(\.text)
            let pageData = lines.filter { $0.hasPrefix("Rx:  ff 03 06") || $0.hasPrefix("Tx:  ff 03 06") || $0.contains("FCD") }
            #expect(pageData.isEmpty, "\(result.sending ? "sender" : "receiver"): \(pageData.prefix(3))")
            #expect(lines.contains { $0.contains("DCS") }, "the control frames are still logged")
            #expect(lines.contains { $0.contains("RCP") || $0.contains("PPS") }, "so are the ECM control frames")
            let note = try #require(result.events.first { $0.kind == .note && $0.text.contains("ECM page-data frames") })
            let count = try #require(Int(note.text.prefix { $0.isNumber }))
            #expect(count > 100, "a dense page is hundreds of 256-byte frames: \(note.text)")
            #expect(result.events.last { $0.kind != .log }?.kind == .phaseE)
            #expect(result.events.map(\.time) == result.events.map(\.time).sorted())
        }
    }

    @Test("sessions without station ids or header (spandsp hands back NULL strings)")
    func noStationIDs() throws {
        let (call, _, _) = try makeCall(firstPage: 1, lastPage: 1) { $0.localStationID = "" }
        let (sender, receiver) = call.run()
        #expect(sender.isSuccess && receiver.isSuccess)
        #expect(receiver.remoteStationID == "")
        #expect(sender.localStationID == "")
    }

    @Test("limits on modems and compressions are what gets negotiated")
    func negotiatedLimits() throws {
        let (call, _, _) = try makeCall(ecm: false) { options in
            options.maximumBitRate = 9_600
            options.compressions = .t4OneDimensional
        }
        let (sender, receiver) = call.run()
        #expect(sender.isSuccess && receiver.isSuccess)
        #expect(receiver.bitRate == 9_600)
        #expect(receiver.compression == .t4OneDimensional)
    }

    @Test("a receiver's minimum scan line time makes a non-ECM page take longer")
    func minimumScanLineTime() throws {
        func pageSeconds(_ milliseconds: Int) throws -> Double {
            let sent = try TestDocuments.letter()
            let received = try TestDocuments.makeTemporaryDirectory("mslt").appendingPathComponent("r.tif")
            var options = FaxSessionOptions()
            options.ecm = false
            var receiverOptions = options
            receiverOptions.minimumScanLineTime = milliseconds
            let call = try BackToBackCall(send: .send(path: sent.path, firstPage: 1, lastPage: 1),
                                          receive: .receive(path: received.path),
                                          senderOptions: options, receiverOptions: receiverOptions)
            let (sender, receiver) = call.run()
            #expect(sender.isSuccess && receiver.isSuccess)
            return call.simulatedSeconds
        }
        let plain = try pageSeconds(0)
        let padded = try pageSeconds(20)
        // 2292 rows at 20 ms each cannot take less than 45 s.
        #expect(padded > 45)
        #expect(padded > plain + 10, "\(plain) s without, \(padded) s with 20 ms per line")
    }

    @Test("a page range sends only those pages: a retry resumes where the far end stopped")
    func pageRange() throws {
        let (call, sent, received) = try makeCall(firstPage: 2, lastPage: 3)
        let (sender, receiver) = call.run()
        #expect(sender.isSuccess && receiver.isSuccess)
        #expect(sender.pagesToSend == 2)
        #expect(sender.pagesConfirmed == 2)
        try expectSamePages(received, as: sent, pages: 2...3)
    }

    @Test("the page header line is added above each sent page")
    func pageHeader() throws {
        let sent = try TestDocuments.letter()
        let (call, _, received) = try makeCall(firstPage: 1, lastPage: 1) { $0.pageHeader = "ACME Corp" }
        let (sender, receiver) = call.run()
        #expect(sender.isSuccess && receiver.isSuccess)
        let original = try FaxPageRaster.pages(of: sent.path)[0]
        let withHeader = try FaxPageRaster.pages(of: received.path)[0]
        // spandsp 0.0.6 renders the header as extra rows on top, then the page unchanged.
        let headerRows = withHeader.height - original.height
        #expect(headerRows > 0 && headerRows <= 64, "header of \(headerRows) rows")
        let rowBytes = original.bytesPerRow
        let header = withHeader.bits.prefix(headerRows * rowBytes)
        #expect(header.contains { $0 != 0 }, "the header has ink")
        #expect(withHeader.bits.dropFirst(headerRows * rowBytes).elementsEqual(original.bits))
    }
}
