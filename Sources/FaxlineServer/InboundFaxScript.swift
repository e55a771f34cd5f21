import FaxCore
import FaxEngine
import Foundation
import Logging
import Telephony

/// `AGI(agi://…/inbound)`: the heart of the product. Routes the call to its fax devices,
/// takes a line, answers, has Asterisk connect the audio to the media server, receives the fax,
/// files it, queues its mail, and hands Asterisk the FAX* variables res_fax would set.
public struct InboundFaxScript: AGIScriptHandler {
    let services: FaxServices
    let finisher: ReceivedFaxFinisher

    public init(services: FaxServices) {
        self.services = services
        finisher = ReceivedFaxFinisher(services: services)
    }

    public func handle(_ session: AGISession) async throws {
        let environment = session.environment
        let faxID = UUID().uuidString.lowercased()
        var logger = services.logger
        logger[metadataKey: "fax.id"] = "\(faxID)"
        logger[metadataKey: "agi.uniqueid"] = "\(environment.uniqueID ?? "")"

        let call = InboundCall(
            calledExtension: environment.request?[query: "device"] ?? environment.extension ?? "",
            did: environment.dnid ?? "",
            callerNumber: environment.callerID ?? "")
        let callerName = environment.callerIDName ?? ""

        // Route first: a call nobody wants must not take a line.
        let devices: [FaxDevice]
        switch try await route(call) {
        case .refuse(let refusal):
            logger.notice("fax call refused", metadata: ["reason": "\(refusal)", "extension": "\(call.calledExtension)"])
            try await refuse(session, call: call, callerName: callerName, faxID: faxID, devices: [],
                             error: Self.errorCode(for: refusal), reason: refusal.description, congestion: false)
            return
        case .deliver(let plan):
            devices = plan.devices
        }

        if let full = services.diskGuard.refusal() {
            logger.error("fax call refused: disk nearly full", metadata: ["reason": "\(full)"])
            try await refuse(session, call: call, callerName: callerName, faxID: faxID, devices: devices,
                             error: "DISK_FULL", reason: full, congestion: true)
            return
        }

        guard let line = services.lines.claim(for: .inbound, faxID: faxID, remoteNumber: call.callerNumber) else {
            logger.warning("fax call refused: no free line", metadata: ["lines": "\(services.configuration.lines)"])
            try await refuse(session, call: call, callerName: callerName, faxID: faxID, devices: devices,
                             error: "NO_FREE_LINE", reason: "all fax lines are busy", congestion: true)
            return
        }
        logger[metadataKey: "line"] = "\(line.lineName)"
        var outcome = CallOutcome.failed
        defer { _ = line.release(outcome) }

        let now = Date()
        var record = FaxRecord(
            id: faxID, direction: .received, createdAt: now, deviceExtensions: devices.map(\.extensionNumber),
            callerNumber: call.callerNumber, callerName: callerName, did: call.did, lineName: line.lineName,
            status: .receiving)
        try await services.database.insertFax(record)

        let receiving = services.spool.temporaryFile("\(faxID).tif")
        var options = FaxSessionOptions()
        options.ecm = services.configuration.ecm
        options.localStationID = devices.first.map(\.stationID).flatMap { $0.isEmpty ? nil : $0 } ?? services.configuration.stationID

        _ = try await session.send(.answer)
        line.update(.receiving, faxID: faxID, remoteNumber: call.callerNumber)

        let uuid = UUID()
        let waiter = try services.audioSessions.expect(uuid)
        let connectTimeout = services.configuration.mediaConnectTimeout
        async let media = AudioSocketFaxCall.run(waiter: waiter, connectTimeout: connectTimeout, logger: logger) {
            try AudioFaxSession(role: .answering, document: .receive(path: receiving), options: options)
        }
        let address = try await services.mediaAddress()
        let connect: AGICommand
        switch services.configuration.mediaConnection {
        case .audioSocket:
            connect = try .audioSocket(uuid: uuid, host: address.host, port: address.port)
        case .dialGateway:
            _ = try? await session.send(.setVariable("FAXOPT(gateway)", "yes"))
            connect = try .dialAudioSocket(uuid: uuid, host: address.host, port: address.port)
        }
        // The application blocks for the whole call; its answer comes when the audio ends.
        let connected = try? await session.send(connect, timeout: .seconds(4 * 3600))
        if connected == nil { waiter.cancel() }
        let result = await media

        record = await finisher.finish(record, result: result, receivedFile: receiving, devices: devices, logger: logger)
        outcome = record.status == .received ? .succeeded : .failed
        try await setFaxVariables(session, result: result.fax, faxID: faxID)
    }

    private func route(_ call: InboundCall) async throws -> RoutingDecision {
        async let devices = services.database.devices()
        async let table = services.database.routingTable()
        return FaxRouter.route(call, devices: try await devices, table: try await table)
    }

    /// Records the refused call and tells Asterisk why, the way res_fax would, with congestion
    /// where a busy fax machine would give it (the caller's machine will try again).
    private func refuse(_ session: AGISession, call: InboundCall, callerName: String, faxID: String,
                        devices: [FaxDevice], error: String, reason: String, congestion: Bool) async throws {
        let record = FaxRecord(
            id: faxID, direction: .received, createdAt: Date(), finishedAt: Date(),
            deviceExtensions: devices.map(\.extensionNumber), callerNumber: call.callerNumber, callerName: callerName,
            did: call.did, status: .refused, session: FaxSessionSummary(errorText: error, statusString: reason))
        do {
            try await services.database.insertFax(record)
        } catch {
            // A full disk may refuse this too; the log line above still says what happened.
            services.logger.warning("could not record the refused call", metadata: ["error": "\(error)"])
        }
        _ = try await session.send(.setVariable("FAXSTATUS", "FAILED"))
        _ = try await session.send(.setVariable("FAXERROR", error))
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

    static func errorCode(for refusal: RoutingRefusal) -> String {
        switch refusal {
        case .noDevice: "NO_DEVICE"
        case .disabledGlobally, .disabledForGroup, .disabledForDevice: "DISABLED"
        case .rejectedByRule: "REJECTED"
        }
    }
}
