import FaxEngine
import Foundation
import NIOCore
import NIOPosix
import Telephony

/// One inbound call's audio as Asterisk's side with a fax machine behind it (a spandsp sender):
/// connects with the call's UUID, sends a frame at every deadline of its loop's
/// ``FarEndSchedule`` whatever came back, feeds the server's frames to the machine as they
/// arrive, and measures how long each frame waited for the server's next one.
package final class ScheduledFarEndHandler: ChannelInboundHandler {
    package typealias InboundIn = AudioSocketFrame
    package typealias OutboundOut = ByteBuffer

    /// What one call's audio did.
    package struct Result: Codable, Sendable {
        package var wallSeconds = 0.0
        package var framesSent = 0
        package var serverFrames = 0
        package var farEndSucceeded = false
        package var pages = 0
        /// The far end hung up (its fax was done) rather than the server.
        package var farEndHungUp = false
        package var error: String?

        package init() {}
    }

    private let uuid: UUID
    /// Which of its loop's channel clocks the call's frames follow.
    private let clock: Int
    private let machine: AudioFaxSession
    private let done: EventLoopPromise<Result>
    private var schedule: FarEndSchedule?
    private var context: ChannelHandlerContext?
    private var samples = [Int16](repeating: 0, count: 160)
    /// Scheduled times of the frames sent since the server's last frame.
    private var unanswered: [NIODeadline] = []
    private var connectedAt = NIODeadline.now()
    private var result = Result()
    private var hungUp = false

    init(uuid: UUID, clock: Int, machine: AudioFaxSession, done: EventLoopPromise<Result>) {
        self.uuid = uuid
        self.clock = clock
        self.machine = machine
        self.done = done
        unanswered.reserveCapacity(16)
    }

    package func channelActive(context: ChannelHandlerContext) {
        self.context = context
        connectedAt = .now()
        context.writeAndFlush(wrapOutboundOut(AudioSocketFrame.uuid(uuid).encoded()), promise: nil)
        let schedule = FarEndSchedule.on(context.eventLoop, clock: clock)
        self.schedule = schedule
        schedule.add(self)
        context.fireChannelActive()
    }

    /// A deadline of the schedule: the machine's next 20 ms go out, or its hangup once it is done.
    func sendFrame(scheduled: NIODeadline) {
        guard let context, !hungUp else { return }
        if machine.isFinished {
            hungUp = true
            result.farEndHungUp = true
            context.writeAndFlush(wrapOutboundOut(AudioSocketFrame.hangup.encoded()), promise: nil)
            context.close(promise: nil)
            return
        }
        samples.withUnsafeMutableBufferPointer { machine.transmit(into: $0) }
        var buffer = context.channel.allocator.buffer(capacity: 3 + 2 * samples.count)
        buffer.writeInteger(AudioSocketSampleRate.hz8000.rawValue)
        buffer.writeInteger(UInt16(2 * samples.count), endianness: .big)
        samples.withUnsafeBytes { _ = buffer.writeBytes($0) }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        unanswered.append(scheduled)
        result.framesSent += 1
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .audio(let payload, _):
            let arrival = NIODeadline.now()
            for scheduled in unanswered {
                schedule?.recordReply(milliseconds: Double((arrival - scheduled).nanoseconds) / 1e6)
            }
            unanswered.removeAll(keepingCapacity: true)
            result.serverFrames += 1
            payload.withUnsafeReadableBytes { bytes in
                let count = min(bytes.count / 2, samples.count)
                samples.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<(2 * count)])) }
                samples.withUnsafeBufferPointer { machine.receive(UnsafeBufferPointer(rebasing: $0[0..<count])) }
            }
        case .hangup, .error:
            context.close(promise: nil)
        case .uuid, .dtmf:
            break
        }
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        result.error = "\(error)"
        context.close(promise: nil)
    }

    package func channelInactive(context: ChannelHandlerContext) {
        schedule?.remove(self)
        schedule = nil
        self.context = nil
        machine.hangUp()
        let fax = machine.result
        result.wallSeconds = Double((NIODeadline.now() - connectedAt).nanoseconds) / 1e9
        result.farEndSucceeded = fax.isSuccess
        result.pages = fax.pagesConfirmed
        done.succeed(result)
        context.fireChannelInactive()
    }

    /// Connects a call's audio and runs it to its end; its frames follow channel clock `clock`
    /// of the loop it gets.
    package static func run(uuid: UUID, clock: Int = 0, host: String, port: Int, document: String, group: any EventLoopGroup) async -> Result {
        let eventLoop = group.next()
        let done = eventLoop.makePromise(of: Result.self)
        do {
            let connection = ClientBootstrap(group: eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        var options = FaxSessionOptions()
                        options.localStationID = "+1 555 0100"
                        options.logDetail = .summary
                        let machine = try AudioFaxSession(role: .calling, document: .send(path: document), options: options)
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AudioSocketFrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(
                            ScheduledFarEndHandler(uuid: uuid, clock: clock, machine: machine, done: done))
                    }
                }
                .connect(host: host, port: port)
            do {
                _ = try await connection.get()
            } catch {
                done.fail(error)
                throw error
            }
            return try await done.futureResult.get()
        } catch {
            var failed = Result()
            failed.error = "\(error)"
            return failed
        }
    }
}
