import FaxEngine
import Foundation
import NIOCore
import NIOPosix
import Telephony

extension AsteriskEmulator {
    /// What `[faxline-outbound]` does once the far end has answered an Originate: connects the
    /// call's audio to the media server as `AudioSocket(${FAXLINE_SESSION},host:port)` with the
    /// answering fax `machine` on the far side (usually receiving). Asterisk's clock drives the
    /// exchange, as for inbound calls.
    ///
    /// `machine.hangUpAfterPages` makes the far end hang up once it has confirmed that many
    /// pages — after `hangUpGraceFrames` more frames, so that its confirmation reaches the sender.
    public static func connectOutboundCall(
        uuid: UUID, host: String = "127.0.0.1", port: Int, machine: EmulatedFaxMachine, pacing: MediaPacing = .lockStep,
        hangUpGraceFrames: Int = 150, idleTimeout: TimeAmount = .seconds(20)
    ) async -> EmulatedCallOutcome {
        var outcome = EmulatedCallOutcome()
        outcome.answered = true
        let session: AudioFaxSession
        do {
            session = try machine.makeSession(calling: false)
        } catch {
            outcome.mediaError = "\(error)"
            return outcome
        }
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                        try channel.pipeline.syncOperations.addHandler(CloseOnIdleHandler())
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AudioSocketFrameDecoder()))
                        return try NIOAsyncChannel<AudioSocketFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                var replies = inbound.makeAsyncIterator()
                var samples = [Int16](repeating: 0, count: 160)
                let clock = ContinuousClock()
                var due = clock.now
                var answered = 0
                var graceLeft: Int?
                var farEndHungUp = false
                media: while true {
                    if session.isFinished { farEndHungUp = true; break }
                    if let limit = machine.hangUpAfterPages, session.pagesConfirmed >= limit {
                        let left = (graceLeft ?? hangUpGraceFrames) - 1
                        graceLeft = left
                        if left < 0 { farEndHungUp = true; break }
                    }
                    if pacing == .realTime {
                        due = due.advanced(by: .milliseconds(20))
                        try await clock.sleep(until: due)
                    }
                    samples.withUnsafeMutableBufferPointer { session.transmit(into: $0) }
                    var payload = ByteBuffer()
                    payload.reserveCapacity(samples.count * 2)
                    for sample in samples { payload.writeInteger(sample, endianness: .little) }
                    let sent = clock.now
                    try await outbound.write(AudioSocketFrame.audio(payload).encoded())
                    outcome.mediaFrames += 1
                    guard let reply = try await replies.next() else { break }
                    switch reply {
                    case .audio(var heard, _):
                        outcome.frameLatencies.append(clock.now - sent)
                        answered += 1
                        let count = min(heard.readableBytes / 2, samples.count)
                        for index in 0..<count {
                            samples[index] = heard.readInteger(endianness: .little, as: Int16.self) ?? 0
                        }
                        samples.withUnsafeBufferPointer { session.receive(UnsafeBufferPointer(rebasing: $0[0..<count])) }
                    case .hangup, .error:
                        break media
                    default:
                        continue
                    }
                }
                if answered == 0 { outcome.mediaRefused = true }
                if farEndHungUp { try? await outbound.write(AudioSocketFrame.hangup.encoded()) }
            }
        } catch {
            outcome.mediaError = "\(error)"
        }
        session.hangUp()
        outcome.farEnd = session.result
        return outcome
    }
}
