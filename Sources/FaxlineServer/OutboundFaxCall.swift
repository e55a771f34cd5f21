import FaxEngine
import Logging
import Telephony

/// The media half of an outbound call: the answered call's AudioSocket connection, driven by
/// the same frame loop as an inbound one, reporting each page the far end confirms as soon as
/// it does — so that the queue records it before the next page, and never sends a confirmed
/// page again after a crash.
enum OutboundFaxCall {
    static func run(
        waiter: AudioSocketWaiter, connectTimeout: Duration, logger: Logger,
        session: AudioFaxSession, pageConfirmed: @escaping @Sendable (Int) async -> Void
    ) async -> MediaCallOutcome {
        let connection: AudioSocketConnection
        do {
            connection = try await waiter.connection(timeout: connectTimeout)
        } catch {
            session.hangUp()
            logger.warning("Asterisk did not connect the outbound call's audio", metadata: ["error": "\(error)"])
            return MediaCallOutcome(fax: session.result, ending: .neverConnected("\(error)"), frames: 0)
        }
        return await AudioSocketFaxCall.exchangeFrames(
            on: connection, session: session, logger: logger, pageConfirmed: pageConfirmed)
    }
}
