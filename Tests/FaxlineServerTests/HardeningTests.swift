import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import ServerSupport
import Store
import Testing

/// What a stranger on the host, a hostile caller or a careless file mode could do to a running
/// server — and now cannot.
@Suite("Hardening: the server")
struct HardeningTests {
    static let agiKey = "k3y-0123456789-abcdef"

    @Test("with an AGI key, a fake Asterisk without it gets no line and leaves no record; the real one faxes")
    func fakeAsteriskWithoutTheKey() async throws {
        let harness = try await ServerHarness.start { $0.agiSecret = Secret(Self.agiKey) }
        // The fake: any caller id it likes, and an audio connection of its own behind it.
        var fake = try ServerHarness.call()
        fake.callerID = "0800 TRUST ME"
        for query in [nil, "key=guess", "device=201&key=\(Self.agiKey.dropLast())"] {
            fake.query = query
            let outcome = try await harness.emulator.placeInboundCall(fake)
            #expect(outcome.commands.isEmpty && !outcome.answered)
        }
        #expect(try await harness.database.recentFaxes(FaxQuery(limit: 10)).isEmpty)
        #expect(harness.lines.snapshot().counters.inboundCalls == 0)

        var real = try ServerHarness.call()
        real.query = "key=\(Self.agiKey)"
        let outcome = try await harness.emulator.placeInboundCall(real)
        #expect(outcome.variables["FAXSTATUS"] == "SUCCESS")
        #expect(try await harness.onlyFax().status == .received)
        await harness.stop()
    }

    @Test("the call's audio from another machine than its AGI session is refused; the call fails cleanly")
    func audioFromAnotherMachine() async throws {
        let harness = try await ServerHarness.start { $0.audioSocketAllowList = try! PeerAllowList(parsing: "loopback") }
        var call = try ServerHarness.call()
        call.mediaSourceAddress = "127.0.0.2"
        let outcome = try await harness.emulator.placeInboundCall(call)
        #expect(outcome.mediaRefused)
        #expect(outcome.variables["FAXSTATUS"] == "FAILED")
        let fax = try await harness.onlyFax()
        #expect(fax.status == .failed && fax.files.tiff == nil)
        #expect(harness.lines.snapshot().lines.allSatisfy { $0.state == .idle })
        await harness.stop()
    }

    @Test("Asterisk's application never returns: after the connect timeout the line is free and the record final, and the AGI connection is closed")
    func applicationThatNeverReturns() async throws {
        let clock = TestClock()
        let harness = try await ServerHarness.start(clock: clock)
        let gate = AsyncGate()
        var call = try ServerHarness.call()
        call.audio = .neverConnects(gate)
        let emulator = harness.emulator
        let stuck = call
        try await withThrowingTaskGroup(of: EmulatedCallOutcome?.self) { group in
            group.addTask { try? await emulator.placeInboundCall(stuck) }
            try await waitUntil { harness.lines.snapshot().lines.contains { $0.state == .receiving } }
            try await waitUntil {
                clock.advance(by: harness.configuration.mediaConnectTimeout)
                return try await harness.onlyFax().status == .failed
            }
            #expect(harness.lines.snapshot().lines.allSatisfy { $0.state == .idle })
            // The EXEC still blocks; the server gives it a short grace, then lets go.
            try await waitUntil {
                clock.advance(by: .seconds(5))
                return harness.server.agiServer.openConnections == 0
            }
            gate.open()
            let outcome = try await group.next() ?? nil
            #expect(outcome?.variables["FAXSTATUS"] == nil)
        }
        await harness.stop()
    }

    @Test("a caller id full of terminal escapes is stored, shown and logged without them")
    func hostileCallerID() async throws {
        let harness = try await ServerHarness.start()
        var call = try ServerHarness.call()
        call.callerID = "555\u{1B}[2J\u{1B}]0;owned\u{07}"
        call.callerIDName = "\u{202E}XAF EMCA\u{9B}31m"
        call.dnid = "201\u{1B}[1m"
        _ = try await harness.emulator.placeInboundCall(call)
        let fax = try await harness.onlyFax()
        #expect(fax.callerNumber == "555[2J]0;owned")
        #expect(fax.callerName == "XAF EMCA31m")
        #expect(fax.did == "201[1m")
        await harness.stop()
    }

