import Testing

@testable import Telephony

@Suite("Media frame pacer")
struct MediaFramePacerTests {
    @Test func everyTickSendsOneFrameAndFeedsSilenceWhenNothingCame() {
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
        #expect(actions == [.feedSilenceAndSend, .send, .send, .feedSilenceAndSend])
        #expect(held == nil && burst == [nil, nil, nil])
        #expect(pacer.framesReceived == 4 && pacer.framesSent == 4 && pacer.silentTicks == 2)
    }

    @Test func aLockStepTickWaitsForTheFramesTheEmulatorSent() {
        var pacer = MediaFramePacer()
        let first = pacer.tick(peerFramesSent: 2)
        let one = pacer.frameReceived()
        let two = pacer.frameReceived()
        pacer.frameSent()
        // A step without a frame from the far end: due at once, with silence.
        let silent = pacer.tick(peerFramesSent: 2)
        #expect(first == .hold && one == nil && two == .send && silent == .feedSilenceAndSend)
        #expect(pacer.silentTicks == 1)
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
