import CallMedia
import FaxCore
import FaxEngine
import Foundation
import Logging
import NIOPosix
import Telephony

/// `AGI(agi://…/inbound)`: the heart of the product. Routes the call to its fax devices,
/// takes a line, answers, has Asterisk connect the audio to the media server, receives the fax,
/// files it, queues its mail, and hands Asterisk the FAX* variables res_fax would set.
///
/// Once a line is taken the call has a record, and every way out — a fax, an error, a caller
/// who hangs up before the audio connects, audio that never comes, a shutdown — leaves it final.
public struct InboundFaxScript: AGIScriptHandler {
    /// What answering needs to know of the configuration.
    public struct Settings: Sendable {
        public var ecm: Bool
        /// The CSID when the device has none.
        public var stationID: String
        public var mediaConnection: FaxlineConfiguration.MediaConnection
        /// How long Asterisk's AudioSocket (or Dial) application may take to return once the
        /// call's audio has ended (a real Asterisk returns at once); then the AGI connection is
        /// closed rather than held for the hours a whole call may take.
        public var applicationReturnGrace: Duration

        public init(ecm: Bool, stationID: String, mediaConnection: FaxlineConfiguration.MediaConnection,
                    applicationReturnGrace: Duration = .seconds(10)) {
            self.ecm = ecm
            self.stationID = stationID
            self.mediaConnection = mediaConnection
            self.applicationReturnGrace = applicationReturnGrace
        }
    }

    let routing: any DeviceRepository & RoutingRepository
    let faxes: any FaxRepository
    let finisher: ReceivedFaxFinisher
    let diskGuard: DiskGuard
    let calls: FaxCallEnvironment
    let settings: Settings
    /// Counts the refused calls for `faxline status`.
    let refusals: RefusedCalls
    /// Where Asterisk connects for a call's audio.
    let mediaAddress: @Sendable () async throws -> FaxlineConfiguration.Listener

    init(routing: any DeviceRepository & RoutingRepository, faxes: any FaxRepository, finisher: ReceivedFaxFinisher,
         diskGuard: DiskGuard, calls: FaxCallEnvironment, settings: Settings, refusals: RefusedCalls = RefusedCalls(),
         mediaAddress: @escaping @Sendable () async throws -> FaxlineConfiguration.Listener) {
        self.routing = routing
        self.faxes = faxes
        self.finisher = finisher
        self.diskGuard = diskGuard
        self.calls = calls
        self.settings = settings
        self.refusals = refusals
        self.mediaAddress = mediaAddress
    }

    /// What the call's task hears, in order.
    enum Event: Sendable {
        case media(MediaCallEvent)
        /// Asterisk's AudioSocket (or Dial) application returned.
        case applicationReturned
    }

