import FaxEngine
import NIOCore

/// The far end's side of one call's audio, step by 20 ms step: the fax machine behind the
/// emulated Asterisk, with its behaviour on the line (silent for a while, never sending, gaps
/// with bursts). Pure apart from the spandsp session; the emulator does the I/O.
struct EmulatedFarEnd {
    static let stepDuration = Duration.milliseconds(20)
    static let samplesPerStep = 160

    let machine: EmulatedFaxMachine
    let calling: Bool
    private(set) var session: AudioFaxSession?
    private(set) var step = 0
    /// Frames held back during a gap, sent as a burst when it ends.
    private var held: [ByteBuffer] = []
    private(set) var gaps = 0
    private(set) var burstFrames = 0
    private(set) var droppedFrames = 0
    private var firstT30Step: Int?
    /// When the far end had confirmed each number of pages (sender or receiver).
    private var pageSteps: [Int: Int] = [:]
    private var graceLeft: Int
    private var samples = [Int16](repeating: 0, count: EmulatedFarEnd.samplesPerStep)

    init(machine: EmulatedFaxMachine, calling: Bool, hangUpGraceFrames: Int) throws {
        self.machine = machine
        self.calling = calling
        graceLeft = hangUpGraceFrames
        switch machine.behaviour {
        case .fax, .gapsMidPage, .burstMidPage: session = try machine.makeSession(calling: calling)
        case .silentThenFax, .neverSends, .hangsUp: break
        }
    }

    static func steps(_ duration: Duration) -> Int {
        Int(duration / stepDuration)
    }

    /// Whether the far end hangs up now (its fax is over, or it hangs up after some pages).
    mutating func hangsUp() -> Bool {
        if case .hangsUp(let after) = machine.behaviour { return step >= Self.steps(after) }
        guard let session else { return false }
        if session.isFinished { return true }
        if let limit = machine.hangUpAfterPages, session.pagesConfirmed >= limit {
            if graceLeft <= 0 { return true }
            graceLeft -= 1
        }
        return false
    }

    /// The next step: the frames the far end sends in it (none, one, or a burst after a gap).
    mutating func nextFrames() throws -> [ByteBuffer] {
        step += 1
        if session == nil, case .silentThenFax(let silence) = machine.behaviour, step > Self.steps(silence) {
            session = try machine.makeSession(calling: calling)
        }
        guard let session else { return [] }
        samples.withUnsafeMutableBufferPointer { session.transmit(into: $0) }
        var payload = ByteBuffer()
        payload.reserveCapacity(samples.count * 2)
        for sample in samples { payload.writeInteger(sample, endianness: .little) }
        if firstT30Step == nil, session.t30FramesReceived > 0 { firstT30Step = step }
        let page: Int
        switch machine.behaviour {
        case .gapsMidPage(_, _, let fromPage): page = fromPage
        case .burstMidPage(_, let burstPage): page = burstPage
        case .fax, .silentThenFax, .neverSends, .hangsUp: return [payload]
        }
        // Mid-page: 10 s after the first T.30 frame for page 1 (negotiation and training take
        // 3–6 s); 6 s after the previous page was confirmed for the others.
        if page > 1, pageSteps[page - 1] == nil, session.pagesConfirmed >= page - 1 { pageSteps[page - 1] = step }
        guard let reference = page == 1 ? firstT30Step : pageSteps[page - 1] else { return [payload] }
        let since = step - reference - (page == 1 ? 500 : 300)
        guard since >= 0 else { return [payload] }
        switch machine.behaviour {
        case .gapsMidPage(let gap, let every, _):
            let phase = since % Self.steps(every)
            guard phase < Self.steps(gap) else { return [payload] }
            if phase == 0 { gaps += 1 }
            droppedFrames += 1
            return []
        case .burstMidPage(let gap, _):
            if since < Self.steps(gap) {
                if since == 0 { gaps += 1 }
                held.append(payload)
                return []
            }
            defer { held.removeAll() }
            burstFrames += held.count
            return held + [payload]
        case .fax, .silentThenFax, .neverSends, .hangsUp:
            return [payload]
        }
    }

    /// A frame from the server.
    mutating func heard(_ payload: ByteBuffer) {
        guard let session else { return }
        var payload = payload
        let count = min(payload.readableBytes / 2, samples.count)
        for index in 0..<count {
            samples[index] = payload.readInteger(endianness: .little, as: Int16.self) ?? 0
        }
        samples.withUnsafeBufferPointer { session.receive(UnsafeBufferPointer(rebasing: $0[0..<count])) }
    }

    func finish() -> FaxResult? {
        guard let session else { return nil }
        session.hangUp()
        return session.result
    }
}
