import FaxEngine
import FaxTestSupport
import Foundation
import Testing

/// Every way a call can end must end the session cleanly, with the right result.
@Suite("Call endings")
struct CallEndingTests {
    @Test("a silent peer: T.30 timers end the session, never a hang", arguments: [FaxCallRole.calling, .answering])
    func silentPeer(role: FaxCallRole) throws {
        let document = try TestDocuments.letter()
        let session = try AudioFaxSession(role: role, document: .send(path: document.path))
        var frame = [Int16](repeating: 0, count: 160)
        let silence = [Int16](repeating: 0, count: 160)
        var frames = 0
        while !session.isFinished && frames < 50 * 300 {
            silence.withUnsafeBufferPointer { heard in
                frame.withUnsafeMutableBufferPointer { session.exchange(received: heard, reply: $0) }
            }
            frames += 1
        }
        #expect(session.isFinished, "ended by T.30 within 5 minutes of call time")
        let result = session.result
        let error = result.error
        #expect(result.status == .failed)
        #expect(result.pagesConfirmed == 0)
        #expect(error != "OK")
        #expect(result.duration < 120, "gave up after \(result.duration) s")
        #expect(result.events.last { $0.kind == .phaseE } != nil)
    }

    @Test("far end hangs up mid-page: confirmed pages are reported and the received ones kept")
    func hangupMidPage() throws {
        let (call, sent, received) = try makeCall()
        let reachedPage2 = call.run(until: { $0.receiver.pagesConfirmed == 1 }, maximumSeconds: 300)
        #expect(reachedPage2)
        #expect(!call.sender.isFinished && !call.receiver.isFinished)
        let hangupAt = call.simulatedSeconds + 15 // page 2 takes ~37 s: we are inside it
        call.run(until: { $0.simulatedSeconds >= hangupAt })
        call.hangUpBoth()
        let sender = call.sender.result
        let receiver = call.receiver.result
        #expect(sender.status == .failed)
        #expect(receiver.status == .failed)
        #expect(sender.pagesConfirmed == 1)
        #expect(receiver.pagesConfirmed == 1)
        #expect(!receiver.hungUpAfterLastPage)
        #expect(receiver.error == "The call dropped prematurely")
        try expectSamePages(received, as: sent, pages: 1...1)
    }

    /// A receiver often hangs up as soon as it has confirmed the last page, before the sender's
    /// DCN: both ends must count every page and report success.
    @Test("the line drops right after the last page is confirmed: both sides succeed",
          arguments: [BackToBackCall.Transport.audio, .t38(paced: true)])
    func lineDropsAfterLastPage(transport: BackToBackCall.Transport) throws {
        let (call, sent, received) = try makeCall(transport: transport)
        let confirmed = call.run(until: { $0.sender.pagesConfirmed == 3 }, maximumSeconds: 300)
        #expect(confirmed)
        let receiverWasWaiting = !call.receiver.isFinished
        call.hangUpBoth()
        let sender = call.sender.result
        let receiver = call.receiver.result
        #expect(sender.status == .success)
        #expect(sender.pagesConfirmed == 3)
        #expect(receiver.status == .success, "EOP was received and answered with MCF")
        #expect(receiver.error == "OK")
        #expect(receiver.pagesConfirmed == 3)
        #expect(receiverWasWaiting, "the receiver had not seen DCN yet")
        if receiver.completionCode != 0 {
            // Over T.38 spandsp calls this a dropped call; the pages say otherwise.
            #expect(receiver.hungUpAfterLastPage)
        }
        try expectSamePages(received, as: sent)
    }

    @Test("a far end that never sends DCN: the receiver ends by itself, with every page")
    func noDisconnectAfterLastPage() throws {
        let (call, sent, received) = try makeCall(transport: .t38(paced: true))
        #expect(call.run(until: { $0.receiver.pagesConfirmed == 3 }, maximumSeconds: 300))
        // The receiver has answered EOP; from now on it hears nothing more from the sender.
        let receiver = call.receiver
        var seconds = 0.0
        while !receiver.isFinished && seconds < 60 {
            (receiver as? T38FaxSession)?.advance(samples: 160)
            seconds += 0.02
        }
        #expect(receiver.isFinished, "the end-of-document watchdog ended the session")
        #expect(seconds < 30)
        let result = receiver.result
        #expect(result.status == .success)
        #expect(result.pagesConfirmed == 3)
        #expect(result.events.contains { $0.kind == .note && $0.text.contains("watchdog") })
        try expectSamePages(received, as: sent)
    }

    @Test("hanging up twice, and after the end, changes nothing")
    func hangupIsIdempotent() throws {
        let (call, _, _) = try makeCall(firstPage: 1, lastPage: 1)
        let (sender, receiver) = call.run()
        call.hangUpBoth()
        call.hangUpBoth()
        let statusAfter = call.sender.result.status
        let pagesAfter = call.receiver.result.pagesConfirmed
        #expect(statusAfter == sender.status)
        #expect(pagesAfter == receiver.pagesConfirmed)
    }
}
