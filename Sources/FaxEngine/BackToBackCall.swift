/// Two fax sessions connected to each other in one process, in simulated time: a sender and a
/// receiver over audio or T.38. The engine's own proof that it works, its tests' harness, and
/// its benchmark. `step()` runs 20 ms of call.
public final class BackToBackCall {
    public enum Transport: Sendable, Equatable {
        case audio
        case t38(paced: Bool)
    }

    public static let samplesPerStep = 160

    public let sender: any FaxTerminal
    public let receiver: any FaxTerminal
    public let transport: Transport
    public private(set) var steps = 0

    private var audioPair: (caller: AudioFaxSession, answerer: AudioFaxSession)?
    private var t38Pair: (sender: T38FaxSession, receiver: T38FaxSession)?
    private let link: T38Link?
    private var buffer = [Int16](repeating: 0, count: BackToBackCall.samplesPerStep)

    /// - Parameters:
    ///   - senderCalls: whether the sending side is the calling party (the usual case).
    ///   - packetLoss: share of T.38 transmissions lost on the link, 0...1.
    ///   - redundancy: earlier packets repeated in each T.38 transmission (UDPTL redundancy).
    public init(send: FaxDocument, receive: FaxDocument, transport: Transport = .audio,
                senderCalls: Bool = true,
                senderOptions: FaxSessionOptions = FaxSessionOptions(),
                receiverOptions: FaxSessionOptions = FaxSessionOptions(),
                packetLoss: Double = 0, redundancy: Int = 0, seed: UInt64 = 1) throws(FaxEngineError) {
        self.transport = transport
        let senderRole: FaxCallRole = senderCalls ? .calling : .answering
        let receiverRole: FaxCallRole = senderCalls ? .answering : .calling
        switch transport {
        case .audio:
            let sending = try AudioFaxSession(role: senderRole, document: send, options: senderOptions)
            let receiving = try AudioFaxSession(role: receiverRole, document: receive, options: receiverOptions)
            sender = sending
            receiver = receiving
            audioPair = senderCalls ? (sending, receiving) : (receiving, sending)
            link = nil
        case .t38(let paced):
            let link = T38Link(lossRate: packetLoss, redundancy: redundancy, seed: seed)
            let sending = try T38FaxSession(role: senderRole, document: send, options: senderOptions, paced: paced) {
                link.send($1, packet: $0, toReceiver: true)
            }
            let receiving = try T38FaxSession(role: receiverRole, document: receive, options: receiverOptions, paced: paced) {
                link.send($1, packet: $0, toReceiver: false)
            }
            sender = sending
            receiver = receiving
            t38Pair = (sending, receiving)
            self.link = link
        }
    }

    public var simulatedSeconds: Double {
        Double(steps * Self.samplesPerStep) / Double(T30Monitor.sampleRate)
    }

    public var bothFinished: Bool { sender.isFinished && receiver.isFinished }

    /// Packets lost on the T.38 link so far, and packets carried.
    public var linkCounts: (lost: Int, carried: Int) { (link?.lost ?? 0, link?.carried ?? 0) }

    /// 20 ms of call in both directions.
    public func step() {
        steps += 1
        if let (caller, answerer) = audioPair {
            // The same order as the reference program: each side transmits, the other hears it.
            buffer.withUnsafeMutableBufferPointer { frame in
                caller.transmit(into: frame)
                answerer.receive(UnsafeBufferPointer(frame))
                answerer.transmit(into: frame)
                caller.receive(UnsafeBufferPointer(frame))
            }
        } else if let (sending, receiving) = t38Pair, let link {
            sending.advance(samples: Self.samplesPerStep)
            receiving.advance(samples: Self.samplesPerStep)
            link.deliver(toReceiver: receiving, toSender: sending)
        }
    }

    /// Runs until both sessions have finished or `maximumSeconds` of call time have passed;
    /// then hangs up whatever is still running, so the result is always final.
    @discardableResult
    public func run(maximumSeconds: Double = 900) -> (sender: FaxResult, receiver: FaxResult) {
        run(until: { $0.bothFinished }, maximumSeconds: maximumSeconds)
        hangUpBoth()
        return (sender.result, receiver.result)
    }

