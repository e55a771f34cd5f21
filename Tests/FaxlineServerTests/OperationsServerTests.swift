import FaxCore
import FaxTestSupport
import Foundation
import NIOCore
import NIOPosix
import Store
import Telephony
import Testing

@testable import FaxlineServer

/// A placer whose Asterisk manager is down: nothing is dialed.
final class DownPlacer: OutboundCallPlacer {
    var connectionState: AMIConnectionState {
        get async { .down(reason: "connection refused", since: Date()) }
    }

    func originate(_ request: OriginateRequest) async throws -> OriginateOutcome {
        Issue.record("dialed while the manager is down")
        return OriginateOutcome(cause: .amiDown, channelID: request.channelID, actionID: "", wasQueued: false)
    }

    func hangUp(_ request: OriginateRequest) async {}
}

/// What the admin sees of a running server: refusals by reason, zero retention at delivery,
/// the kill time, one server per data folder, a listener that cannot open.
@Suite("Server operations", .serialized)
struct OperationsServerTests {
    @Test("a device named by the dialplan that does not exist is refused as NO_DEVICE, not given to the default route")
    func requestedDeviceThatDoesNotExist() async throws {
        let harness = try await ServerHarness.start()
        try await harness.database.setDefaultExtension("201")
        var call = try ServerHarness.call()
        call.query = "device=777"
        call.calledExtension = "201"
        let outcome = try await harness.emulator.placeInboundCall(call)
        #expect(outcome.variables["FAXERROR"] == "NO_DEVICE")
        #expect(outcome.variables["FAXSTATUSSTRING"] == "no fax device 777 (named by the dialplan's ?device=)")
        #expect(!outcome.answered)
        let fax = try await harness.onlyFax()
        #expect(fax.status == .refused && fax.deviceExtensions.isEmpty)
        #expect(harness.server.refusals.snapshot() == [.noDevice: 1])
        await harness.stop()
    }

