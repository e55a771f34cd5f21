import FaxTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import Telephony

/// The AMI client against a real AMI server on loopback.
@Suite("AMI client")
struct AMIClientTests {
    static let session = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"

    static func configuration(for server: TestAMIServer, secret: String? = nil) async -> AMIClientConfiguration {
        AMIClientConfiguration(
            host: "127.0.0.1", port: await server.port, username: server.username, secret: secret ?? server.secret,
            connectTimeout: .seconds(2), loginTimeout: .seconds(5), actionTimeout: .seconds(5),
            pingInterval: .seconds(30), pingTimeout: .seconds(2),
            originateResponseMargin: .seconds(5), hangupCauseGrace: .seconds(1),
            backoff: AMIReconnectBackoff(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(400)))
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "test.ami")
        logger.logLevel = .critical
        return logger
    }

    /// Runs a client against `server` for the duration of `body`, then stops both.
    static func withClient(
        _ server: TestAMIServer, secret: String? = nil, adjust: (inout AMIClientConfiguration) -> Void = { _ in },
        _ body: (AMIClient) async throws -> Void
    ) async throws {
        var configuration = await configuration(for: server, secret: secret)
        adjust(&configuration)
        let client = AMIClient(configuration: configuration, logger: quietLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            do {
                try await body(client)
            } catch {
                await client.stop(logoff: false)
                try await group.waitForAll()
                await server.shutdown()
                throw error
            }
            await client.stop()
            try await group.waitForAll()
        }
        await server.shutdown()
    }

    static func request(dialTimeout: Duration = .seconds(30)) throws -> OriginateRequest {
        OriginateRequest(
            channel: try AMIDialString.expand(template: "PJSIP/${NUMBER}@trunk", number: "5550100"),
            context: "faxline-outbound", exten: "s", callerID: AMICallerID(name: "Fax Room", number: "5550199"),
            dialTimeout: dialTimeout, variables: [.init("FAXLINE_SESSION", session)])
    }

    /// Waits until the client's state satisfies `condition`.
    static func waitForState(
        _ client: AMIClient, timeout: Duration = .seconds(10), _ condition: @escaping @Sendable (AMIConnectionState) -> Bool
    ) async throws -> AMIConnectionState {
        let updates = await client.stateUpdates()
        return try await withThrowingTaskGroup(of: AMIConnectionState?.self) { group in
            group.addTask {
                for await state in updates where condition(state) { return state }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let state = try await group.next() ?? nil
            group.cancelAll()
            return try #require(state, "client state did not reach the expected value in time")
        }
    }

    @Test func logsInAndReportsTheAsteriskVersion() async throws {
        let server = try await TestAMIServer.start(version: "7.0.3")
        try await Self.withClient(server) { client in
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            #expect(await client.currentState == .loggedIn(asteriskVersion: "7.0.3"))
            #expect(await server.successfulLogins == 1)
            #expect(await client.status().failedAttempts == 0)
        }
        #expect(await server.logoffCount == 1)
    }

    @Test func badSecretIsReportedAndRetried() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server, secret: "wrong") { client in
            let state = try await Self.waitForState(client) {
                if case .down(let reason, _) = $0 { return reason.contains("login refused") } else { return false }
            }
            guard case .down(let reason, _) = state else { return }
            #expect(reason.contains("Authentication failed"))
            try await Task.sleep(for: .milliseconds(300))
            #expect(await server.failedLogins >= 2, "the client keeps retrying with backoff")
            #expect(await server.successfulLogins == 0)
            let outcome = try await client.originate(Self.request())
            #expect(outcome.cause == .amiDown)
            #expect(!outcome.wasQueued)
            #expect(await server.originates.isEmpty)
        }
    }

    @Test func pingsOnRequestAndAsKeepalive() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server, adjust: { $0.pingInterval = .milliseconds(40) }) { client in
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            let roundTrip = try await client.ping()
            #expect(roundTrip < .seconds(2))
            try await Task.sleep(for: .milliseconds(300))
            #expect(await server.pingCount >= 4)
            #expect(await server.successfulLogins == 1)
        }
    }

    @Test func missedPongMakesTheClientReconnect() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server, adjust: {
            $0.pingInterval = .milliseconds(50)
            $0.pingTimeout = .milliseconds(100)
        }) { client in
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            await server.setAnswersPings(false)
            let down = try await Self.waitForState(client) {
                if case .down(let reason, _) = $0 { return reason.contains("did not answer a Ping") } else { return false }
            }
            guard case .down = down else { return }
            await server.setAnswersPings(true)
            try await server.waitForLogins(count: 2)
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
        }
    }

    @Test func sendReturnsResponsesAndThrowsOnErrors() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server) { client in
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            let pong = try await client.send(AMIMessage(["Action": "Ping"]))
            #expect(pong["Ping"] == "Pong")
            #expect(pong.actionID?.hasPrefix("faxline-") == true)
            await #expect(throws: AMIError.actionFailed(action: "CoreShowChannels", message: "Invalid/unknown command")) {
                try await client.send(AMIMessage(["Action": "CoreShowChannels"]))
            }
            await #expect(throws: AMIError.self) {
                try await client.send(AMIMessage(["Action": "Ping", "Note": "a\r\nAction: Logoff"]))
            }
            #expect(await server.logoffCount == 0)
        }
    }

    @Test func answeredCallRunsTheAnswerHookFirst() async throws {
        let hookCalls = HookRecorder()
        let server = try await TestAMIServer.start(onAnswer: { call in await hookCalls.record(call) })
        try await Self.withClient(server) { client in
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            let outcome = try await client.originate(Self.request(dialTimeout: .seconds(40)))
            #expect(outcome.cause == .answered)
            #expect(outcome.wasQueued)
            #expect(outcome.reason == 4)
            #expect(outcome.uniqueID == "1700000000.1")
            #expect(outcome.channel?.hasPrefix("PJSIP/5550100@trunk") == true)

            let calls = await hookCalls.calls
            #expect(calls.count == 1)
            let call = try #require(await server.originates.first)
            #expect(calls.first == call)
            #expect(call.actionID == outcome.actionID)
            #expect(call.channel == "PJSIP/5550100@trunk")
            #expect(call.context == "faxline-outbound")
            #expect(call.exten == "s")
            #expect(call.timeout == 40_000)
            #expect(call.callerID == "\"Fax Room\" <5550199>")
            #expect(call.variables == ["FAXLINE_SESSION": Self.session])
            #expect(call.action["Async"] == "true")
        }
    }

    @Test(arguments: [
        (TestAMIServer.OriginateScript.busy, DialFailureCause.busy, 5, 17),
        (.noAnswer, .noAnswer, 3, 19),
        (.congestion, .congestion, 8, 34),
        (.hangup(cause: 17), .busy, 1, 17),
        (.hangupAfterResponse(cause: 34), .congestion, 1, 34),
    ] as [(TestAMIServer.OriginateScript, DialFailureCause, Int, Int)])
    func failedCallsMapToRetryCauses(
        script: TestAMIServer.OriginateScript, expected: DialFailureCause, reason: Int, hangupCause: Int
    ) async throws {
        let server = try await TestAMIServer.start()
        await server.enqueueOriginateScripts([script])
        try await Self.withClient(server) { client in
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            let outcome = try await client.originate(Self.request())
            #expect(outcome.cause == expected)
            #expect(outcome.reason == reason)
            #expect(outcome.hangupCause == hangupCause)
            #expect(outcome.wasQueued)
        }
    }

    @Test func rejectedAndImpossibleCallsFailWithAReason() async throws {
        let server = try await TestAMIServer.start()
        await server.enqueueOriginateScripts([.hangup(cause: 21), .unavailable, .refuse(message: "Extension does not exist.")])
        try await Self.withClient(server) { client in
            try await client.waitUntilLoggedIn(timeout: .seconds(10))

            let rejected = try await client.originate(Self.request())
            guard case .failed(let why) = rejected.cause else {
                Issue.record("expected failed, got \(rejected.cause)")
                return
            }
            #expect(why.contains("21"))

            let unavailable = try await client.originate(Self.request())
            guard case .failed(let noChannel) = unavailable.cause else {
                Issue.record("expected failed, got \(unavailable.cause)")
                return
            }
            #expect(noChannel.contains("could not place"))
            #expect(unavailable.uniqueID == nil)
            #expect(unavailable.reason == 0)

            let refused = try await client.originate(Self.request())
            #expect(refused.cause == .failed("Asterisk refused the Originate: Extension does not exist."))
            #expect(!refused.wasQueued)
            #expect(await server.originates.count == 3)
        }
    }

    @Test func missingOriginateResponseTimesOut() async throws {
        let server = try await TestAMIServer.start()
        await server.enqueueOriginateScripts([.noResponse])
        try await Self.withClient(server, adjust: { $0.originateResponseMargin = .milliseconds(100) }) { client in
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            let outcome = try await client.originate(Self.request(dialTimeout: .milliseconds(200)))
            guard case .failed(let why) = outcome.cause else {
                Issue.record("expected failed, got \(outcome.cause)")
                return
            }
            #expect(why.contains("no OriginateResponse"))
            #expect(outcome.wasQueued)
        }
    }

    @Test func unsafeRequestsAreRefusedBeforeSending() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server) { client in
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            var request = try Self.request()
            request.variables.append(.init("FAXLINE_NOTE", "x,FAXLINE_SESSION=hijacked"))
            await #expect(throws: OriginateRequestError.self) { try await client.originate(request) }
            #expect(await server.originates.isEmpty)
        }
    }

    @Test func originateWhileDownFailsFastAndRecoversAfterRestart() async throws {
        let server = try await TestAMIServer.start()
        let port = await server.port
        try await Self.withClient(server) { client in
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            let restart = Task { try await server.restart(downtime: .milliseconds(600)) }

            let down = try await Self.waitForState(client) {
                if case .down = $0 { return true } else { return false }
            }
            guard case .down(_, let since) = down else { return }
            #expect(since <= Date())
            let clock = ContinuousClock()
            let start = clock.now
            let whileDown = try await client.originate(Self.request())
            #expect(whileDown.cause == .amiDown)
            #expect(!whileDown.wasQueued)
            #expect(clock.now - start < .milliseconds(500), "fails fast instead of waiting for Asterisk")

            try await restart.value
            #expect(await server.port == port)
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            #expect(await server.successfulLogins == 2)
            #expect(await server.connectionsAccepted == 2, "refused attempts never reached the server")

            let afterRecovery = try await client.originate(Self.request())
            #expect(afterRecovery.cause == .answered)
            #expect(await server.originates.count == 1)
        }
    }

    @Test func reconnectAttemptsBackOff() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server) { client in
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            await server.stopListening()
            await server.dropAllConnections()
            // Backoff 50 ms doubling to 400 ms (±20 %): about 50+100+200+400+400 ms for five
            // failures, so within 1.2 s there are at least 4 and far fewer than 24 (every 50 ms).
            try await Task.sleep(for: .milliseconds(1200))
            let status = await client.status()
            #expect(status.failedAttempts >= 4)
            #expect(status.failedAttempts <= 9)
            guard case .down(let reason, _) = status.state else {
                Issue.record("expected down, got \(status.state)")
                return
            }
            #expect(reason.contains("cannot connect") || reason.contains("connection"))
            try await server.startListening()
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            #expect(await client.status().failedAttempts == 0)
        }
    }

    @Test func callInFlightWhenTheConnectionDropsIsAMIDownButQueued() async throws {
        let server = try await TestAMIServer.start()
        await server.enqueueOriginateScripts([.noResponse])
        try await Self.withClient(server) { client in
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            async let outcome = client.originate(Self.request())
            _ = try await server.waitForOriginates(count: 1)
            try await Task.sleep(for: .milliseconds(50))
            await server.dropAllConnections()
            let result = try await outcome
            #expect(result.cause == .amiDown)
            #expect(result.wasQueued, "Asterisk had accepted the call; it may still be running")
        }
    }

    @Test func eventsReachSubscribers() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server) { client in
            let events = await client.events()
            try await client.waitUntilLoggedIn(timeout: .seconds(10))
            await server.sendEvent(AMIMessage(["Event": "Hangup", "Channel": "PJSIP/trunk-1", "Uniqueid": "99.1", "Cause": "16"]))
            var iterator = events.makeAsyncIterator()
            var seen: [AMIMessage] = []
            while let event = await iterator.next() {
                seen.append(event)
                if event.isEvent("Hangup") { break }
            }
            #expect(seen.last?["Cause"] == "16")
            #expect(seen.contains { $0.isEvent("FullyBooted") })
        }
    }

    @Test func gracefulShutdownOfTheServiceGroupLogsOff() async throws {
        let server = try await TestAMIServer.start()
        let client = AMIClient(configuration: await Self.configuration(for: server), logger: Self.quietLogger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [client], logger: Self.quietLogger))
        let running = Task { try await group.run() }
        try await client.waitUntilLoggedIn(timeout: .seconds(10))
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(await server.logoffCount == 1)
        #expect(await client.currentState == .stopped)
        await server.shutdown()
    }

    @Test func stopLogsOffAndEndsStreams() async throws {
        let server = try await TestAMIServer.start()
        let client = AMIClient(configuration: await Self.configuration(for: server), logger: Self.quietLogger)
        let running = Task { try await client.run() }
        try await client.waitUntilLoggedIn(timeout: .seconds(10))
        let events = await client.events()
        await client.stop()
        try await running.value
        #expect(await client.currentState == .stopped)
        #expect(await server.logoffCount == 1)
        var iterator = events.makeAsyncIterator()
        while await iterator.next() != nil {}
        let outcome = try await client.originate(Self.request())
        #expect(outcome.cause == .amiDown)
        await server.shutdown()
    }
}

actor HookRecorder {
    private(set) var calls: [TestAMIServer.RecordedOriginate] = []

    func record(_ call: TestAMIServer.RecordedOriginate) {
        calls.append(call)
    }
}
