import Foundation
import NIOCore

/// A call's audio stream, handed to its owner by ``AudioSocketServer`` after the UUID frame.
///
/// Read the frames from ``frames`` (in one task) and answer with ``write(_:)``. The stream ends
/// when Asterisk closes the connection, or with an error on bad input or idle timeout. Closing
/// (explicitly or by releasing the object) ends the call's audio.
public final class AudioSocketConnection: Sendable {
    /// The UUID Asterisk sent, the one the owner expected.
    public let uuid: UUID
    /// The frames after the UUID frame.
    public let frames: AudioSocketFrameStream
    public let remoteAddress: SocketAddress?

    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    /// Internal so that tests can check socket options.
    let channel: any Channel

    init(
        uuid: UUID,
        inbound: NIOAsyncChannelInboundStream<AudioSocketFrame>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        channel: any Channel
    ) {
        self.uuid = uuid
        self.frames = AudioSocketFrameStream(base: inbound)
        self.outbound = outbound
        self.channel = channel
        self.remoteAddress = channel.remoteAddress
    }

    deinit {
        channel.close(promise: nil)
    }

    /// Sends one frame: header and payload together in a single write.
    /// - Throws: ``AudioSocketProtocolError/payloadTooLong(length:limit:)`` for a payload the
    ///   2-byte length cannot express; channel errors once the connection is closed.
    public func write(_ frame: AudioSocketFrame) async throws {
        guard frame.payloadLength <= Int(UInt16.max) else {
            throw AudioSocketProtocolError.payloadTooLong(length: frame.payloadLength, limit: Int(UInt16.max))
        }
        try await outbound.write(frame.encoded())
    }

    /// Closes the connection; Asterisk's AudioSocket application then returns.
    public func close() async {
        try? await channel.close()
    }
}

/// The inbound frames of an ``AudioSocketConnection``. Single-consumer: iterate it once.
public struct AudioSocketFrameStream: AsyncSequence, Sendable {
    public typealias Element = AudioSocketFrame

    private let base: NIOAsyncChannelInboundStream<AudioSocketFrame>

    init(base: NIOAsyncChannelInboundStream<AudioSocketFrame>) {
        self.base = base
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        private var base: NIOAsyncChannelInboundStream<AudioSocketFrame>.AsyncIterator

        init(base: NIOAsyncChannelInboundStream<AudioSocketFrame>.AsyncIterator) {
            self.base = base
        }

        public mutating func next() async throws -> AudioSocketFrame? {
            try await base.next()
        }
    }
}
