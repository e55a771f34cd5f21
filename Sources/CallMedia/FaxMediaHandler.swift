import FaxEngine
import Foundation
import Logging
import NIOCore
import Telephony

#if _endian(big)
#error("AudioSocket carries little-endian samples; this file copies them as they are")
#endif

/// The frame loop of one call, on its connection's event loop: owns the engine session (which
/// is single-threaded and never leaves this loop), feeds it the far end's frames as they come,
/// and on every tick of the call's media clock sends one frame, written with one write.
/// ``MediaFramePacer`` decides what each event means; this class only does the I/O.
final class FaxMediaHandler: ChannelInboundHandler {
    typealias InboundIn = AudioSocketFrame
    typealias OutboundOut = ByteBuffer

    /// 20 ms of 8 kHz audio.
    static let samplesPerFrame = 160
    /// Where the samples of an outgoing frame start in ``outgoing``: the 3-byte header is
    /// written from offset 1, so that the samples spandsp writes in place are 2-byte aligned.
    private static let outgoingSamplesOffset = 4
    /// The call's ticks move to just after the far end's frames once its audio flows (the 10th
    /// frame), then every 5 s to follow its clock's drift.
    private static let firstAlignment = 10
    private static let alignmentInterval = 250

    private let uuid: UUID
    private let session: AudioFaxSession
    private let clock: any MediaClock
    private let report: @Sendable (MediaCallEvent) -> Void
    private let logger: Logger
    private var pacer = MediaFramePacer()
    private var subscription: MediaClockSubscription?
    private var context: ChannelHandlerContext?
    /// The far end's samples, aligned for the engine; a longer frame is fed in parts of this size.
    private var heard = [Int16](repeating: 0, count: FaxMediaHandler.samplesPerFrame)
    private let silence = [Int16](repeating: 0, count: FaxMediaHandler.samplesPerFrame)
    /// The frame every tick sends, header and samples, reused: once the socket has taken a
    /// frame (a write on a socket that is not backed up completes at once), the buffer is ours
    /// again and the next frame needs no allocation.
    private var outgoing = ByteBuffer()
    /// Lock-step: reports the frames written once a held tick has run.
    private var heldTickCompletion: (@Sendable (Int) -> Void)?
    private var framesSeen = 0
    private var pagesReported = 0
    private var reportedT30 = false

