import FaxEngine
import Foundation
import NIOCore
import NIOPosix
import Telephony

/// How the emulator paces the call's audio.
public enum MediaPacing: Sendable {
    /// 20 ms steps in emulated time, driven through the server's ``LockStepMediaClock``: the
    /// server's code path at CPU speed.
    case lockStep
    /// A step every 20 ms of wall time (the server must run its real clock).
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
    /// What Asterisk does when asked to connect the audio.
    public var audio: AudioConnection = .connects
    /// The AGI connection drops right after the ANSWER (Asterisk crashed, the network broke).
    public var dropsAGIAfterAnswer = false

    public enum AudioConnection: Sendable {
        case connects
        /// The caller hangs up before the audio connects: the application returns at once.
        case callerHangsUpFirst
        /// The audio never connects; the application returns only when `gate` opens.
        case neverConnects(AsyncGate)
    }

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
    /// The far-end fax machine's own result (`nil` when it never started).
    public var farEnd: FaxResult?
    /// 20 ms steps the call's audio ran for.
    public var steps = 0
    /// Audio frames the far end sent.
    public var mediaFrames = 0
    /// Audio frames the server sent.
    public var serverFrames = 0
    /// Real-time pacing: how late each of the server's frames arrived against a steady 20 ms
    /// cadence from its first one.
    public var frameLatencies: [Duration] = []
    /// The media server closed the connection without sending a single frame (e.g. a bogus UUID).
    public var mediaRefused = false
    public var mediaError: String?
    /// Asterisk's rule hung the call up: 2 s in which neither side sent anything.
    public var hungUpForInactivity = false
    /// Gaps the far end left in its frames, the frames it dropped in them, and the frames it
    /// sent in a burst after a gap.
    public var gaps = 0
    public var droppedFrames = 0
    public var burstFrames = 0
}

/// The Asterisk side of FastAGI and AudioSocket, with a spandsp fax machine behind it: what a
/// real Asterisk does with `AGI(agi://…)` then `EXEC AudioSocket` or `EXEC Dial AudioSocket/…`.
public struct AsteriskEmulator: Sendable {
    public var agiHost: String
    public var agiPort: Int
    /// The server's media clock, which lock-step calls drive.
    public var clock: LockStepMediaClock?
    /// The longest the emulator waits for any answer from the server before giving up.
    public var idleTimeout: TimeAmount = .seconds(20)

    public init(agiHost: String = "127.0.0.1", agiPort: Int, clock: LockStepMediaClock? = nil) {
        self.agiHost = agiHost
        self.agiPort = agiPort
        self.clock = clock
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
                    if call?.dropsAGIAfterAnswer == true {
                        try await outbound.write(AGIReply.response(reply).encoded())
                        return
                    }
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
        if application == "audiosocket" || application == "dial" {
            switch call.audio {
            case .connects: break
            case .callerHangsUpFirst: return (-1, true)
            case .neverConnects(let gate):
                await gate.wait()
                return (-1, true)
            }
        }
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
            calling: true, pacing: call.pacing, clock: clock, gate: call.mediaGate, hangUpGraceFrames: 0,
            idleTimeout: idleTimeout, outcome: &outcome)
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