    public func handle(_ session: AGISession) async throws {
        let environment = session.environment
        let faxID = UUID().uuidString.lowercased()
        var logger = calls.logger
        logger[metadataKey: "fax.id"] = "\(faxID)"
        logger[metadataKey: "agi.uniqueid"] = "\(UntrustedText.cleaned(environment.uniqueID ?? ""))"

        // Caller-controlled text enters here: cleaned once, it is safe in records, logs and mail.
        // `AGI(agi://…/inbound?device=201)` names the device: that one, or none.
        let requestedDevice = environment.request?[query: "device"].map(UntrustedText.cleaned)
        let call = InboundCall(
            calledExtension: requestedDevice ?? UntrustedText.cleaned(environment.extension ?? ""),
            did: UntrustedText.cleaned(environment.dnid ?? ""),
            callerNumber: UntrustedText.cleaned(environment.callerID ?? ""),
            requestedDevice: requestedDevice)
        let callerName = UntrustedText.cleaned(environment.callerIDName ?? "")

        // Route first: a call nobody wants must not take a line.
        let devices: [FaxDevice]
        switch try await route(call) {
        case .refuse(let refusal):
            logger.notice("fax call refused", metadata: ["reason": "\(refusal)", "extension": "\(call.calledExtension)"])
            try await refuse(session, call: call, callerName: callerName, faxID: faxID, devices: [],
                             error: Self.reason(for: refusal), reason: refusal.description, congestion: false, logger: logger)
            return
        case .deliver(let plan):
            devices = plan.devices
        }

        if let full = diskGuard.refusal() {
            logger.error("fax call refused: disk nearly full", metadata: ["reason": "\(full)"])
            try await refuse(session, call: call, callerName: callerName, faxID: faxID, devices: devices,
                             error: .diskFull, reason: full, congestion: true, logger: logger)
            return
        }

        let receiving = finisher.spool.temporaryFile("\(faxID).tif")
        var options = FaxSessionOptions()
        options.ecm = settings.ecm
        options.localStationID = devices.first.map(\.stationID).flatMap { $0.isEmpty ? nil : $0 } ?? settings.stationID
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        defer { sink.finish() }
        guard let runner = FaxCallRunner(
            claiming: .inbound, faxID: faxID, remoteNumber: call.callerNumber, peer: session.remoteAddress,
            environment: calls, logger: logger,
            makeSession: { [options] in try AudioFaxSession(role: .answering, document: .receive(path: receiving), options: options) },
            report: { sink.yield(.media($0)) })
        else {
            logger.warning("fax call refused: no free line", metadata: ["lines": "\(calls.lines.lineCount)"])
            try await refuse(session, call: call, callerName: callerName, faxID: faxID, devices: devices,
                             error: .noFreeLine, reason: "all fax lines are busy", congestion: true, logger: logger)
            return
        }
        logger[metadataKey: "line"] = "\(runner.line.lineName)"

        let record = FaxRecord(
            id: faxID, direction: .received, createdAt: Date(), deviceExtensions: devices.map(\.extensionNumber),
            callerNumber: call.callerNumber, callerName: callerName, did: call.did, lineName: runner.line.lineName,
            status: .receiving)
        do {
            try await faxes.insertFax(record)
        } catch {
            runner.giveUpConnecting("the call could not be recorded")
            runner.release(succeeded: false)
            throw error
        }

        let filed = await receive(session, record: record, receiving: receiving, devices: devices, runner: runner,
                                  events: events, sink: sink, logger: logger)
        // Without the application's answer the conversation is over (closed by either side).
        guard filed.applicationAnswered else { return }
        try await setFaxVariables(session, result: filed.result, faxID: faxID)
    }

