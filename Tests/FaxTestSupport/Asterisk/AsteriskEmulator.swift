import FaxEngine
import Foundation
import NIOCore
import NIOPosix
import Telephony

/// How the emulator paces the call's audio.
public enum MediaPacing: Sendable {
    /// A frame, then wait for the server's answer, then the next: the server's code path at
    /// CPU speed.
    case lockStep
    /// A frame every 20 ms, as Asterisk sends them.
    case realTime
}

/// One inbound call as Asterisk would route it to `AGI(agi://…/inbound)`.
public struct EmulatedInboundCall: Sendable {
    public var script: String = "inbound"
    public var query: String?
    public var calledExtension: String = "201"
    public var dnid: String = "201"
    public var callerID: String = "5550100"
    public var callerIDName: String = "ACME FAX"
    public var uniqueID: String = "1700000000.\(Int.random(in: 1...999_999))"
    public var channel: String = "PJSIP/trunk-00000001"
    public var machine: EmulatedFaxMachine
    public var pacing: MediaPacing = .lockStep
    /// Connect to the media server with a different UUID than the one announced.
    public var useBogusMediaUUID = false
    /// Hold the call, connected but silent, until this opens.
    public var mediaGate: AsyncGate?

    public init(machine: EmulatedFaxMachine) {
        self.machine = machine
    }

    func environment(agiHost: String, agiPort: Int) throws -> AGIEnvironment {
        var request = "agi://\(agiHost):\(agiPort)/\(script)"
        if let query { request += "?\(query)" }
        let pairs: [(String, String)] = [
            ("agi_network", "yes"), ("agi_network_script", script), ("agi_request", request),
            ("agi_channel", channel), ("agi_language", "en"), ("agi_type", "PJSIP"),
            ("agi_uniqueid", uniqueID), ("agi_version", "20.9.0"), ("agi_callerid", callerID),
            ("agi_calleridname", callerIDName), ("agi_callingpres", "0"), ("agi_callingani2", "0"),
            ("agi_callington", "0"), ("agi_callingtns", "0"), ("agi_dnid", dnid), ("agi_rdnis", "unknown"),
            ("agi_context", "faxline-inbound"), ("agi_extension", calledExtension), ("agi_priority", "1"),
            ("agi_enhanced", "0.0"), ("agi_accountcode", ""), ("agi_threadid", "140000000000000"),
        ]
        return try AGIEnvironment(pairs.map { AGIEnvironment.Variable(key: $0.0, value: $0.1) })
    }
}

/// What Asterisk saw of a call.
public struct EmulatedCallOutcome: Sendable {
    /// Channel variables the server set, last value wins.
    public var variables: [String: String] = [:]
    /// Every command line the server sent, in order.
    public var commands: [String] = []
    public var answered = false
    /// The far-end fax machine's own result.
    public var farEnd: FaxResult?
    public var mediaFrames = 0
    /// Time from each audio frame written to the server's answer read.
    public var frameLatencies: [Duration] = []
    /// The media server closed the connection without a single answer (e.g. a bogus UUID).
    public var mediaRefused = false
    public var mediaError: String?
}

/// The Asterisk side of FastAGI and AudioSocket, with a spandsp fax machine behind it: what a
/// real Asterisk does with `AGI(agi://…)` then `EXEC AudioSocket` or `EXEC Dial AudioSocket/…`.
public struct AsteriskEmulator: Sendable {
    public var agiHost: String
    public var agiPort: Int
    /// The longest the emulator waits for any answer from the server before giving up.
    public var idleTimeout: TimeAmount = .seconds(20)

    public init(agiHost: String = "127.0.0.1", agiPort: Int) {
        self.agiHost = agiHost
        self.agiPort = agiPort
    }

    public func placeInboundCall(_ call: EmulatedInboundCall) async throws -> EmulatedCallOutcome {
        let environment = try call.environment(agiHost: agiHost, agiPort: agiPort)
        return try await runAGI(sending: environment.encoded(), call: call)
    }

