import FaxEngine
import Logging
import NIOCore
import Telephony

/// The media half of an outbound call: the answered call's AudioSocket connection, driven
/// the way `AudioSocketFaxCall` drives an inbound one (a frame answered with a frame), and
/// reporting each page the far end confirms as soon as it does — so that the queue can record
/// it before the next page, and never send a confirmed page again after a crash.
enum OutboundFaxCall {
    static func run(
        waiter: AudioSocketWaiter, connectTimeout: Duration, logger: Logger,
        session: AudioFaxSession, pageConfirmed: @Sendable (Int) async -> Void
    ) async -> MediaCallOutcome {
        let connection: AudioSocketConnection
        do {
            connection = try await waiter.connection(timeout: connectTimeout)
        } catch {
            session.hangUp()
            logger.warning("Asterisk did not connect the outbound call's audio", metadata: ["error": "\(error)"])
            return MediaCallOutcome(fax: session.result, ending: .neverConnected("\(error)"), frames: 0)
        }
        var frames = 0
        var reported = 0
        var ending = MediaCallOutcome.Ending.farEndHungUp
        var heard = [Int16](repeating: 0, count: 160)
        var reply = [Int16](repeating: 0, count: 160)
        do {
            frameLoop: for try await frame in connection.frames {
                switch frame {
                case .audio(let payload, let sampleRate):
                    guard sampleRate == .hz8000 else {
                        ending = .mediaFailed("audio at \(sampleRate.hertz) Hz; the fax engine needs 8000 Hz signed linear")
                        break frameLoop
                    }
                    let count = payload.readableBytes / 2
                    if heard.count != count {
                        heard = [Int16](repeating: 0, count: count)
                        reply = [Int16](repeating: 0, count: count)
                    }
                    payload.withUnsafeReadableBytes { bytes in
                        heard.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes.prefix($0.count))) }
                    }
                    heard.withUnsafeBufferPointer { received in
                        reply.withUnsafeMutableBufferPointer { session.exchange(received: received, reply: $0) }
                    }
                    frames += 1
                    if session.pagesConfirmed > reported {
                        reported = session.pagesConfirmed
                        await pageConfirmed(reported)
                    }
                    try await connection.write(.audio(reply.withUnsafeBytes { ByteBuffer(bytes: $0) }))
                    if session.isFinished {
                        ending = .faxFinished
                        break frameLoop
                    }
                case .hangup:
                    break frameLoop
                case .error(let code):
                    ending = .mediaFailed("Asterisk reported AudioSocket error \(code.map(String.init) ?? "without a code")")
                    break frameLoop
                case .uuid, .dtmf:
                    continue
                }
            }
        } catch {
            ending = .mediaFailed("\(error)")
        }
        session.hangUp()
        if session.pagesConfirmed > reported { await pageConfirmed(session.pagesConfirmed) }
        if ending == .faxFinished { try? await connection.write(.hangup) }
        await connection.close()
        let result = session.result
        logger.info("outbound fax call ended", metadata: [
            "ending": "\(ending)", "frames": "\(frames)", "status": "\(result.status.rawValue)", "pages": "\(result.pagesConfirmed)",
        ])
        return MediaCallOutcome(fax: result, ending: ending, frames: frames)
    }
}