    /// Steps until `condition` holds or `maximumSeconds` of call time have passed.
    /// Returns whether the condition was met.
    @discardableResult
    public func run(until condition: (BackToBackCall) -> Bool, maximumSeconds: Double = 900) -> Bool {
        let limit = Int(maximumSeconds * Double(T30Monitor.sampleRate)) / Self.samplesPerStep
        while !condition(self) {
            if steps >= limit { return false }
            step()
        }
        return true
    }

    public func hangUpBoth() {
        sender.hangUp()
        receiver.hangUp()
    }
}

/// The wire between two T.38 terminals, carrying IFP packets the way UDPTL does: a sequence
/// number per direction, each transmission lost or not on its own, and optionally the previous
/// `redundancy` packets repeated in every transmission (UDPTL's redundancy error correction,
/// as Asterisk's `t38_udptl_ec=redundancy` sends), from which the far end recovers lost ones.
final class T38Link {
    private struct Direction {
        var nextSequence: UInt16 = 0
        /// The last packets sent, newest last, for redundancy.
        var history: [(sequence: UInt16, bytes: [UInt8])] = []
        /// Transmissions in flight, each oldest packet first.
        var inFlight: [[(sequence: UInt16, bytes: [UInt8])]] = []
        var lastDelivered: UInt16?
    }

    private var toReceiver = Direction()
    private var toSender = Direction()
    private let lossRate: Double
    private let redundancy: Int
    private var random: SplitMix64
    private(set) var lost = 0
    private(set) var carried = 0

    init(lossRate: Double, redundancy: Int, seed: UInt64) {
        self.lossRate = min(max(lossRate, 0), 1)
        self.redundancy = max(0, redundancy)
        random = SplitMix64(seed: seed)
    }

    func send(_ count: Int, packet: [UInt8], toReceiver forward: Bool) {
        if forward {
            send(count, packet: packet, on: &toReceiver)
        } else {
            send(count, packet: packet, on: &toSender)
        }
    }

    private func send(_ count: Int, packet: [UInt8], on direction: inout Direction) {
        let sequence = direction.nextSequence
        direction.nextSequence &+= 1
        let transmission = direction.history.suffix(redundancy) + [(sequence, packet)]
        direction.history.append((sequence, packet))
        if direction.history.count > redundancy { direction.history.removeFirst(direction.history.count - redundancy) }
        for _ in 0..<max(count, 1) {
            if lossRate > 0, Double(random.next() >> 11) / Double(1 << 53) < lossRate {
                lost += 1
                continue
            }
            carried += 1
            direction.inFlight.append(Array(transmission))
        }
    }

    func deliver(toReceiver receiver: T38FaxSession, toSender sender: T38FaxSession) {
        // Delivering may make the other side answer at once; carry those too, a bounded number
        // of rounds, so that a misbehaving pair cannot spin here.
        var rounds = 0
        while (!toReceiver.inFlight.isEmpty || !toSender.inFlight.isEmpty) && rounds < 64 {
            rounds += 1
            Self.deliver(&toReceiver, to: receiver)
            Self.deliver(&toSender, to: sender)
        }
    }

    /// Hands each packet over once, in order, skipping repeats and redundant copies of packets
    /// already delivered; a gap no transmission filled is left for T.38 to notice.
    private static func deliver(_ direction: inout Direction, to session: T38FaxSession) {
        let transmissions = direction.inFlight
        direction.inFlight.removeAll(keepingCapacity: true)
        for transmission in transmissions {
            for (sequence, bytes) in transmission {
                if let last = direction.lastDelivered, Int16(bitPattern: sequence &- last) <= 0 { continue }
                direction.lastDelivered = sequence
                session.receive(packet: bytes, sequence: sequence)
            }
        }
    }
}

/// A small seeded generator, so a lossy-link run can be repeated exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
