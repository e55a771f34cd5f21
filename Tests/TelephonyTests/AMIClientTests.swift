import FaxTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import Telephony

/// The AMI client against a real AMI server on loopback, its timers on a test clock: time
/// moves only when a test moves it, and tests wait for what they can observe (the client's
/// status, the server's counters, a timer being set), never for time to pass.
@Suite("AMI client")
struct AMIClientTests {
    static let session = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    static let backoff = AMIReconnectBackoff(initialDelay: .seconds(1), maximumDelay: .seconds(4), jitter: 0)

    static func configuration(for server: TestAMIServer, secret: String? = nil) async -> AMIClientConfiguration {
        AMIClientConfiguration(
            host: "127.0.0.1", port: await server.port, username: server.username, secret: secret ?? server.secret,
            connectTimeout: .seconds(5), loginTimeout: .seconds(10), actionTimeout: .seconds(10),
            pingInterval: .seconds(20), pingTimeout: .seconds(5), originateResponseMargin: .seconds(30),
            hangupCauseGrace: .seconds(1), logoffTimeout: .seconds(2), backoff: backoff)
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "test.ami")
        logger.logLevel = .critical
        return logger
    }

    /// Runs a client against `server` in a service group for the duration of `body`, then
    /// shuts the group down gracefully (the client logs off) and stops the server.
    static func withClient(
        _ server: TestAMIServer, secret: String? = nil, adjust: (inout AMIClientConfiguration) -> Void = { _ in },
        _ body: (AMIClient, TestClock) async throws -> Void
    ) async throws {
        var configuration = await configuration(for: server, secret: secret)
        adjust(&configuration)
        let clock = TestClock()
        let client = AMIClient(configuration: configuration, clock: clock, logger: quietLogger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [client], logger: quietLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body(client, clock)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                await server.shutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await server.shutdown()
    }

    static func request(dialTimeout: Duration = .seconds(10)) throws -> OriginateRequest {
        OriginateRequest(
            channel: try AMIDialString.expand(template: "PJSIP/${NUMBER}@trunk", number: "5550100"),
            context: "faxline-outbound", exten: "s", callerID: AMICallerID(name: "Fax Room", number: "5550199"),
            dialTimeout: dialTimeout,
            variables: [.init("FAXLINE_SESSION", session), .init("FAXLINE_AUDIOSOCKET", "127.0.0.1:9092")])
    }

    /// Waits until the client's status satisfies `condition`.
    static func waitFor(
        _ client: AMIClient, _ what: Comment, _ condition: @escaping @Sendable (AMIStatus) -> Bool
    ) async throws {
        let reached = try await FaxTestSupport.eventually(tries: 2_000, every: .milliseconds(5)) { condition(client.status()) }
        try #require(reached, what)
    }

    static func waitUntilLoggedIn(_ client: AMIClient) async throws {
        try await waitFor(client, "logged in") { $0.state.isLoggedIn }
    }

    /// Waits until `count` timers are set to fire `delay` from now: the gate that says the
    /// client has acted on what it read, before a test moves the clock.
    static func waitForTimer(_ clock: TestClock, in delay: Duration, count: Int = 1) async throws {
        let set = try await FaxTestSupport.eventually(tries: 2_000, every: .milliseconds(5)) {
            let deadline = clock.now.advanced(by: delay)
            return clock.pendingDeadlines.filter { $0 == deadline }.count >= count
        }
        try #require(set, "no timer set for \(delay) from now")
    }

    static func isDown(_ status: AMIStatus, because fragment: String) -> Bool {
        if case .down(let reason, _) = status.state { return reason.contains(fragment) }
        return false
    }

    // MARK: - Connection

    @Test func logsInAndReportsTheAsteriskVersion() async throws {
        let server = try await TestAMIServer.start(version: "7.0.3")
        try await Self.withClient(server) { client, _ in
            try await Self.waitUntilLoggedIn(client)
            #expect(await client.currentState == .loggedIn(asteriskVersion: "7.0.3"))
            #expect(client.status().failedAttempts == 0 && client.status().nextAttempt == nil)
            #expect(await server.successfulLogins == 1)
        }
        #expect(await server.logoffCount == 1, "a graceful shutdown logs off")
    }

    @Test func badSecretIsReportedAndRetriedWithBackoff() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server, secret: "wrong") { client, clock in
            try await Self.waitFor(client, "refused once") { $0.failedAttempts == 1 }
            #expect(Self.isDown(client.status(), because: "login refused (Authentication failed)"))
            #expect(client.status().nextAttempt != nil)
            clock.advance(by: .seconds(1))
            try await Self.waitFor(client, "refused twice") { $0.failedAttempts == 2 }
            #expect(await server.failedLogins == 2)
            #expect(await server.successfulLogins == 0)

            let outcome = try await client.originate(Self.request())
            #expect(outcome.cause == .amiDown && !outcome.wasQueued)
            #expect(await server.originates.isEmpty)
        }
    }

    @Test func pingsAsKeepalive() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server) { client, clock in
            try await Self.waitUntilLoggedIn(client)
            for count in 1...3 {
                try await Self.waitForTimer(clock, in: .seconds(20))
                clock.advance(by: .seconds(20))
                try await server.waitUntil("\(count) Pings") { $0.pingCount == count }
            }
            #expect(await server.successfulLogins == 1)
        }
    }

    @Test func missedPongMakesTheClientReconnect() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server) { client, clock in
            try await Self.waitUntilLoggedIn(client)
            await server.setAnswersPings(false)
            clock.advance(by: .seconds(20))
            try await server.waitUntil("a Ping") { $0.pingCount == 1 }
            clock.advance(by: .seconds(5))
            try await Self.waitFor(client, "down for the missed Pong") { Self.isDown($0, because: "did not answer a Ping within 5.0 seconds") }
            await server.setAnswersPings(true)
            clock.advance(by: .seconds(1))
            try await server.waitForLogins(count: 2)
            try await Self.waitUntilLoggedIn(client)
        }
    }

    @Test func reconnectAttemptsBackOffAndResetOnLogin() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server) { client, clock in
            try await Self.waitUntilLoggedIn(client)
            await server.shutdown()
            for (attempt, delay) in [(1, Duration.seconds(1)), (2, .seconds(2)), (3, .seconds(4)), (4, .seconds(4))] {
                try await Self.waitFor(client, "attempt \(attempt) failed") { $0.failedAttempts == attempt }
                try await Self.waitForTimer(clock, in: delay)
                if attempt == 4 { try await server.startListening() }
                clock.advance(by: delay)
            }
            try await Self.waitUntilLoggedIn(client)
            #expect(client.status().failedAttempts == 0)
            #expect(await server.connectionsAccepted == 2, "refused attempts never reached the server")
        }
    }

    @Test func downFailsFastAndRecoversAfterAsteriskReturns() async throws {
        let server = try await TestAMIServer.start()
        let port = await server.port
        try await Self.withClient(server) { client, clock in
            try await Self.waitUntilLoggedIn(client)
            let before = Date()
            await server.shutdown()
            try await Self.waitFor(client, "down") { !$0.state.isLoggedIn && $0.failedAttempts == 1 }
            guard case .down(let reason, let since) = client.status().state else { return }
            #expect(reason.contains("connection"))
            #expect(since >= before, "down since the session ended")

            let whileDown = try await client.originate(Self.request())
            #expect(whileDown.cause == .amiDown && !whileDown.wasQueued)
            #expect(try await client.hangUp(channelID: UUID()) == .managerDown)

            try await server.startListening()
            #expect(await server.port == port)
            clock.advance(by: .seconds(1))
            try await Self.waitUntilLoggedIn(client)
            #expect(try await client.originate(Self.request()).cause == .answered)
            #expect(await server.originates.count == 1)
        }
    }

    @Test func aClientThatIsNotRunningAnswersAtOnce() async throws {
        let server = try await TestAMIServer.start()
        let client = AMIClient(configuration: await Self.configuration(for: server), clock: TestClock(), logger: Self.quietLogger)
        #expect(try await client.originate(Self.request()).cause == .amiDown)
        #expect(try await client.hangUp(channelID: UUID()) == .managerDown)
        guard case .down(let reason, _) = await client.currentState else {
            Issue.record("expected down before run()")
            return
        }
        #expect(reason == "not started")
        await server.shutdown()
    }

    // MARK: - Originate

    @Test func answeredCallRunsTheAnswerHookFirst() async throws {
        let hookCalls = HookRecorder()
        let server = try await TestAMIServer.start(onAnswer: { call in await hookCalls.record(call) })
        try await Self.withClient(server) { client, _ in
            try await Self.waitUntilLoggedIn(client)
            let request = try Self.request(dialTimeout: .seconds(40))
            let outcome = try await client.originate(request)
            #expect(outcome.cause == .answered)
            #expect(outcome.wasQueued && outcome.reason == 4)
            #expect(outcome.channelID == request.channelID)
            #expect(outcome.uniqueID == request.channelID.uuidString.lowercased())
            #expect(outcome.channel?.hasPrefix("PJSIP/5550100@trunk-") == true)

            let calls = await hookCalls.calls
            let call = try #require(await server.originates.first)
            #expect(calls == [call])
            #expect(call.actionID == outcome.actionID)
            #expect(call.action["ChannelId"] == request.channelID.uuidString.lowercased())
            #expect(call.uniqueID == request.channelID.uuidString.lowercased())
            #expect(call.channel == "PJSIP/5550100@trunk")
            #expect(call.context == "faxline-outbound")
            #expect(call.exten == "s")
            #expect(call.timeout == 40_000)
            #expect(call.callerID == "\"Fax Room\" <5550199>")
            #expect(call.variables == ["FAXLINE_SESSION": Self.session, "FAXLINE_AUDIOSOCKET": "127.0.0.1:9092"])
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
        try await Self.withClient(server) { client, _ in
            try await Self.waitUntilLoggedIn(client)
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
        try await Self.withClient(server) { client, clock in
            try await Self.waitUntilLoggedIn(client)

            let rejected = try await client.originate(Self.request())
            #expect(rejected.cause == .failed("hangup cause 21 (call rejected)"))
            #expect(await server.pingCount == 1, "a vague failure is settled after a Ping shows Asterisk still runs")

            // No channel, so no Hangup: the client waits `hangupCauseGrace` for it.
            async let unavailable = client.originate(Self.request())
            try await Self.waitForTimer(clock, in: .seconds(1))
            clock.advance(by: .seconds(1))
            let noChannel = try await unavailable
            #expect(noChannel.cause == .failed("Asterisk could not place the call (no channel, or dialing failed)"))
            #expect(noChannel.reason == 0 && noChannel.hangupCause == nil)
            #expect(noChannel.channel == "PJSIP/5550100@trunk")

            let refused = try await client.originate(Self.request())
            #expect(refused.cause == .failed("Asterisk refused the Originate: Extension does not exist."))
            #expect(!refused.wasQueued)
            #expect(await server.originates.count == 3)
        }
    }

    @Test func missingOriginateResponseTimesOut() async throws {
        let server = try await TestAMIServer.start()
        await server.enqueueOriginateScripts([.ring])
        try await Self.withClient(server) { client, clock in
            try await Self.waitUntilLoggedIn(client)
            async let outcome = client.originate(Self.request(dialTimeout: .seconds(10)))
            try await Self.waitForTimer(clock, in: .seconds(40))
            clock.advance(by: .seconds(40))
            let result = try await outcome
            #expect(result.cause == .failed("no OriginateResponse from Asterisk within 40.0 seconds"))
            #expect(result.wasQueued)
        }
    }

    @Test func unsafeRequestsAreRefusedBeforeSending() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server) { client, _ in
            try await Self.waitUntilLoggedIn(client)
            var request = try Self.request()
            request.variables.append(.init("FAXLINE_NOTE", "x,FAXLINE_SESSION=hijacked"))
            await #expect(throws: OriginateRequestError.self) { try await client.originate(request) }
            #expect(await server.originates.isEmpty)
        }
    }

    @Test func callInFlightWhenTheConnectionDropsIsManagerDownButQueued() async throws {
        let server = try await TestAMIServer.start()
        await server.enqueueOriginateScripts([.ring])
        try await Self.withClient(server) { client, clock in
            try await Self.waitUntilLoggedIn(client)
            async let outcome = client.originate(Self.request())
            try await Self.waitForTimer(clock, in: .seconds(40))
            await server.dropAllConnections()
            let result = try await outcome
            #expect(result.cause == .amiDown)
            #expect(result.wasQueued, "Asterisk had accepted the call; it may still be running")
        }
    }

    @Test func aCancelledCallerStopsWaiting() async throws {
        let server = try await TestAMIServer.start()
        await server.enqueueOriginateScripts([.ring])
        try await Self.withClient(server) { client, _ in
            try await Self.waitUntilLoggedIn(client)
            try await withThrowingTaskGroup(of: OriginateOutcome.self) { group in
                group.addTask { try await client.originate(Self.request()) }
                _ = try await server.waitForOriginates(count: 1)
                group.cancelAll()
                await #expect(throws: CancellationError.self) { try await group.next() }
            }
        }
    }

    // MARK: - Asterisk shutting down

    /// `core restart now`: the calls being dialed are hung up and end with a vague
    /// `OriginateResponse`; none of them may count as a failed dial.
    @Test func callsRingingWhenAsteriskStopsEndAsManagerDown() async throws {
        let server = try await TestAMIServer.start()
        await server.enqueueOriginateScripts([.ring, .ring, .ring])
        try await Self.withClient(server) { client, clock in
            try await Self.waitUntilLoggedIn(client)
            async let first = client.originate(Self.request())
            async let second = client.originate(Self.request())
            async let third = client.originate(Self.request())
            _ = try await server.waitForOriginates(count: 3)
            await server.beginShutdown()
            let outcomes = try await [first, second, third]
            #expect(outcomes.map(\.cause) == [.amiDown, .amiDown, .amiDown])
            #expect(outcomes.map(\.wasQueued) == [true, true, true])
            #expect(outcomes.allSatisfy { $0.reason == 0 }, "each saw its OriginateResponse Failure, Reason 0")
            try await Self.waitFor(client, "down") { Self.isDown($0, because: "Asterisk is shutting down") }

            // Reconnecting meanwhile: Login is refused for the shutdown, not for the secret.
            clock.advance(by: .seconds(1))
            try await Self.waitFor(client, "second attempt") { $0.failedAttempts == 2 }
            #expect(Self.isDown(client.status(), because: "Asterisk is shutting down"))
            #expect(await server.failedLogins == 0)

            await server.finishShutdown(restart: true)
            #expect(try await client.originate(Self.request()).cause == .amiDown)
            try await server.startListening()
            clock.advance(by: .seconds(2))
            try await Self.waitUntilLoggedIn(client)
            #expect(await server.originates.count == 3)
        }
    }

    @Test func anOriginateRefusedForShutdownIsManagerDown() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server) { client, _ in
            try await Self.waitUntilLoggedIn(client)
            await server.beginShutdown()
            let outcome = try await client.originate(Self.request())
            #expect(outcome.cause == .amiDown && !outcome.wasQueued)
            #expect(await server.refusedWhileShuttingDown == 1)
            try await Self.waitFor(client, "down") { Self.isDown($0, because: "Asterisk is shutting down") }
        }
    }

    @Test func theShutdownEventEndsPendingCalls() async throws {
        let server = try await TestAMIServer.start()
        await server.enqueueOriginateScripts([.ring])
        try await Self.withClient(server) { client, _ in
            try await Self.waitUntilLoggedIn(client)
            async let outcome = client.originate(Self.request())
            _ = try await server.waitForOriginates(count: 1)
            await server.finishShutdown(restart: true)
            let result = try await outcome
            #expect(result.cause == .amiDown && result.wasQueued)
            try await Self.waitFor(client, "down") { Self.isDown($0, because: "Asterisk is restarting") }
        }
    }

    // MARK: - Hang-up

    @Test func hangingUpARingingCallEndsItAsCancelled() async throws {
        let server = try await TestAMIServer.start()
        await server.enqueueOriginateScripts([.ring])
        try await Self.withClient(server) { client, _ in
            try await Self.waitUntilLoggedIn(client)
            let request = try Self.request()
            async let outcome = client.originate(request)
            let call = try #require(try await server.waitForOriginates(count: 1).first)
            #expect(try await client.hangUp(channelID: request.channelID) == .hungUp)
            let result = try await outcome
            #expect(result.cause == .cancelled)
            #expect(result.wasQueued)
            let hangups = await server.hangupRequests
            #expect(hangups.count == 1)
            #expect(hangups.allSatisfy { $0 == call.channelName || $0 == call.uniqueID })
        }
    }

    @Test func hangingUpAnAnsweredCall() async throws {
        let server = try await TestAMIServer.start()
        try await Self.withClient(server) { client, _ in
            try await Self.waitUntilLoggedIn(client)
            let request = try Self.request()
            #expect(try await client.originate(request).cause == .answered)
            #expect(try await client.hangUp(channelID: request.channelID) == .hungUp)
            #expect(await server.hangupRequests == [request.channelID.uuidString.lowercased()])
            #expect(try await client.hangUp(channelID: request.channelID) == .alreadyEnded)
        }
    }

    @Test func aHangUpRefusedByAsteriskSaysWhy() async throws {
        let server = try await TestAMIServer.start()
        await server.setPermitsHangup(false)
        try await Self.withClient(server) { client, _ in
            try await Self.waitUntilLoggedIn(client)
            let request = try Self.request()
            _ = try await client.originate(request)
            #expect(try await client.hangUp(channelID: request.channelID) == .refused("Permission denied"))
        }
    }

    // MARK: - Service

    @Test func gracefulShutdownLogsOffAndEndsPendingCalls() async throws {
        let server = try await TestAMIServer.start()
        await server.enqueueOriginateScripts([.ring])
        let client = AMIClient(configuration: await Self.configuration(for: server), clock: TestClock(), logger: Self.quietLogger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [client], logger: Self.quietLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Self.waitUntilLoggedIn(client)
            async let outcome = client.originate(Self.request())
            _ = try await server.waitForOriginates(count: 1)
            await group.triggerGracefulShutdown()
            #expect(try await outcome.cause == .amiDown)
            try await tasks.waitForAll()
        }
        #expect(await server.logoffCount == 1)
        #expect(await client.currentState == .stopped)
        #expect(try await client.originate(Self.request()).cause == .amiDown, "after stopping, at once")
        await server.shutdown()
    }

    @Test func cancellingTheServiceStopsWithoutLogoff() async throws {
        let server = try await TestAMIServer.start()
        let client = AMIClient(configuration: await Self.configuration(for: server), clock: TestClock(), logger: Self.quietLogger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await client.run() }
            try await Self.waitUntilLoggedIn(client)
            tasks.cancelAll()
            try await tasks.waitForAll()
        }
        #expect(await client.currentState == .stopped)
        #expect(await server.logoffCount == 0)
        await server.shutdown()
    }
}

actor HookRecorder {
    private(set) var calls: [TestAMIServer.RecordedOriginate] = []

    func record(_ call: TestAMIServer.RecordedOriginate) {
        calls.append(call)
    }
}
