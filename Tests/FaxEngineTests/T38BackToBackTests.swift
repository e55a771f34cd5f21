import FaxEngine
import FaxTestSupport
import Testing

@Suite("T.38 back to back")
struct T38BackToBackTests {
    @Test("a 3-page letter arrives pixel for pixel, paced and unpaced", arguments: [true, false])
    func threePages(paced: Bool) throws {
        let (call, sent, received) = try makeCall(transport: .t38(paced: paced))
        let (sender, receiver) = call.run()
        #expect(call.bothFinished)
        #expect(sender.isSuccess, "\(sender.statusString)")
        #expect(receiver.isSuccess, "\(receiver.statusString)")
        #expect(receiver.pagesConfirmed == 3)
        #expect(receiver.ecm)
        try expectSamePages(received, as: sent)
        if paced {
            // Paced, T.38 takes about as long as the audio call: the line's speed.
            #expect(call.simulatedSeconds > 60)
        } else {
            #expect(call.simulatedSeconds < 10, "unpaced T.38 is limited by the CPU, not the line")
        }
    }

    /// Random loss on the link: each call ends by itself, either with every page identical or
    /// with a clean failure on both sides. The success rates are recorded in the README.
    @Test("packet loss never hangs or corrupts a fax",
          arguments: [(0.01, 0), (0.05, 0), (0.01, 2), (0.05, 2)])
    func packetLoss(loss: Double, redundancy: Int) throws {
        let calls = 12
        var successes = 0
        for seed in 1...calls {
            let (call, sent, received) = try makeCall(
                transport: .t38(paced: false), packetLoss: loss, redundancy: redundancy, seed: UInt64(seed))
            // T.30's own timers must end every call: a time limit hit here is a hang.
            let ended = call.run(until: { $0.bothFinished }, maximumSeconds: 600)
            #expect(ended, "call \(seed) at \(loss * 100) % loss did not end by itself")
            call.hangUpBoth()
            let sender = call.sender.result
            let receiver = call.receiver.result
            let receiverPages = receiver.pagesConfirmed
            let (lost, carried) = call.linkCounts
            #expect(carried > 0)
            if loss > 0 { #expect(lost > 0 || carried < 200) }
            let bothSucceeded = sender.isSuccess && receiver.isSuccess
            if bothSucceeded {
                successes += 1
                try expectSamePages(received, as: sent)
            } else {
                // A clean failure: a reason on both sides, and whatever was received is whole.
                let reasons = (sender.statusString, receiver.statusString)
                #expect(!reasons.0.isEmpty && !reasons.1.isEmpty)
                if receiverPages > 0 {
                    try expectSamePages(received, as: sent, pages: 1...receiverPages)
                }
            }
        }
        if redundancy > 0 || loss <= 0.01 {
            #expect(successes >= calls / 2, "\(successes)/\(calls) at \(loss * 100) % loss, redundancy \(redundancy)")
        }
        print("T.38 loss \(loss * 100) % redundancy \(redundancy): \(successes)/\(calls) succeeded")
    }
}
