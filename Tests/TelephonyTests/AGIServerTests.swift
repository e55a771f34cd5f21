import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

@testable import Telephony

@Suite("FastAGI server", .timeLimit(.minutes(1)))
struct AGIServerTests {
    static func environment(script: String, uniqueID: String = "1700000000.1") throws -> AGIEnvironment {
        try AGIEnvironment([
            "agi_network": "yes",
            "agi_network_script": script,
            "agi_request": "agi://127.0.0.1:4573/\(script)",
            "agi_channel": "PJSIP/trunk-00000001",
            "agi_uniqueid": uniqueID,
            "agi_callerid": "0301234567",
            "agi_calleridname": "x\" HANGUP",
            "agi_dnid": "5550100",
            "agi_context": "faxline-inbound",
            "agi_extension": "5550100",
            "agi_arg_1": "",
        ])
    }

    static func configuration(
        environmentTimeout: Duration = .seconds(5), shutdownGracePeriod: Duration = .seconds(5)
    ) -> FastAGIServer.Configuration {
        FastAGIServer.Configuration(
            port: 0, environmentTimeout: environmentTimeout, environmentLimits: .init(maximumLineLength: 1024),
            shutdownGracePeriod: shutdownGracePeriod)
    }

    /// Runs a server on a free loopback port for the duration of `body`.
    static func withServer(
        configuration: FastAGIServer.Configuration = configuration(),
        routes: [String: any AGIScriptHandler],
        logger: Logger = Logger(label: "agi-test"),
        _ body: (Int) async throws -> Void
    ) async throws {
        let server = FastAGIServer(configuration: configuration, router: AGIRouter(routes), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try #require(try await server.localAddress.port)
            do {
                try await body(port)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// Plays Asterisk: sends the environment, then answers each command with `reply(command)`,
    /// until the server closes the connection. Returns the commands received.
    static func playAsterisk(
        port: Int, environment: AGIEnvironment, reply: @Sendable (String) -> String
    ) async throws -> [String] {
        let connection = try await AGITestSupport.connectLines(port: port)
        return try await connection.executeThenClose { inbound, outbound in
            try await outbound.write(environment.encoded())
            var commands: [String] = []
            for try await line in inbound {
                commands.append(line)
                try await outbound.write(ByteBuffer(string: reply(line)))
            }
            return commands
        }
    }

    /// Sends `bytes` and reads until the server closes; returns whether it closed (not timed out).
    static func sendAndAwaitClose(port: Int, _ bytes: ByteBuffer) async throws -> [String] {
        let connection = try await AGITestSupport.connectLines(port: port)
        return try await connection.executeThenClose { inbound, outbound in
            try await outbound.write(bytes)
            var lines: [String] = []
            do {
                for try await line in inbound { lines.append(line) }
            } catch {
                // A reset instead of a clean close is fine too: the server has dropped us.
            }
            return lines
        }
    }

    @Test func routesTheScriptAndExchangesCommands() async throws {
        let (results, results_) = AsyncStream<String>.makeStream()
        let handler = AGIClosureScriptHandler { session in
            let environment = session.environment
            results_.yield("script=\(environment.request?.scriptPath ?? "-") dnid=\(environment.dnid ?? "-")")
            results_.yield("callername=\(environment.callerIDName ?? "-") args=\(environment.arguments)")
            try await session.run(.answer)
            let value = try await session.send(.getVariable("FAXLINE_SESSION"))
            results_.yield("value=\(value.data ?? "-")")
            try await session.run(.setVariable("FAXSTATUS", "SUCCESS"))
            results_.finish()
        }
        try await Self.withServer(routes: ["fax/inbound": handler]) { port in
            let commands = try await Self.playAsterisk(port: port, environment: try Self.environment(script: "fax/inbound")) { command in
                command.hasPrefix("GET VARIABLE") ? "200 result=1 (abc-123)\n" : "200 result=0\n"
            }
            #expect(commands == ["ANSWER", "GET VARIABLE FAXLINE_SESSION", "SET VARIABLE FAXSTATUS \"SUCCESS\""])
        }
        var seen: [String] = []
        for await result in results { seen.append(result) }
        #expect(
            seen == [
                "script=fax/inbound dnid=5550100", "callername=x\" HANGUP args=[\"\"]", "value=abc-123",
            ])
    }

    @Test func environmentTricklingInByteByByteIsAssembled() async throws {
        let (results, results_) = AsyncStream<String>.makeStream()
        let handler = AGIClosureScriptHandler { session in
            results_.yield(session.environment.uniqueID ?? "-")
            results_.finish()
        }
        try await Self.withServer(routes: ["inbound": handler]) { port in
            let connection = try await AGITestSupport.connectLines(port: port)
            try await connection.executeThenClose { inbound, outbound in
                let environment = try Self.environment(script: "inbound", uniqueID: "1700000000.77").encoded()
                for byte in environment.readableBytesView {
                    try await outbound.write(ByteBuffer(bytes: [byte]))
                }
                for try await _ in inbound {}
            }
        }
        var seen: [String] = []
        for await result in results { seen.append(result) }
        #expect(seen == ["1700000000.77"])
    }

    @Test func unknownScriptIsReportedToTheDialplan() async throws {
        let (logger, log) = AGITestSupport.recordingLogger()
        let handler = AGIClosureScriptHandler { _ in Issue.record("wrong script ran") }
        try await Self.withServer(routes: ["inbound": handler], logger: logger) { port in
            let commands = try await Self.playAsterisk(port: port, environment: try Self.environment(script: "outbound")) { _ in
                "200 result=1\n"
            }
            #expect(
                commands == [
                    "VERBOSE \"faxline: unknown AGI script outbound\" 1",
                    "SET VARIABLE FAXSTATUS \"FAILED\"",
                    "SET VARIABLE FAXERROR \"UNKNOWN_SCRIPT\"",
                ])
        }
        #expect(log.contains(level: .warning, "unknown AGI script"))
        let warning = log.all.first { $0.message.contains("unknown AGI script") }
        #expect(warning?.metadata["agi.uniqueid"] == "1700000000.1")
    }

    @Test func malformedEnvironmentClosesTheConnectionOnly() async throws {
        let (logger, log) = AGITestSupport.recordingLogger()
        let handler = AGIClosureScriptHandler { session in try await session.run(.answer) }
        try await Self.withServer(routes: ["inbound": handler], logger: logger) { port in
            for garbage in ["GET / HTTP/1.1\r\nHost: x\r\n\r\n", "agi_request agi://x/inbound\n\n", "\u{16}\u{3}\u{1}\n\n"] {
                let lines = try await Self.sendAndAwaitClose(port: port, ByteBuffer(string: garbage))
                #expect(lines.isEmpty)
            }
            let long = ByteBuffer(repeating: UInt8(ascii: "a"), count: 5000)
            #expect(try await Self.sendAndAwaitClose(port: port, long).isEmpty)
            // The server still serves well-formed calls.
            let commands = try await Self.playAsterisk(port: port, environment: try Self.environment(script: "inbound")) { _ in
                "200 result=0\n"
            }
            #expect(commands == ["ANSWER"])
        }
        #expect(log.all.filter { $0.level == .warning && $0.message.contains("malformed AGI input") }.count == 4)
    }

    @Test func slowEnvironmentTimesOut() async throws {
        let (logger, log) = AGITestSupport.recordingLogger()
        let handler = AGIClosureScriptHandler { _ in Issue.record("must not run") }
        try await Self.withServer(
            configuration: Self.configuration(environmentTimeout: .milliseconds(200)), routes: ["inbound": handler], logger: logger
        ) { port in
            let started = ContinuousClock.now
            let lines = try await Self.sendAndAwaitClose(port: port, ByteBuffer(string: "agi_network: yes\n"))
            #expect(lines.isEmpty)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
        #expect(log.contains(level: .warning, "AGI connection ended"))
    }

    @Test func hangupLinesAndDeadChannelResponses() async throws {
        let (results, results_) = AsyncStream<String>.makeStream()
        let handler = AGIClosureScriptHandler { session in
            results_.yield("before: \(session.isHungUp)")
            let exec = try await session.send(.exec("AudioSocket", "x,127.0.0.1:9092"), timeout: .seconds(30))
            results_.yield("exec: \(exec) hungUp: \(session.isHungUp)")
            let set = try await session.send(.setVariable("FAXSTATUS", "FAILED"))
            results_.yield("set: \(set)")
            do {
                try await session.run(.answer)
            } catch let failure as AGICommandFailure {
                results_.yield("run: \(failure.response.code)")
            }
            results_.finish()
        }
        try await Self.withServer(routes: ["inbound": handler]) { port in
            let commands = try await Self.playAsterisk(port: port, environment: try Self.environment(script: "inbound")) { command in
                command.hasPrefix("EXEC") ? "HANGUP\n200 result=-1\n" : "511 Command Not Permitted on a dead channel or intercept routine\n"
            }
            #expect(commands.count == 3)
        }
        var seen: [String] = []
        for await result in results { seen.append(result) }
        #expect(
            seen == [
                "before: false", "exec: 200 result=-1 hungUp: true",
                "set: 511 Command Not Permitted on a dead channel or intercept routine", "run: 511",
            ])
    }

    @Test func unansweredCommandTimesOutAndClosesTheConnection() async throws {
        let (results, results_) = AsyncStream<String>.makeStream()
        let handler = AGIClosureScriptHandler { session in
            do {
                _ = try await session.send(.answer, timeout: .milliseconds(150))
                results_.yield("answered?")
            } catch let error as AGISessionError {
                results_.yield("\(error)")
            }
            do {
                _ = try await session.send(.hangup)
            } catch let error as AGISessionError {
                results_.yield("\(error)")
            }
            results_.finish()
        }
        try await Self.withServer(routes: ["inbound": handler]) { port in
            let connection = try await AGITestSupport.connectLines(port: port)
            try await connection.executeThenClose { inbound, outbound in
                try await outbound.write(try Self.environment(script: "inbound").encoded())
                var lines: [String] = []
                for try await line in inbound { lines.append(line) }  // never answers
                #expect(lines == ["ANSWER"])
            }
        }
        var seen: [String] = []
        for await result in results { seen.append(result) }
        #expect(seen == ["no AGI response to \"ANSWER\" within 0.15 seconds", "AGI session is out of step after an earlier failure"])
    }

    @Test func manyConcurrentCalls() async throws {
        let handler = AGIClosureScriptHandler { session in
            let echoed = try await session.send(.getVariable("UNIQUEID"))
            try await session.run(.setVariable("SEEN", echoed.data ?? "-"))
        }
        try await Self.withServer(routes: ["inbound": handler]) { port in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for call in 0..<64 {
                    group.addTask {
                        let uniqueID = "1700000000.\(call)"
                        let commands = try await Self.playAsterisk(
                            port: port, environment: try Self.environment(script: "inbound", uniqueID: uniqueID)
                        ) { command in
                            command.hasPrefix("GET") ? "200 result=1 (\(uniqueID))\n" : "200 result=1\n"
                        }
                        #expect(commands == ["GET VARIABLE UNIQUEID", "SET VARIABLE SEEN \"\(uniqueID)\""])
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func handlerErrorIsLoggedAndTheServerGoesOn() async throws {
        struct Boom: Error {}
        let (logger, log) = AGITestSupport.recordingLogger()
        let handler = AGIClosureScriptHandler { _ in throw Boom() }
        try await Self.withServer(routes: ["inbound": handler], logger: logger) { port in
            for _ in 0..<2 {
                let commands = try await Self.playAsterisk(port: port, environment: try Self.environment(script: "inbound")) { _ in "" }
                #expect(commands.isEmpty)
            }
        }
        #expect(log.all.filter { $0.level == .error && $0.message.contains("AGI script failed") }.count == 2)
    }

    @Test func gracefulShutdownLetsRunningCallsFinish() async throws {
        let (logger, _) = AGITestSupport.recordingLogger()
        let (events, events_) = AsyncStream<String>.makeStream()
        let handler = AGIClosureScriptHandler { session in
            events_.yield("call started")
            let response = try await session.send(.exec("Wait", "1"), timeout: .seconds(10))
            events_.yield("call finished: \(response)")
        }
        let server = FastAGIServer(configuration: Self.configuration(), router: AGIRouter(["inbound": handler]), logger: logger)
        let group = ServiceGroup(services: [server], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try #require(try await server.localAddress.port)
            let connection = try await AGITestSupport.connectLines(port: port)
            try await connection.executeThenClose { inbound, outbound in
                var lines = inbound.makeAsyncIterator()
                var eventIterator = events.makeAsyncIterator()
                try await outbound.write(try Self.environment(script: "inbound").encoded())
                #expect(try await lines.next() == "EXEC Wait \"1\"")
                #expect(await eventIterator.next() == "call started")

                await group.triggerGracefulShutdown()
                // No new calls once shutdown has begun…
                let refused = try await AGITestSupport.eventually {
                    do {
                        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                            .connect(host: "127.0.0.1", port: port).get()
                        try? await channel.close()
                        return false
                    } catch {
                        return true
                    }
                }
                #expect(refused)
                // …but the running one finishes.
                try await outbound.write(ByteBuffer(string: "200 result=0\n"))
                #expect(await eventIterator.next() == "call finished: 200 result=0")
                #expect(try await lines.next() == nil)
            }
            try await tasks.waitForAll()
        }
    }

    @Test func gracePeriodEndsCallsThatDoNotFinish() async throws {
        let (logger, log) = AGITestSupport.recordingLogger()
        let handler = AGIClosureScriptHandler { session in
            _ = try await session.send(.exec("Wait", "600"), timeout: .seconds(600))
        }
        let server = FastAGIServer(
            configuration: Self.configuration(shutdownGracePeriod: .milliseconds(200)), router: AGIRouter(["inbound": handler]),
            logger: logger)
        let group = ServiceGroup(services: [server], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try #require(try await server.localAddress.port)
            let connection = try await AGITestSupport.connectLines(port: port)
            try await connection.executeThenClose { inbound, outbound in
                var lines = inbound.makeAsyncIterator()
                try await outbound.write(try Self.environment(script: "inbound").encoded())
                #expect(try await lines.next() == "EXEC Wait \"600\"")
                let started = ContinuousClock.now
                await group.triggerGracefulShutdown()
                #expect(try await lines.next() == nil)
                #expect(ContinuousClock.now - started < .seconds(5))
            }
            try await tasks.waitForAll()
        }
        #expect(log.contains(level: .warning, "grace period over"))
    }
}
