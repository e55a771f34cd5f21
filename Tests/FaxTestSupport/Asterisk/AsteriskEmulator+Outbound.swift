import Foundation
import NIOCore

extension AsteriskEmulator {
    /// What `[faxline-outbound]` does once the far end has answered an Originate: connects the
    /// call's audio to the media server as `AudioSocket(${FAXLINE_SESSION},host:port)` with the
    /// answering fax `machine` on the far side (usually receiving), paced like an inbound call.
    ///
    /// `machine.hangUpAfterPages` makes the far end hang up once it has confirmed that many
    /// pages — after `hangUpGraceFrames` more frames, so that its confirmation reaches the sender.
    public static func connectOutboundCall(
        uuid: UUID, host: String = "127.0.0.1", port: Int, machine: EmulatedFaxMachine, pacing: MediaPacing = .lockStep,
        clock: LockStepMediaClock?, hangUpGraceFrames: Int = 150, idleTimeout: TimeAmount = .seconds(20)
    ) async -> EmulatedCallOutcome {
        var outcome = EmulatedCallOutcome()
        outcome.answered = true
        _ = await exchangeAudio(
            uuid: uuid, host: host, port: port, machine: machine, calling: false, pacing: pacing, clock: clock, gate: nil,
            hangUpGraceFrames: hangUpGraceFrames, idleTimeout: idleTimeout, outcome: &outcome)
        return outcome
    }
}