    /// Sends raw bytes as the AGI environment (malformed input tests) and reports what came back.
    public func sendRawAGI(_ bytes: [UInt8]) async throws -> EmulatedCallOutcome {
        try await runAGI(sending: ByteBuffer(bytes: bytes), call: nil)
    }

    private func runAGI(sending start: ByteBuffer, call: EmulatedInboundCall?) async throws -> EmulatedCallOutcome {
        // An AGI connection is legitimately silent for the whole of an EXEC (minutes); only a
        // server that never answers at all should end the test.
        let idleTimeout = TimeAmount.minutes(15)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: agiHost, port: agiPort) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(CloseOnIdleHandler())
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AGILineDecoder(maximumLineLength: 16_384)))
                    return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        var outcome = EmulatedCallOutcome()
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(start)
            var channelHungUp = false
            for try await line in inbound {
                outcome.commands.append(line)
                let command = AGICommandLine(parsing: line)
                if channelHungUp && !Self.allowedOnDeadChannel.contains(command.verb) {
                    try await outbound.write(AGIReply.response(.notPermittedOnDeadChannel).encoded())
                    continue
                }
                var reply = AGIResponse.success(AGIResult(result: 1))
                switch command.verb {
                case "ANSWER":
                    outcome.answered = true
                    reply = .success(AGIResult(result: 0))
                case "HANGUP":
                    channelHungUp = true
                case "SET VARIABLE":
                    let arguments = command.arguments
                    if arguments.count == 2 { outcome.variables[arguments[0]] = arguments[1] }
                case "GET VARIABLE":
                    let name = command.arguments.first ?? ""
                    reply = outcome.variables[name].map { .success(AGIResult(result: 1, data: $0)) }
                        ?? .success(AGIResult(result: 0))
                case "VERBOSE", "NOOP":
                    break
                case "EXEC":
                    let (result, dropped) = await exec(command.arguments, call: call, outcome: &outcome)
                    reply = .success(AGIResult(result: result))
                    channelHungUp = dropped
                default:
                    reply = .invalidOrUnknownCommand
                }
                try await outbound.write(AGIReply.response(reply).encoded())
                if channelHungUp && command.verb == "EXEC" {
                    // With AGISIGHUP, Asterisk tells the script the channel is gone.
                    try await outbound.write(AGIReply.hangup.encoded())
                }
            }
        }
        return outcome
    }

    /// res_agi marks these commands as usable after the caller hung up (its `dead` flag).
    static let allowedOnDeadChannel: Set<String> = ["SET VARIABLE", "GET VARIABLE", "GET FULL VARIABLE", "VERBOSE", "NOOP"]

    /// Runs a dialplan application. Returns the AGI result and whether the channel hung up.
    private func exec(_ arguments: [String], call: EmulatedInboundCall?, outcome: inout EmulatedCallOutcome) async -> (Int, Bool) {
        guard let application = arguments.first?.lowercased(), let call else { return (-2, false) }
        let data = arguments.count > 1 ? arguments[1] : ""
        switch application {
        case "audiosocket":
            // AudioSocket(<uuid>,<host>:<port>)
            let parts = data.split(separator: ",", maxSplits: 1).map(String.init)
            guard parts.count == 2, let uuid = UUID(uuidString: parts[0]), let (host, port) = Self.hostPort(parts[1]) else {
                return (-1, false)
            }
            let dropped = await runMedia(uuid: uuid, host: host, port: port, call: call, outcome: &outcome)
            return (dropped ? -1 : 0, dropped)
        case "dial":
            // Dial(AudioSocket/<host>:<port>/<uuid>/c(slin)): returns -1 once the call has ended.
            let parts = data.split(separator: "/").map(String.init)
            guard parts.count >= 3, parts[0].lowercased() == "audiosocket",
                  let (host, port) = Self.hostPort(parts[1]), let uuid = UUID(uuidString: parts[2]) else {
                return (-1, false)
            }
            let dropped = await runMedia(uuid: uuid, host: host, port: port, call: call, outcome: &outcome)
            return (-1, dropped)
        case "congestion", "busy", "playtones", "wait":
            return (0, false)
        default:
            return (-2, false)
        }
    }

    private static func hostPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        return (String(text[..<colon]), port)
    }

    /// The inbound call's audio: the far-end machine calls and sends.
    private func runMedia(uuid announced: UUID, host: String, port: Int, call: EmulatedInboundCall,
                          outcome: inout EmulatedCallOutcome) async -> Bool {
        await Self.exchangeAudio(
            uuid: call.useBogusMediaUUID ? UUID() : announced, host: host, port: port, machine: call.machine,
            calling: true, pacing: call.pacing, gate: call.mediaGate, hangUpGraceFrames: 0,
            idleTimeout: idleTimeout, outcome: &outcome)
    }

    /// A call's audio over AudioSocket, as Asterisk's side: connects with `uuid`, then sends a
    /// frame of `machine`'s audio and feeds it the server's answer, frame by frame, until the
    /// machine is done, hangs up (`hangUpAfterPages`, `hangUpGraceFrames` frames after the
    /// confirmation so that it reaches the sender) or the server ends the call. Returns whether
    /// the far end hung up (rather than the server ending the audio).
    static func exchangeAudio(
        uuid: UUID, host: String, port: Int, machine: EmulatedFaxMachine, calling: Bool, pacing: MediaPacing,
        gate: AsyncGate?, hangUpGraceFrames: Int, idleTimeout: TimeAmount, outcome: inout EmulatedCallOutcome
    ) async -> Bool {
        let session: AudioFaxSession
        do {
            session = try machine.makeSession(calling: calling)
        } catch {
            outcome.mediaError = "\(error)"
            return true
        }
        var farEndHungUp = false
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
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(AudioSocketFrame.uuid(uuid).encoded())
                if let gate { await gate.wait() }
                var replies = inbound.makeAsyncIterator()
                var samples = [Int16](repeating: 0, count: 160)
                let clock = ContinuousClock()
                var due = clock.now
                var graceLeft = hangUpGraceFrames
                media: while true {
                    if session.isFinished { farEndHungUp = true; break }
                    if let limit = machine.hangUpAfterPages, session.pagesConfirmed >= limit {
                        if graceLeft <= 0 { farEndHungUp = true; break }
                        graceLeft -= 1
                    }
                    if pacing == .realTime {
                        due = due.advanced(by: .milliseconds(20))
                        try await clock.sleep(until: due)
                    }
                    samples.withUnsafeMutableBufferPointer { session.transmit(into: $0) }
                    var payload = ByteBuffer()
                    payload.reserveCapacity(samples.count * 2)
                    for sample in samples { payload.writeInteger(sample, endianness: .little) }
                    let sent = clock.now
                    try await outbound.write(AudioSocketFrame.audio(payload).encoded())
                    outcome.mediaFrames += 1
                    guard let reply = try await replies.next() else { break }
                    switch reply {
                    case .audio(var heard, _):
                        outcome.frameLatencies.append(clock.now - sent)
                        let count = min(heard.readableBytes / 2, samples.count)
                        for index in 0..<count {
                            samples[index] = heard.readInteger(endianness: .little, as: Int16.self) ?? 0
                        }
                        samples.withUnsafeBufferPointer { session.receive(UnsafeBufferPointer(rebasing: $0[0..<count])) }
                    case .hangup, .error:
                        break media
                    default:
                        continue
                    }
                }
                if farEndHungUp {
                    try? await outbound.write(AudioSocketFrame.hangup.encoded())
                }
            }
        } catch {
            outcome.mediaError = "\(error)"
        }
        // Closed by the server before a single answer, however the close showed itself.
        outcome.mediaRefused = outcome.frameLatencies.isEmpty
        session.hangUp()
        outcome.farEnd = session.result
        return farEndHungUp
    }
}

/// Ends a connection that has been silent for longer than the emulator waits.
final class CloseOnIdleHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
