import Testing

@testable import Telephony

@Suite("Media frame pacer")
struct MediaFramePacerTests {
    @Test func everyTickSendsOneFrameWhateverCameAndABurstIsNotAnsweredWithABurst() {
        var pacer = MediaFramePacer()
        var actions = [pacer.tick()]
        pacer.frameSent()
        let held = pacer.frameReceived()
        actions.append(pacer.tick())
        pacer.frameSent()
        // A burst after a gap: three frames, fed as they come, answered with one frame.
        let burst = (0..<3).map { _ in pacer.frameReceived() }
        actions.append(pacer.tick())
        pacer.frameSent()
        actions.append(pacer.tick())
        pacer.frameSent()
        #expect(actions == [.send, .send, .send, .send])
        #expect(held == nil && burst == [nil, nil, nil])
        #expect(pacer.framesReceived == 4 && pacer.framesSent == 4 && pacer.silentTicks == 0)
    }

    @Test func framesFromAClockOutOfStepWithOursAreNeverPaddedWithSilence() {
        var pacer = MediaFramePacer()
        var actions: [MediaFramePacer.TickAction] = []
        // Asterisk's frames land right around our ticks: none before one tick, two before the
        // next, for a whole minute. Every 20 ms of audio came; none of it is missing.
        for step in 0..<3_000 {
            if step % 2 == 1 {
                _ = pacer.frameReceived()
                _ = pacer.frameReceived()
            }
            actions.append(pacer.tick())
            pacer.frameSent()
        }
        #expect(actions.allSatisfy { $0 == .send })
        #expect(pacer.silentTicks == 0 && pacer.framesReceived == 3_000)
    }

    @Test func aFarEndSilentForLongerThanTheJitterAllowsIsFedSilenceOnEveryFurtherTick() {
        var pacer = MediaFramePacer()
        let allowance = MediaFramePacer.jitterAllowance
        let silent = (0..<(allowance + 50)).map { _ in pacer.tick() }
        #expect(silent.prefix(allowance).allSatisfy { $0 == .send })
        #expect(silent.dropFirst(allowance).allSatisfy { $0 == .feedSilenceAndSend })
        #expect(pacer.silentTicks == 50)
        // It starts sending: its frames are fed, and nothing more is padded.
        var after: [MediaFramePacer.TickAction] = []
        for _ in 0..<100 {
            _ = pacer.frameReceived()
            after.append(pacer.tick())
        }
        #expect(after.allSatisfy { $0 == .send } && pacer.silentTicks == 50)
    }

    @Test func aBurstGivesNoMoreCreditThanTheAllowance() {
        var pacer = MediaFramePacer()
        let allowance = MediaFramePacer.jitterAllowance
        for _ in 0..<100 { _ = pacer.frameReceived() }
        // 100 frames ahead counts as `allowance`: a gap after it is padded after 2 × allowance ticks.
        let gap = (0..<(2 * allowance + 1)).map { _ in pacer.tick() }
        #expect(gap.prefix(2 * allowance).allSatisfy { $0 == .send })
        #expect(gap.last == .feedSilenceAndSend && pacer.silentTicks == 1)
    }

    @Test func aLockStepTickWaitsForTheFramesTheEmulatorSent() {
        var pacer = MediaFramePacer()
        let first = pacer.tick(peerFramesSent: 2)
        let one = pacer.frameReceived()
        let two = pacer.frameReceived()
        pacer.frameSent()
        // A step without a frame from the far end: due at once (within the jitter allowance).
        let silent = pacer.tick(peerFramesSent: 2)
        #expect(first == .hold && one == nil && two == .send && silent == .send)
        #expect(pacer.silentTicks == 0)
    }

    @Test func theFirstEndingStandsAndLaterTicksDoNothing() {
        var pacer = MediaFramePacer()
        let held = pacer.tick(peerFramesSent: 1)
        let first = pacer.end(.farEndHungUp)
        let second = pacer.end(.engineFinished)
        let late = pacer.frameReceived()
        let tick = pacer.tick()
        #expect(held == .hold && first && !second && late == nil && tick == .ignore)
        #expect(pacer.ending == .farEndHungUp)
        #expect(!MediaFramePacer.Ending.farEndHungUp.sendsHangup && MediaFramePacer.Ending.engineFinished.sendsHangup)
        #expect(MediaFramePacer.Ending.hungUpByUs("killed").sendsHangup && !MediaFramePacer.Ending.failed("x").sendsHangup)
    }
}