    @Test("after a fax is received, nothing under the data folder is open to other users")
    func nothingIsWorldReadable() async throws {
        let harness = try await ServerHarness.start()
        _ = try await harness.emulator.placeInboundCall(try ServerHarness.call())
        #expect(try await harness.onlyFax().status == .received)
        let root = harness.configuration.dataDirectory
        try await waitUntil { FileManager.default.fileExists(atPath: harness.configuration.statusPath) }
        var checked: [String] = []
        var exposed: [String] = []
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        for case let relative as String in enumerator {
            let path = root + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }  // gone meanwhile (a temporary file)
            checked.append(relative)
            if info.st_mode & 0o007 != 0 { exposed.append("\(relative) \(String(info.st_mode & 0o7777, radix: 8))") }
        }
        // The data folder existed before the server (the harness made it, under the test's
        // umask): the server leaves its mode alone, and warns exactly when it is open.
        var rootInfo = stat()
        #expect(stat(root, &rootInfo) == 0)
        let rootIsOpen = rootInfo.st_mode & 0o007 != 0
        #expect(rootIsOpen == harness.server.warnings.contains { $0.contains("the data folder \(root)") })
        #expect(exposed.isEmpty, "\(exposed)")
        // The check saw what matters: the database with its WAL, the status file, the fax's files.
        for name in ["faxline.sqlite", "faxline.sqlite-wal", "status.json", "spool/in"] {
            #expect(checked.contains(name), "\(name) not seen in \(checked)")
        }
        #expect(checked.contains { $0.hasSuffix(".pdf") } && checked.contains { $0.hasSuffix(".png") } && checked.contains { $0.hasSuffix(".tif") })
        await harness.stop()
    }

    @Test("a nearly full disk: a refused call writes no row")
    func refusedCallOnAFullDiskWritesNothing() async throws {
        let harness = try await ServerHarness.start { $0.minimumFreeBytes = .max / 2 }
        for extensionNumber in ["201", "999"] {  // refused for the disk, and for want of a device
            var call = try ServerHarness.call()
            call.calledExtension = extensionNumber
            call.dnid = extensionNumber
            let outcome = try await harness.emulator.placeInboundCall(call)
            #expect(outcome.variables["FAXSTATUS"] == "FAILED")
        }
        #expect(try await harness.database.recentFaxes(FaxQuery(limit: 10)).isEmpty)
        await harness.stop()
    }

    @Test("logging and printing the configuration shows no secret, nor does the server's debug log")
    func secretsStayOutOfTheLog() async throws {
        let secrets = ["smtp-p4ssw0rd-XYZ", "ami-s3cret-XYZ", "agi-key-0123456789-XYZ"]
        var configuration = FaxlineConfiguration(dataDirectory: "/tmp/unused")
        try configuration.apply(ConfigurationFile(parsing: """
            [mail]
            username = fax
            password = \(secrets[0])
            [ami]
            username = faxline
            secret = \(secrets[1])
            [agi]
            secret = \(secrets[2])
            """))
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in ["\(configuration)", String(reflecting: configuration), dumped, "\(configuration.smtp)", "\(configuration.ami)",
                     "\(configuration.ami.clientConfiguration())"] {
            for secret in secrets { #expect(!text.contains(secret), "\(text)") }
        }
        #expect("\(configuration)".contains(Secret.redacted))

        // A whole server at debug level, with the same secrets, through start and stop.
        let recorder = LogRecorder()
        let harness = try await ServerHarness.start(logRecorder: recorder) {
            $0.smtp.password = Secret(secrets[0])
            $0.ami.secret = Secret(secrets[1])
            $0.agiSecret = Secret(secrets[2])
        }
        await harness.stop()
        let logged = recorder.text
        #expect(logged.contains("configuration"))
        for secret in secrets { #expect(!logged.contains(secret)) }
    }
}