    @Test("refused calls are counted by reason in the status")
    func refusalsByReason() async throws {
        let harness = try await ServerHarness.start()
        _ = try await harness.database.addRule(try RoutingRule(position: 1, callerPattern: DialPattern("_666X"), action: .reject))
        for extensionNumber in ["999", "998"] {
            var call = try ServerHarness.call()
            call.calledExtension = extensionNumber
            call.dnid = extensionNumber
            _ = try await harness.emulator.placeInboundCall(call)
        }
        // A DID no device has goes to the rules, and this caller's is rejected.
        var rejected = try ServerHarness.call()
        rejected.calledExtension = "s"
        rejected.dnid = "4930999"
        rejected.callerID = "6661"
        let outcome = try await harness.emulator.placeInboundCall(rejected)
        #expect(outcome.variables["FAXERROR"] == "REJECTED")
        #expect(harness.server.refusals.snapshot() == [.noDevice: 2, .rejected: 1])
        #expect(try await eventually {
            guard let status = try? ServerStatus.read(from: harness.configuration.statusPath) else { return false }
            return status.refused == ["NO_DEVICE": 2, "REJECTED": 1]
        })
        let status = try ServerStatus.read(from: harness.configuration.statusPath)
        #expect(status.report().contains("3 refused: 2 no device, 1 rejected by a rule"))
        #expect(status.refusedNoFreeLine == 0)
        await harness.stop()
    }

    @Test("the status file counts only inbound calls refused for want of a line")
    func outboundClaimsAreNoRefusedCalls() async throws {
        let folder = try TestDocuments.makeTemporaryDirectory("status")
        let pool = try LinePool(lines: 1, reserveInbound: 1)
        #expect(pool.claim(for: .outbound) == nil)
        #expect(pool.claim(for: .outbound) == nil)
        let held = try #require(pool.claim(for: .inbound))
        #expect(pool.claim(for: .inbound) == nil)
        let reporter = StatusReporter(
            path: folder.path + "/status.json", lines: pool,
            diskGuard: DiskGuard(spool: Spool(root: folder.path), minimumFreeBytes: 0), refusals: RefusedCalls(),
            clock: ContinuousClock(), logger: .init(label: "test")
        ) { ("agi", "audiosocket") }
        let status = await reporter.snapshot()
        #expect(status.refusedNoFreeLine == 1)
        held.release(.succeeded)
    }

    @Test("zero retention: the images go as soon as every mail of the fax was delivered; the record stays")
    func zeroRetentionAtDelivery() async throws {
        let harness = try await ServerHarness.start()
        try await harness.database.changeDeviceRetention(RetentionChange(zeroRetention: true), extension: "201")
        let outcome = try await harness.emulator.placeInboundCall(try ServerHarness.call(sending: try onePage()))
        #expect(outcome.variables["FAXSTATUS"] == "SUCCESS")
        let id = try #require(outcome.variables["FAXLINE_ID"])
        #expect(try await eventually { try await harness.database.fax(id: id)?.files == FaxSpoolFiles() })
        let fax = try #require(try await harness.database.fax(id: id))
        #expect(fax.deliveryState == .delivered && fax.status == .received && fax.session.pages == 1)
        #expect(await harness.smtp.messages.count == 1, "mailed before the images went")
        let left = FileManager.default.enumerator(atPath: harness.spoolRoot + "/in")?.allObjects.compactMap { $0 as? String } ?? []
        #expect(!left.contains { $0.hasSuffix(".tif") || $0.hasSuffix(".pdf") || $0.hasSuffix(".png") })
        let audit = try #require(try await harness.database.latestAuditEntry(kind: .imagesDeleted))
        #expect(audit.summary.hasPrefix("fax \(id): images deleted once delivered (zero retention)"))
        await harness.stop()
    }

    @Test("a device without zero retention keeps its images after delivery")
    func normalRetentionKeepsImages() async throws {
        let harness = try await ServerHarness.start()
        let outcome = try await harness.emulator.placeInboundCall(try ServerHarness.call(sending: try onePage()))
        let id = try #require(outcome.variables["FAXLINE_ID"])
        #expect(try await eventually { try await harness.database.fax(id: id)?.deliveryState == .delivered })
        let fax = try #require(try await harness.database.fax(id: id))
        #expect(fax.files.pdf != nil && fax.files.tiff != nil)
        #expect(try await harness.database.latestAuditEntry(kind: .imagesDeleted) == nil)
        await harness.stop()
    }

    @Test("the kill time ends a waiting job while the manager is down, without a call")
    func killTimeEndsWaitingJobs() async throws {
        let harness = try await ServerHarness.start(placer: DownPlacer()) { $0.outbound.pollInterval = .seconds(3600) }
        let dispatcher = try #require(harness.server.outbound)
        let now = Date()
        let overdue = try await harness.database.submitJob(try Job(
            number: "5550701", document: SpoolPath("out/x.tif"), pageCount: 1, submittedAt: now.addingTimeInterval(-7200),
            notBefore: now.addingTimeInterval(-7200), killAt: now.addingTimeInterval(-1)))
        let waiting = try await harness.database.submitJob(try Job(number: "5550702", document: SpoolPath("out/x.tif"), pageCount: 1))
        await withDiscardingTaskGroup { group in await dispatcher.dispatchDue(into: &group) }
        let overdueID = try #require(overdue.id)
        let failed = try #require(try await harness.database.job(id: overdueID))
        #expect(failed.state == .failed && failed.reason == "the kill time passed before it could be sent")
        #expect(try await harness.database.job(id: try #require(waiting.id))?.state == .queued)
        await harness.stop()
    }

    @Test("a second server on the data folder names the first and touches nothing; a stale socket file is no server")
    func oneServerPerDataFolder() async throws {
        let first = try await ServerHarness.start()
        let data = first.configuration.dataDirectory
        #expect(try await eventually { FileManager.default.fileExists(atPath: first.configuration.statusPath) })
        let onTheLine = FaxRecord(deviceExtensions: ["201"], callerNumber: "5550100", lineName: "line0", status: .receiving)
        try await first.database.insertFax(onTheLine)
        let lock = ServeLock.path(dataDirectory: data)
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: lock)), as: UTF8.self) == "\(getpid()) faxline serve\n")

        var configuration = first.configuration
        configuration.agi = .init(host: "127.0.0.1", port: 0)
        configuration.audioSocket = .init(host: "127.0.0.1", port: 0)
        let error = #expect(throws: ServeLockError.self) {
            _ = try FaxlineServer(configuration: configuration, logger: .init(label: "second"), store: first.database)
        }
        #expect(error?.description == "faxline serve (pid \(getpid())) is using the data folder \(data); only one server runs "
            + "per data folder (stop it first, e.g. systemctl stop faxline)")
        #expect(try await first.database.fax(id: onTheLine.id)?.status == .receiving)
        #expect(FileManager.default.fileExists(atPath: first.configuration.statusPath))
        #expect((try? await ControlClient(dataDirectory: data).send(.wake)) == .ok(""))
        await first.stop()

        // A socket file left by a server that died does not keep the next one out.
        try ControlChannelTests.leaveStaleSocket(at: ControlSocket.path(dataDirectory: data))
        let next = try await ServerHarness.start(devices: []) { $0.dataDirectory = data }
        #expect(try await eventually { (try? await ControlClient(dataDirectory: data).send(.wake)) == .ok("") })
        await next.stop()
    }

    @Test("a port in use is named in the error, and the data folder is given back")
    func portInUse() async throws {
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(taken.localAddress?.port)
        let folder = try TestDocuments.makeTemporaryDirectory("port")
        var configuration = FaxlineConfiguration(dataDirectory: folder.path)
        configuration.agi = .init(host: "127.0.0.1", port: port)
        configuration.audioSocket = .init(host: "127.0.0.1", port: 0)
        configuration.mailIn.host = nil
        let server = try FaxlineServer(configuration: configuration, logger: .init(label: "port"))
        let error = await #expect(throws: ListenError.self) { try await server.run(signals: []) }
        #expect(error?.description == "cannot listen for FastAGI on 127.0.0.1:\(port): the address is already in use (another program listens there)")
        try await taken.close()
        // The folder is free again for the next start.
        configuration.agi = .init(host: "127.0.0.1", port: 0)
        let again = try FaxlineServer(configuration: configuration, logger: .init(label: "port"))
        withExtendedLifetime(again) {}
    }
}
