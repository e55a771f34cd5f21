import FaxEngine
import FaxTestSupport
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import Synchronization
import Telephony
import Testing

@testable import CallMedia

/// The frame every tick sends is built in one buffer that the handler reuses; a frame the
/// socket has not taken yet (a backed-up connection) must keep its own samples.
@Suite("The frame loop's outgoing frames")
struct FaxMediaHandlerTests {
    /// Frames a calling fax machine's handler writes for `ticks` ticks with no far end,
    /// read off the connection after every tick or all at the end.
    private func frames(ticks: Int, readAfterEveryTick: Bool) throws -> [[UInt8]] {
        let clock = HandTickedClock()
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9092)).wait()
        let document = try TestDocuments.letter()
        let session = try AudioFaxSession(role: .calling, document: .send(path: document.path, firstPage: 1, lastPage: 1))
        let handler = FaxMediaHandler(uuid: UUID(), session: session, clock: clock, logger: Logger(label: "frames")) { _ in }
        try channel.pipeline.syncOperations.addHandler(handler)
        var frames: [[UInt8]] = []
        func readAll() throws {
            while let frame = try channel.readOutbound(as: ByteBuffer.self) { frames.append(Array(frame.readableBytesView)) }
        }
        for _ in 0..<ticks {
            clock.tick()
            if readAfterEveryTick { try readAll() }
        }
        try readAll()
        handler.hangUp("the test is over")
        _ = try? channel.finish()
        return frames
    }

    @Test func framesStillQueuedKeepTheirSamples() throws {
        // CNG: 0.5 s of tone, then silence: 50 ticks see both.
        let readAtOnce = try frames(ticks: 50, readAfterEveryTick: true)
        let queued = try frames(ticks: 50, readAfterEveryTick: false)
        #expect(readAtOnce.count == 50)
        #expect(Set(readAtOnce).count > 1, "the frames differ, so an overwritten frame would show")
        #expect(queued == readAtOnce)
        for frame in readAtOnce {
            #expect(frame.count == 3 + 320)
            #expect(Array(frame.prefix(3)) == [AudioSocketSampleRate.hz8000.rawValue, 0x01, 0x40])
        }
    }

    /// Asterisk's channel runs its own 20 ms clock: once the far end's frames flow, the call's
    /// ticks move to just after them, and follow them every 5 s.
    @Test func ticksFollowTheFarEndsFrames() throws {
        let clock = HandTickedClock()
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9092)).wait()
        let document = try TestDocuments.letter()
        let session = try AudioFaxSession(role: .calling, document: .send(path: document.path, firstPage: 1, lastPage: 1))
        let handler = FaxMediaHandler(uuid: UUID(), session: session, clock: clock, logger: Logger(label: "align")) { _ in }
        try channel.pipeline.syncOperations.addHandler(handler)
        var arrivals: [Int: NIODeadline] = [:]
        for frame in 1...600 {
            loop.advanceTime(by: .milliseconds(20))
            let before = clock.alignments.count
            try channel.writeInbound(AudioSocketFrame.audio(ByteBuffer(repeating: 0, count: 320)))
            if clock.alignments.count > before { arrivals[frame] = clock.alignments.last }
        }
        #expect(arrivals.keys.sorted() == [10, 260, 510])
        #expect(arrivals[10] == loop.now - .milliseconds(20 * 590), "the time the 10th frame was read")
        handler.hangUp("the test is over")
        _ = try? channel.finish()
    }
}

/// A media clock the test ticks by hand, on the test's (embedded) event loop.
final class HandTickedClock: MediaClock {
    private let subscriber = Mutex<(@Sendable (MediaTick) -> Void)?>(nil)
    private let alignedTo = Mutex<[NIODeadline]>([])

    func subscribe(call uuid: UUID, on eventLoop: any EventLoop, tick: @escaping @Sendable (MediaTick) -> Void) -> MediaClockSubscription {
        subscriber.withLock { $0 = tick }
        return MediaClockSubscription(
            onCancel: { [weak self] in self?.subscriber.withLock { $0 = nil } },
            onAlign: { [weak self] arrival in self?.alignedTo.withLock { $0.append(arrival) } })
    }

    /// The arrivals the call asked its ticks to follow.
    var alignments: [NIODeadline] { alignedTo.withLock { $0 } }

    func tick() {
        subscriber.withLock { $0 }?(.now)
    }
}