    /// Answers, asks Asterisk for the audio, and files the fax as soon as the call's audio has
    /// ended — however it ends — then waits for Asterisk's application to return (at most
    /// `applicationReturnGrace` more: then the AGI connection is closed).
    private func receive(_ session: AGISession, record: FaxRecord, receiving: String, devices: [FaxDevice],
                         runner: FaxCallRunner, events: AsyncStream<Event>, sink: AsyncStream<Event>.Continuation,
                         logger: Logger) async -> (record: FaxRecord, result: FaxResult, applicationAnswered: Bool) {
        let finisher = self.finisher
        @Sendable func file(_ outcome: MediaCallOutcome) async -> (record: FaxRecord, result: FaxResult) {
            let filed = await finisher.finish(record, result: outcome, receivedFile: receiving, devices: devices, logger: logger)
            runner.release(succeeded: filed.status == .received)
            return (filed, outcome.fax)
        }
        let connect: AGICommand
        do {
            _ = try await session.send(.answer)
            runner.answered()
            let address = try await mediaAddress()
            switch settings.mediaConnection {
            case .audioSocket:
                connect = try .audioSocket(uuid: runner.uuid, host: address.host, port: address.port)
            case .dialGateway:
                _ = try? await session.send(.setVariable("FAXOPT(gateway)", "yes"))
                connect = try .dialAudioSocket(uuid: runner.uuid, host: address.host, port: address.port)
            }
        } catch {
            logger.warning("the call ended before its audio was asked for", metadata: ["error": "\(SocketErrorWords.describe(error))"])
            runner.hangUp("the call ended before its audio was asked for (\(SocketErrorWords.describe(error)))")
            let filed = await file(await runner.outcome())
            return (filed.record, filed.result, false)
        }
        let applicationReturned = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Void.self)
        let closer = session.closer
        let grace = settings.applicationReturnGrace
        let calls = self.calls
        var applicationAnswered = false
        let filed = await withTaskGroup(of: (record: FaxRecord, result: FaxResult)?.self) { group in
            group.addTask {
                await runner.expireConnection()
                return nil
            }
            group.addTask {
                var iterator = events.makeAsyncIterator()
                while let event = await iterator.next() {
                    switch event {
                    case .applicationReturned:
                        runner.giveUpConnecting("Asterisk's application returned before the audio connected (the caller hung up?)")
                    case .media(.ended(let outcome)):
                        let filed = await file(outcome)
                        // The line is free and the record final; what is left is the AGI connection.
                        // Closing fails the command that waits, and so the application returns.
                        await calls.wait(for: applicationReturned.futureResult, atMost: grace) {
                            logger.warning("Asterisk's application did not return within \(grace) after the call's audio ended; closing the AGI connection")
                            closer.close()
                        }
                        return filed
                    case .media:
                        continue
                    }
                }
                return nil
            }
            // The application blocks for the whole call; its answer comes when the audio ends.
            applicationAnswered = (try? await session.send(connect, timeout: .seconds(4 * 3600))) != nil
            applicationReturned.succeed()
            sink.yield(.applicationReturned)
            var filed: (record: FaxRecord, result: FaxResult)?
            for await result in group where result != nil { filed = result }
            return filed
        }
        if let filed { return (filed.record, filed.result, applicationAnswered) }
        // Cut by a shutdown: hang up, and file what arrived.
        runner.hangUp("the server is stopping")
        let cut = await file(await runner.outcome())
        return (cut.record, cut.result, applicationAnswered)
    }

    private func route(_ call: InboundCall) async throws -> RoutingDecision {
        async let devices = routing.devices()
        async let table = routing.routingTable()
        return FaxRouter.route(call, devices: try await devices, table: try await table)
    }

    /// Records the refused call and tells Asterisk why, the way res_fax would, with congestion
    /// where a busy fax machine would give it (the caller's machine will try again).
    private func refuse(_ session: AGISession, call: InboundCall, callerName: String, faxID: String,
                        devices: [FaxDevice], error: RefusalReason, reason: String, congestion: Bool, logger: Logger) async throws {
        refusals.count(error)
        let record = FaxRecord(
            id: faxID, direction: .received, createdAt: Date(), finishedAt: Date(),
            deviceExtensions: devices.map(\.extensionNumber), callerNumber: call.callerNumber, callerName: callerName,
            did: call.did, status: .refused, session: FaxSessionSummary(errorText: error.rawValue, statusString: reason))
        if diskGuard.refusal() == nil {
            do {
                try await faxes.insertFax(record)
            } catch {
                logger.warning("could not record the refused call", metadata: ["error": "\(ErrorWords.describe(error))"])
            }
        } else {
            // A nearly full disk takes no new rows, not even for refusals (a flood of calls
            // would fill the rest); the log line above says what happened.
            logger.debug("refused call not recorded: the disk is nearly full")
        }
        _ = try await session.send(.setVariable("FAXSTATUS", "FAILED"))
        _ = try await session.send(.setVariable("FAXERROR", error.rawValue))
        _ = try await session.send(.setVariable("FAXSTATUSSTRING", reason))
        _ = try await session.send(.setVariable("FAXPAGES", "0"))
        if congestion {
            _ = try? await session.send(.exec("Congestion", "5"), timeout: .seconds(15))
        }
    }

    private func setFaxVariables(_ session: AGISession, result: FaxResult, faxID: String) async throws {
        let variables: [(String, String)] = [
            ("FAXSTATUS", result.status.rawValue),
            ("FAXERROR", result.error),
            ("FAXSTATUSSTRING", result.statusString),
            ("FAXPAGES", "\(result.pagesConfirmed)"),
            ("FAXBITRATE", "\(result.bitRate)"),
            ("FAXRESOLUTION", result.resolution.description),
            ("REMOTESTATIONID", result.remoteStationID),
            ("LOCALSTATIONID", result.localStationID),
            ("FAXLINE_ID", faxID),
        ]
        for (name, value) in variables {
            // After the caller hung up, Asterisk still takes SET VARIABLE (a dead-channel command).
            _ = try await session.send(.setVariable(name, value))
        }
    }

    static func reason(for refusal: RoutingRefusal) -> RefusalReason {
        switch refusal {
        case .noDevice, .noSuchDevice: .noDevice
        case .disabledGlobally, .disabledForGroup, .disabledForDevice: .disabled
        case .rejectedByRule: .rejected
        }
    }
}
