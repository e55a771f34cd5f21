import FaxEngine
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Telephony

extension AsteriskEmulator {
    /// Asterisk's `AudioSocket()` hangs up when neither the channel nor the socket has sent
    /// anything for this long (`apps/app_audiosocket.c`, `MAX_WAIT_TIMEOUT_MSEC`).
    public static let inactivityLimit = Duration.seconds(2)

    /// A call's audio over AudioSocket, as Asterisk's side: connects with `uuid`, then every
    /// 20 ms step sends what the far-end `machine` sends (nothing while it is silent, a burst
    /// after a gap) and feeds it what the server sent — lock-step through the server's clock,
    /// or in real time. Hangs up like Asterisk after 2 s in which neither side sent anything.
    /// Returns whether the call was hung up on Asterisk's side (the far end, or the inactivity
    /// rule) rather than ended by the server.
    static func exchangeAudio(
        uuid: UUID, host: String, port: Int, machine: EmulatedFaxMachine, calling: Bool, pacing: MediaPacing,
        clock: LockStepMediaClock?, gate: AsyncGate?, hangUpGraceFrames: Int, idleTimeout: TimeAmount,
        outcome: inout EmulatedCallOutcome
    ) async -> Bool {
        var farEnd: EmulatedFarEnd
        do {
            farEnd = try EmulatedFarEnd(machine: machine, calling: calling, hangUpGraceFrames: hangUpGraceFrames)
        } catch {
            outcome.mediaError = "\(error)"
            return true
        }
        var hungUpHere = false
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
            var lockStep: LockStepCall?
            if pacing == .lockStep {
                guard let clock else {
                    outcome.mediaError = "lock-step pacing needs the server's LockStepMediaClock"
                    try await channel.executeThenClose { _, _ in }
                    return true
                }
                lockStep = clock.open(uuid)
                channel.channel.closeFuture.whenComplete { _ in clock.connectionClosed(uuid) }
            }
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                if let gate { await gate.wait() }
                if var call = lockStep {
                    hungUpHere = try await runLockStep(&call, farEnd: &farEnd, inbound: inbound, outbound: outbound, outcome: &outcome)
                } else {
                    hungUpHere = try await runRealTime(farEnd: &farEnd, inbound: inbound, outbound: outbound, outcome: &outcome)
                }
            }
        } catch {
            outcome.mediaError = "\(error)"
        }
        outcome.mediaRefused = outcome.serverFrames == 0
        outcome.gaps = farEnd.gaps
        outcome.droppedFrames = farEnd.droppedFrames
        outcome.burstFrames = farEnd.burstFrames
        outcome.farEnd = farEnd.finish()
        return hungUpHere
    }

    private static func runLockStep(
        _ call: inout LockStepCall, farEnd: inout EmulatedFarEnd, inbound: NIOAsyncChannelInboundStream<AudioSocketFrame>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, outcome: inout EmulatedCallOutcome
    ) async throws -> Bool {
        var replies = inbound.makeAsyncIterator()
        let inactivitySteps = EmulatedFarEnd.steps(inactivityLimit)
        var idleSteps = 0
        while true {
            if farEnd.hangsUp() {
                try? await outbound.write(AudioSocketFrame.hangup.encoded())
                return true
            }
            let frames = try farEnd.nextFrames()
            outcome.steps += 1
            for frame in frames { try await outbound.write(AudioSocketFrame.audio(frame).encoded()) }
            outcome.mediaFrames += frames.count
            let before = outcome.serverFrames
            guard let written = await call.step(framesSent: outcome.mediaFrames) else {
                // The server ended the call's media: take what it still sent, to the end.
                while let reply = try await replies.next() {
                    guard case .audio(let payload, _) = reply else { break }
                    farEnd.heard(payload)
                    outcome.serverFrames += 1
                }
                return false
            }
            while outcome.serverFrames < written {
                guard let reply = try await replies.next() else { return false }
                switch reply {
                case .audio(let payload, _):
                    farEnd.heard(payload)
                    outcome.serverFrames += 1
                case .hangup, .error:
                    return false
                case .uuid, .dtmf:
                    continue
                }
            }
            idleSteps = frames.isEmpty && written == before ? idleSteps + 1 : 0
            if idleSteps >= inactivitySteps {
                outcome.hungUpForInactivity = true
                return true
            }
        }
    }

    private static func runRealTime(
        farEnd: inout EmulatedFarEnd, inbound: NIOAsyncChannelInboundStream<AudioSocketFrame>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, outcome: inout EmulatedCallOutcome
    ) async throws -> Bool {
        let clock = ContinuousClock()
        let received = ReceivedFrames()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await frame in inbound { received.state.withLock { $0.frames.append((frame, clock.now)) } }
                } catch {}
                received.state.withLock { $0.closed = true }
            }
            defer { group.cancelAll() }
            var due = clock.now
            var lastActivity = clock.now
            var firstServerFrame: ContinuousClock.Instant?
            while true {
                if farEnd.hangsUp() {
                    try? await outbound.write(AudioSocketFrame.hangup.encoded())
                    return true
                }
                due = due.advanced(by: EmulatedFarEnd.stepDuration)
                try await clock.sleep(until: due)
                let (frames, closed) = received.state.withLock { state in
                    defer { state.frames.removeAll() }
                    return (state.frames, state.closed)
                }
                for (frame, arrival) in frames {
                    switch frame {
                    case .audio(let payload, _):
                        farEnd.heard(payload)
                        let first = firstServerFrame ?? arrival
                        firstServerFrame = first
                        let expected = first.advanced(by: EmulatedFarEnd.stepDuration * outcome.serverFrames)
                        outcome.frameLatencies.append(max(.zero, arrival - expected))
                        outcome.serverFrames += 1
                        lastActivity = arrival
                    case .hangup, .error:
                        return false
                    case .uuid, .dtmf:
                        continue
                    }
                }
                if closed { return false }
                let out = try farEnd.nextFrames()
                outcome.steps += 1
                for frame in out { try await outbound.write(AudioSocketFrame.audio(frame).encoded()) }
                outcome.mediaFrames += out.count
                if !out.isEmpty { lastActivity = clock.now }
                if clock.now - lastActivity >= inactivityLimit {
                    outcome.hungUpForInactivity = true
                    return true
                }
            }
        }
    }
}

/// What the server sent in real-time pacing, collected by a reader task between steps.
private final class ReceivedFrames: Sendable {
    let state = Mutex<(frames: [(AudioSocketFrame, ContinuousClock.Instant)], closed: Bool)>(([], false))
}
