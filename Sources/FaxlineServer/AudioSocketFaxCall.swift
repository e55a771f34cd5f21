import FaxEngine
import Logging
import NIOCore
import Telephony

#if _endian(big)
#error("AudioSocket carries little-endian samples; this file copies them as they are")
#endif

/// How a fax call over AudioSocket ended, with the engine's result.
public struct MediaCallOutcome: Sendable {
    public enum Ending: Sendable, Equatable {
        /// T.30 finished (phase E); we closed the audio.
        case faxFinished
        /// Asterisk hung up (hangup message or closed connection).
        case farEndHungUp
        /// Asterisk never connected the audio.
        case neverConnected(String)
        /// No audio for the idle timeout, or a broken connection.
        case mediaFailed(String)
    }

    public var fax: FaxResult
    public var ending: Ending
    public var frames: Int
}

/// Runs one engine session over one AudioSocket connection, paced by Asterisk's clock: every
/// received frame is answered with exactly one frame of the same length, written in one write.
public enum AudioSocketFaxCall {
    /// Waits for Asterisk to connect `waiter`'s UUID, then runs the session made by
    /// `makeSession` until the fax or the call ends. The session lives only inside this call.
    public static func run(
        waiter: AudioSocketWaiter, connectTimeout: Duration, logger: Logger,
        makeSession: () throws -> AudioFaxSession
    ) async -> MediaCallOutcome {
        let session: AudioFaxSession
        do {
            session = try makeSession()
        } catch {
            waiter.cancel()
            return MediaCallOutcome(fax: .notStarted(reason: "\(error)", sending: false), ending: .neverConnected("\(error)"), frames: 0)
        }
        let connection: AudioSocketConnection
        do {
            connection = try await waiter.connection(timeout: connectTimeout)
        } catch {
            session.hangUp()
            logger.warning("Asterisk did not connect the call's audio", metadata: ["error": "\(error)"])
            return MediaCallOutcome(fax: session.result, ending: .neverConnected("\(error)"), frames: 0)
        }
        return await exchangeFrames(on: connection, session: session, logger: logger)
    }

    /// Answers Asterisk's frames until the fax or the call ends. `pageConfirmed` hears each
    /// page the far end confirms, as soon as it does (a sender records it before the next page,
    /// so a crash never makes it send a confirmed page again).
    static func exchangeFrames(on connection: AudioSocketConnection, session: AudioFaxSession, logger: Logger,
                               pageConfirmed: (@Sendable (Int) async -> Void)? = nil) async -> MediaCallOutcome {
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
                        ending = .mediaFailed("audio at \(sampleRate.hertz) Hz; the fax engine needs 8000 Hz signed linear (use c(slin))")
                        break frameLoop
                    }
                    let count = payload.readableBytes / 2
                    if heard.count != count {
                        heard = [Int16](repeating: 0, count: count)
                        reply = [Int16](repeating: 0, count: count)
                    }
                    copySamples(from: payload, into: &heard)
                    heard.withUnsafeBufferPointer { received in
                        reply.withUnsafeMutableBufferPointer { session.exchange(received: received, reply: $0) }
                    }
                    frames += 1
                    if let pageConfirmed, session.pagesConfirmed > reported {
                        reported = session.pagesConfirmed
                        await pageConfirmed(reported)
                    }
                    let answer = reply.withUnsafeBytes { ByteBuffer(bytes: $0) }
                    try await connection.write(.audio(answer))
                    if session.isFinished {
                        ending = .faxFinished
                        break frameLoop
                    }
                case .hangup:
                    ending = .farEndHungUp
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
        if let pageConfirmed, session.pagesConfirmed > reported {
            await pageConfirmed(session.pagesConfirmed)
        }
        if ending == .faxFinished {
            // Tell Asterisk we are done, then close: the AudioSocket application returns.
            try? await connection.write(.hangup)
        }
        await connection.close()
        let result = session.result
        logger.info("fax call ended", metadata: [
            "ending": "\(ending)", "frames": "\(frames)", "status": "\(result.status.rawValue)",
            "pages": "\(result.pagesConfirmed)",
        ])
        return MediaCallOutcome(fax: result, ending: ending, frames: frames)
    }

    /// Signed linear little-endian bytes to samples.
    private static func copySamples(from payload: ByteBuffer, into samples: inout [Int16]) {
        payload.withUnsafeReadableBytes { bytes in
            samples.withUnsafeMutableBytes { destination in
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes.prefix(destination.count)))
            }
        }
    }
}