    init(uuid: UUID, session: AudioFaxSession, clock: any MediaClock, logger: Logger,
         report: @escaping @Sendable (MediaCallEvent) -> Void) {
        self.uuid = uuid
        self.session = session
        self.clock = clock
        self.logger = logger
        self.report = report
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outgoing = context.channel.allocator.buffer(capacity: Self.outgoingSamplesOffset + 2 * Self.samplesPerFrame)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        subscription = clock.subscribe(call: uuid, on: context.eventLoop) { tick in
            handler.value.tick(tick)
        }
        report(.connected)
        if !context.channel.isActive { end(.farEndHungUp) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        end(.failed("the connection's handler was removed"))
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !pacer.hasEnded else { return }
        switch unwrapInboundIn(data) {
        case .audio(let payload, let sampleRate):
            guard sampleRate == .hz8000 else {
                end(.failed("audio at \(sampleRate.hertz) Hz; the fax engine needs 8000 Hz signed linear (use c(slin))"))
                return
            }
            feed(payload)
            let action = pacer.frameReceived()
            if pacer.framesReceived % Self.alignmentInterval == Self.firstAlignment {
                subscription?.alignTicks(toFrameArrivedAt: context.eventLoop.now)
            }
            if let action {
                let completion = heldTickCompletion
                heldTickCompletion = nil
                run(action, completion: completion)
            }
        case .hangup:
            end(.farEndHungUp)
        case .error(let code):
            end(.failed("Asterisk reported AudioSocket error \(code.map(String.init) ?? "without a code")"))
        case .uuid, .dtmf:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        end(.farEndHungUp)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end(.failed("\(SocketErrorWords.describe(error))"))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is AudioSocketServerStopping {
            end(.hungUpByUs("the server is stopping"))
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Our side ends the call now (a killed job, shutdown).
    func hangUp(_ reason: String) {
        end(.hungUpByUs(reason))
    }

    // MARK: - Ticks

    private func tick(_ tick: MediaTick) {
        let action = pacer.tick(peerFramesSent: tick.peerFramesSent)
        if action == .hold {
            heldTickCompletion = tick.completed
            return
        }
        run(action, completion: tick.completed)
    }

    private func run(_ action: MediaFramePacer.TickAction, completion: (@Sendable (Int) -> Void)?) {
        defer { completion?(pacer.framesSent) }
        switch action {
        case .hold, .ignore:
            return
        case .feedSilenceAndSend:
            silence.withUnsafeBufferPointer { session.receive($0) }
        case .send:
            break
        }
        send()
        reportProgress()
        if session.isFinished { end(.engineFinished) }
    }

    /// One audio frame of the engine's next 20 ms, header and payload in one buffer and one
    /// write (Asterisk drops a call whose payload lags its header). The engine writes its
    /// samples straight into the buffer.
    private func send() {
        guard let context else { return }
        let payloadLength = 2 * Self.samplesPerFrame
        outgoing.clear()
        outgoing.moveWriterIndex(to: Self.outgoingSamplesOffset - AudioSocketFrameDecoder.headerLength)
        outgoing.moveReaderIndex(to: Self.outgoingSamplesOffset - AudioSocketFrameDecoder.headerLength)
        outgoing.writeInteger(AudioSocketSampleRate.hz8000.rawValue)
        outgoing.writeInteger(UInt16(payloadLength), endianness: .big)
        outgoing.writeWithUnsafeMutableBytes(minimumWritableBytes: payloadLength) { bytes in
            let samples = UnsafeMutableRawBufferPointer(rebasing: bytes[0..<payloadLength]).bindMemory(to: Int16.self)
            session.transmit(into: samples)
            return payloadLength
        }
        context.writeAndFlush(wrapOutboundOut(outgoing), promise: nil)
        pacer.frameSent()
    }

    /// Signed linear little-endian bytes to the engine, in parts of at most one frame.
    private func feed(_ payload: ByteBuffer) {
        payload.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset + 1 < bytes.count {
                let count = min((bytes.count - offset) / 2, Self.samplesPerFrame)
                heard.withUnsafeMutableBytes { destination in
                    destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 2 * count)]))
                }
                heard.withUnsafeBufferPointer { session.receive(UnsafeBufferPointer(rebasing: $0[0..<count])) }
                offset += 2 * count
            }
        }
    }

    /// Pages and the start of T.30 only change when the far end sent a frame.
    private func reportProgress() {
        let frames = session.t30FramesReceived
        guard frames != framesSeen else { return }
        framesSeen = frames
        if !reportedT30 {
            reportedT30 = true
            report(.t30Started)
        }
        let pages = session.pagesConfirmed
        if pages > pagesReported {
            pagesReported = pages
            report(.pagesConfirmed(pages))
        }
    }

    // MARK: - The end

    private func end(_ reason: MediaFramePacer.Ending) {
        guard pacer.end(reason) else { return }
        subscription?.cancel()
        subscription = nil
        if let completion = heldTickCompletion {
            heldTickCompletion = nil
            completion(pacer.framesSent)
        }
        session.hangUp()
        let pages = session.pagesConfirmed
        if pages > pagesReported {
            pagesReported = pages
            report(.pagesConfirmed(pages))
        }
        if let context, context.channel.isActive {
            if reason.sendsHangup {
                // Tell Asterisk we are done, then close: the AudioSocket application returns.
                context.writeAndFlush(wrapOutboundOut(AudioSocketFrame.hangup.encoded()), promise: nil)
            }
            context.close(promise: nil)
        }
        let ending: MediaCallOutcome.Ending =
            switch reason {
            case .engineFinished: .faxFinished
            case .farEndHungUp: .farEndHungUp
            case .hungUpByUs(let why): .hungUpByUs(why)
            case .failed(let why): .mediaFailed(why)
            }
        let (framesSent, framesReceived, silentTicks) = (pacer.framesSent, pacer.framesReceived, pacer.silentTicks)
        let (logger, report) = (self.logger, self.report)
        // Received pages are written off this loop; the call has ended once they are in.
        session.resultWhenPagesFiled { result in
            logger.info("fax call ended", metadata: [
                "ending": "\(ending)", "frames.sent": "\(framesSent)", "frames.received": "\(framesReceived)",
                "silent_ticks": "\(silentTicks)", "status": "\(result.status.rawValue)", "pages": "\(result.pagesConfirmed)",
            ])
            report(.ended(MediaCallOutcome(fax: result, ending: ending, framesSent: framesSent, silentTicks: silentTicks)))
        }
    }
}
