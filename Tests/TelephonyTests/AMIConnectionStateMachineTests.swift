import Foundation
import Testing

@testable import Telephony

/// The connection's logic without I/O: inputs in, actions out.
@Suite("AMI connection state machine")
struct AMIConnectionStateMachineTests {
    typealias Machine = AMIConnectionStateMachine
    typealias Action = Machine.Action

    static let configuration = AMIClientConfiguration(
        username: "faxline", secret: "s3cret", loginTimeout: .seconds(10), actionTimeout: .seconds(10),
        pingInterval: .seconds(20), pingTimeout: .seconds(5), originateResponseMargin: .seconds(30),
        hangupCauseGrace: .milliseconds(500), logoffTimeout: .seconds(2),
        backoff: AMIReconnectBackoff(initialDelay: .seconds(1), maximumDelay: .seconds(4), jitter: 0))
    static let channelID = UUID(uuidString: "6f1c1e8e-4f0b-4b8e-9d7a-2a3c1b0e5d44")!
    static let uniqueID = channelID.uuidString.lowercased()
    static let channelName = "PJSIP/trunk-00000001"

    static func request(channelID: UUID = channelID) throws -> OriginateRequest {
        OriginateRequest(
            channel: "PJSIP/5550100@trunk", channelID: channelID, context: "faxline-outbound", dialTimeout: .seconds(60),
            variables: [.init("FAXLINE_SESSION", "s1")])
    }

    /// A machine that has sent its Login (`t-1`) on connection 1.
    static func loggingIn() -> Machine {
        var machine = Machine(configuration: configuration, actionIDPrefix: "t-")
        _ = machine.start()
        _ = machine.connected()
        _ = machine.frameReceived(.banner(version: "5.0.1"))
        return machine
    }

    /// A machine logged in on connection 1; its next ActionID is `t-2`.
    static func loggedIn() -> Machine {
        var machine = loggingIn()
        _ = machine.frameReceived(.message(response("t-1")))
        return machine
    }

    /// A machine logged in and dialing one call (request 1, Originate `t-2` queued); its next
    /// ActionID is `t-3`.
    static func dialing(channelKnown: Bool = false) throws -> Machine {
        var machine = loggedIn()
        _ = machine.originateRequested(try request(), id: 1)
        _ = machine.frameReceived(.message(response("t-2", message: "Originate successfully queued")))
        if channelKnown { _ = machine.frameReceived(.message(newchannel)) }
        return machine
    }

    static func response(_ actionID: String, _ value: String = "Success", message: String? = nil) -> AMIMessage {
        var response = AMIMessage(["Response": value, "ActionID": actionID])
        if let message { response.append("Message", message) }
        return response
    }

    static func originateResponse(_ actionID: String, success: Bool, reason: Int, channel: String = channelName) -> AMIMessage {
        AMIMessage([
            "Event": "OriginateResponse", "ActionID": actionID, "Response": success ? "Success" : "Failure",
            "Channel": channel, "Reason": String(reason), "Uniqueid": uniqueID,
        ])
    }

    static func hangupEvent(cause: Int, text: String) -> AMIMessage {
        AMIMessage(["Event": "Hangup", "Channel": channelName, "Uniqueid": uniqueID, "Cause": String(cause), "Cause-txt": text])
    }

    static let newchannel = AMIMessage(["Event": "Newchannel", "Channel": channelName, "Uniqueid": uniqueID])

    static func sent(_ actions: [Action]) -> [AMIMessage] {
        actions.compactMap { if case .send(let message) = $0 { return message } else { return nil } }
    }

    static func outcomes(_ actions: [Action]) -> [OriginateOutcome] {
        actions.compactMap { if case .finishOriginate(_, let outcome) = $0 { return outcome } else { return nil } }
    }

    static func status(_ actions: [Action]) -> Machine.Status? {
        actions.compactMap { if case .publish(let status) = $0 { return status } else { return nil } }.last
    }

    // MARK: - Connection

    @Test func connectsReadsTheBannerAndLogsIn() throws {
        var machine = Machine(configuration: Self.configuration, actionIDPrefix: "t-")
        #expect(machine.status.connection == .notStarted)
        #expect(machine.start() == [.connect, .publish(.init(connection: .connecting, failedAttempts: 0))])
        #expect(machine.connected() == [.startTimer(.login(connection: 1), after: .seconds(10))])

        let banner = machine.frameReceived(.banner(version: "5.0.1"))
        let login = try #require(Self.sent(banner).first)
        #expect(login == AMIMessage([
            "Action": "Login", "ActionID": "t-1", "Username": "faxline", "Secret": "s3cret", "Events": "call,system",
        ]))
        #expect(Self.status(banner)?.connection == .connected(version: "5.0.1"))

        #expect(machine.frameReceived(.message(Self.response("t-1", message: "Authentication accepted"))) == [
            .startTimer(.keepalive(connection: 1), after: .seconds(20)),
            .publish(.init(connection: .loggedIn(version: "5.0.1"), failedAttempts: 0)),
        ])
    }

    @Test func refusedLoginSaysWhyAndRetries() {
        var machine = Self.loggingIn()
        let actions = machine.frameReceived(.message(Self.response("t-1", "Error", message: "Authentication failed")))
        #expect(actions == [
            .close, .startTimer(.reconnect(attempt: 1), after: .seconds(1)),
            .publish(.init(
                connection: .down(reason: "Asterisk manager login refused (Authentication failed); check username and secret in manager.conf"),
                failedAttempts: 1, retryDelay: .seconds(1))),
        ])
        #expect(machine.timerFired(.reconnect(attempt: 1)).first == .connect)
    }

    @Test func aMissingBannerOrLoginTimesOut() {
        var machine = Machine(configuration: Self.configuration, actionIDPrefix: "t-")
        _ = machine.start()
        _ = machine.connected()
        let silent = machine.timerFired(.login(connection: 1))
        #expect(Self.status(silent)?.connection == .down(reason: "no answer from Asterisk to the banner within 10.0 seconds"))
        _ = machine.timerFired(.reconnect(attempt: 1))
        _ = machine.connected()
        #expect(machine.timerFired(.login(connection: 1)) == [], "a timer of an earlier connection fires into nothing")
        _ = machine.frameReceived(.banner(version: "5.0.1"))
        let noLogin = machine.timerFired(.login(connection: 2))
        #expect(Self.status(noLogin)?.connection == .down(reason: "no answer from Asterisk to Login within 10.0 seconds"))
    }

    @Test func pingsWhileLoggedInAndDropsTheConnectionWithoutPong() throws {
        var machine = Self.loggedIn()
        let ping = machine.timerFired(.keepalive(connection: 1))
        #expect(ping == [
            .send(AMIMessage(["Action": "Ping", "ActionID": "t-2"])), .startTimer(.response(actionID: "t-2"), after: .seconds(5)),
        ])
        #expect(machine.frameReceived(.message(Self.response("t-2"))) == [.startTimer(.keepalive(connection: 1), after: .seconds(20))])
        #expect(machine.timerFired(.response(actionID: "t-2")) == [], "answered: its timeout fires into nothing")

        _ = machine.timerFired(.keepalive(connection: 1))
        let missed = machine.timerFired(.response(actionID: "t-3"))
        #expect(missed.first == .close)
        #expect(Self.status(missed) == .init(
            connection: .down(reason: "Asterisk manager did not answer a Ping within 5.0 seconds"), failedAttempts: 1, retryDelay: .seconds(1)))
        #expect(machine.timerFired(.keepalive(connection: 1)) == [], "no Ping while down")
    }

    @Test func reconnectionBacksOffToTheCapAndResetsOnLogin() {
        var machine = Machine(configuration: Self.configuration, actionIDPrefix: "t-")
        _ = machine.start()
        var delays: [Duration] = []
        for attempt in 1...5 {
            let down = machine.connectFailed("cannot connect to 127.0.0.1:5038: connection refused")
            #expect(!down.contains(.close), "nothing to close when the connect failed")
            delays.append(Self.status(down)?.retryDelay ?? .zero)
            #expect(Self.status(down)?.failedAttempts == attempt)
            #expect(machine.timerFired(.reconnect(attempt: attempt)) == [
                .connect, .publish(.init(connection: .connecting, failedAttempts: attempt)),
            ])
        }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)])
        _ = machine.connected()
        _ = machine.frameReceived(.banner(version: "5.0.1"))
        let loggedIn = machine.frameReceived(.message(Self.response("t-1")))
        #expect(Self.status(loggedIn) == .init(connection: .loggedIn(version: "5.0.1"), failedAttempts: 0))
        #expect(Self.status(machine.connectionClosed("Asterisk closed the connection"))?.retryDelay == .seconds(1))
    }

    @Test func responsesAreMatchedByActionID() {
        var machine = Self.loggedIn()
        _ = machine.timerFired(.keepalive(connection: 1))
        #expect(machine.frameReceived(.message(Self.response("t-99"))) == [], "a response to nothing is ignored")
        #expect(machine.frameReceived(.message(Self.response("other-2"))) == [])
        #expect(machine.frameReceived(.message(Self.response("t-2"))) == [.startTimer(.keepalive(connection: 1), after: .seconds(20))])
    }

    // MARK: - Originate

    @Test func answeredCall() throws {
        var machine = Self.loggedIn()
        let send = machine.originateRequested(try Self.request(), id: 7)
        let originate = try #require(Self.sent(send).first)
        #expect(originate["Action"] == "Originate" && originate.actionID == "t-2")
        #expect(originate["ChannelId"] == Self.uniqueID)
        #expect(send.contains(.startTimer(.response(actionID: "t-2"), after: .seconds(10))))

        #expect(machine.frameReceived(.message(Self.response("t-2", message: "Originate successfully queued"))) == [
            .startTimer(.originateResponse(actionID: "t-2"), after: .seconds(90)),
        ])
        #expect(machine.frameReceived(.message(Self.newchannel)) == [])
        let answered = machine.frameReceived(.message(Self.originateResponse("t-2", success: true, reason: 4)))
        #expect(answered == [.finishOriginate(7, OriginateOutcome(
            cause: .answered, channelID: Self.channelID, actionID: "t-2", wasQueued: true, reason: 4, channel: Self.channelName,
            uniqueID: Self.uniqueID))])
        #expect(machine.timerFired(.originateResponse(actionID: "t-2")) == [])
    }

    @Test func aTellingReasonSettlesAtOnce() throws {
        var machine = try Self.dialing()
        _ = machine.frameReceived(.message(Self.hangupEvent(cause: 17, text: "User busy")))
        let busy = machine.frameReceived(.message(Self.originateResponse("t-2", success: false, reason: 5)))
        #expect(Self.sent(busy).isEmpty, "no probe needed")
        #expect(Self.outcomes(busy).map(\.cause) == [.busy])
        #expect(Self.outcomes(busy).first?.hangupCause == 17)
    }

    @Test func aVagueFailureIsSettledOnceAPingShowsAsteriskStillRuns() throws {
        var machine = try Self.dialing()
        let vague = machine.frameReceived(.message(Self.originateResponse("t-2", success: false, reason: 1)))
        #expect(vague == [
            .send(AMIMessage(["Action": "Ping", "ActionID": "t-3"])), .startTimer(.response(actionID: "t-3"), after: .seconds(5)),
            .startTimer(.hangupCauseGrace(actionID: "t-2"), after: .milliseconds(500)),
        ])
        #expect(machine.frameReceived(.message(Self.response("t-3"))) == [], "still waiting for the Hangup")
        let hangup = machine.frameReceived(.message(Self.hangupEvent(cause: 21, text: "Call Rejected")))
        let outcome = try #require(Self.outcomes(hangup).first)
        #expect(outcome.cause == .failed("hangup cause 21 (call rejected)"))
        #expect(outcome.wasQueued && outcome.reason == 1 && outcome.hangupCause == 21)
    }

    @Test func withoutAHangupTheGraceDecides() throws {
        var machine = try Self.dialing()
        _ = machine.frameReceived(.message(Self.originateResponse("t-2", success: false, reason: 0, channel: "PJSIP/5550100@trunk")))
        #expect(machine.timerFired(.hangupCauseGrace(actionID: "t-2")) == [], "the probe has not answered yet")
        let settled = machine.frameReceived(.message(Self.response("t-3")))
        #expect(Self.outcomes(settled).map(\.cause) == [.failed("Asterisk could not place the call (no channel, or dialing failed)")])
    }

    @Test func aTellingHangupCauseNeedsNoProbe() throws {
        var machine = try Self.dialing()
        _ = machine.frameReceived(.message(Self.originateResponse("t-2", success: false, reason: 1)))
        let hangup = machine.frameReceived(.message(Self.hangupEvent(cause: 34, text: "Circuit/channel congestion")))
        #expect(Self.outcomes(hangup).map(\.cause) == [.congestion])
        #expect(machine.frameReceived(.message(Self.response("t-3"))) == [], "the probe's answer comes to nothing")
    }

    @Test func refusedOriginateFailsWithAsterisksMessage() throws {
        var machine = Self.loggedIn()
        _ = machine.originateRequested(try Self.request(), id: 1)
        let refused = machine.frameReceived(.message(Self.response("t-2", "Error", message: "Extension does not exist.")))
        #expect(refused == [.finishOriginate(1, OriginateOutcome(
            cause: .failed("Asterisk refused the Originate: Extension does not exist."), channelID: Self.channelID, actionID: "t-2",
            wasQueued: false))])
    }

    @Test func overdueResponsesEndTheCall() throws {
        var machine = Self.loggedIn()
        _ = machine.originateRequested(try Self.request(), id: 1)
        #expect(Self.outcomes(machine.timerFired(.response(actionID: "t-2"))).map(\.cause) == [.amiDown])

        _ = machine.originateRequested(try Self.request(), id: 2)
        _ = machine.frameReceived(.message(Self.response("t-3")))
        let timedOut = Self.outcomes(machine.timerFired(.originateResponse(actionID: "t-3")))
        #expect(timedOut.map(\.cause) == [.failed("no OriginateResponse from Asterisk within 90.0 seconds")])
        #expect(timedOut.first?.wasQueued == true)
    }

    @Test func whileDownOriginateEndsAtOnce() throws {
        var machine = Machine(configuration: Self.configuration, actionIDPrefix: "t-")
        _ = machine.start()
        #expect(machine.originateRequested(try Self.request(), id: 3) == [.finishOriginate(3, OriginateOutcome(
            cause: .amiDown, channelID: Self.channelID, actionID: "", wasQueued: false))])
    }

    @Test func callsPendingWhenTheConnectionDropsAreManagerDown() throws {
        var machine = try Self.dialing()
        _ = machine.originateRequested(try Self.request(channelID: UUID()), id: 2)
        let lost = machine.connectionClosed("Asterisk closed the connection")
        #expect(Self.outcomes(lost).map(\.cause) == [.amiDown, .amiDown])
        #expect(Self.outcomes(lost).map(\.wasQueued) == [true, false])
        #expect(Self.status(lost)?.connection == .down(reason: "Asterisk closed the connection"))
    }

    // MARK: - Asterisk shutting down

    @Test func aRingingCallHungUpByShutdownIsManagerDown() throws {
        var machine = try Self.dialing(channelKnown: true)
        _ = machine.frameReceived(.message(Self.hangupEvent(cause: 0, text: "Unknown")))
        let vague = machine.frameReceived(.message(Self.originateResponse("t-2", success: false, reason: 0)))
        #expect(Self.sent(vague).map { $0["Action"] } == ["Ping"])
        let refused = machine.frameReceived(.message(Self.response("t-3", "Error", message: "Asterisk is shutting down")))
        let outcome = try #require(Self.outcomes(refused).first)
        #expect(outcome.cause == .amiDown)
        #expect(outcome.wasQueued && outcome.reason == 0)
        #expect(refused.contains(.close))
        #expect(Self.status(refused)?.connection == .down(reason: "Asterisk is shutting down"))
    }

    @Test func anOriginateRefusedForShutdownIsManagerDown() throws {
        var machine = Self.loggedIn()
        _ = machine.originateRequested(try Self.request(), id: 1)
        let refused = machine.frameReceived(.message(Self.response("t-2", "Error", message: "Asterisk is shutting down")))
        #expect(Self.outcomes(refused).map(\.cause) == [.amiDown])
        #expect(Self.outcomes(refused).first?.wasQueued == false)
        #expect(Self.status(refused)?.connection == .down(reason: "Asterisk is shutting down"))
    }

    @Test func aLoginRefusedForShutdownDoesNotBlameTheSecret() {
        var machine = Self.loggingIn()
        let refused = machine.frameReceived(.message(Self.response("t-1", "Error", message: "Asterisk is shutting down")))
        #expect(Self.status(refused)?.connection == .down(reason: "Asterisk is shutting down"))
    }

    @Test func theShutdownEventEndsEveryPendingCall() throws {
        var machine = try Self.dialing()
        let shutdown = machine.frameReceived(.message(AMIMessage([
            "Event": "Shutdown", "Privilege": "system,all", "Shutdown": "Cleanly", "Restart": "True",
        ])))
        #expect(Self.outcomes(shutdown).map(\.cause) == [.amiDown])
        #expect(shutdown.contains(.close))
        #expect(Self.status(shutdown)?.connection == .down(reason: "Asterisk is restarting"))
    }

    // MARK: - Hang-up

    @Test func aRingingCallIsHungUpByNameAndEndsCancelled() throws {
        var machine = try Self.dialing(channelKnown: true)
        let hangUp = machine.hangUpRequested(channelID: Self.channelID, id: 2)
        #expect(hangUp == [
            .send(AMIMessage(["Action": "Hangup", "ActionID": "t-3", "Channel": Self.channelName, "Cause": "16"])),
            .startTimer(.response(actionID: "t-3"), after: .seconds(10)),
        ])
        #expect(machine.frameReceived(.message(Self.response("t-3", message: "Channel Hungup"))) == [.finishHangUp(2, .hungUp)])
        _ = machine.frameReceived(.message(Self.hangupEvent(cause: 16, text: "Normal Clearing")))
        let ended = machine.frameReceived(.message(Self.originateResponse("t-2", success: false, reason: 0)))
        #expect(Self.sent(ended).isEmpty, "no probe for a call Faxline hung up")
        #expect(Self.outcomes(ended).map(\.cause) == [.cancelled])
    }

    @Test func aHangUpBeforeTheChannelExistsWaitsForIt() throws {
        var machine = Self.loggedIn()
        _ = machine.originateRequested(try Self.request(), id: 1)
        #expect(machine.hangUpRequested(channelID: Self.channelID, id: 2) == [], "not queued yet: no channel to hang up")
        let queued = machine.frameReceived(.message(Self.response("t-2")))
        #expect(queued.first == .startTimer(.originateResponse(actionID: "t-2"), after: .seconds(90)))
        #expect(Self.sent(queued).map { $0["Channel"] } == [Self.uniqueID], "by Uniqueid while the name is unknown")
        #expect(machine.frameReceived(.message(Self.response("t-3", "Error", message: "No such channel"))) == [])
        let created = machine.frameReceived(.message(Self.newchannel))
        #expect(Self.sent(created).map { $0["Channel"] } == [Self.channelName])
        #expect(machine.frameReceived(.message(Self.response("t-4"))) == [.finishHangUp(2, .hungUp)])
    }

    @Test func aCallAnsweredDespiteAHangUpIsHungUpAndCancelled() throws {
        var machine = Self.loggedIn()
        _ = machine.originateRequested(try Self.request(), id: 1)
        _ = machine.hangUpRequested(channelID: Self.channelID, id: 2)
        let answered = machine.frameReceived(.message(Self.originateResponse("t-2", success: true, reason: 4)))
        #expect(Self.sent(answered).map { $0["Channel"] } == [Self.channelName])
        #expect(Self.outcomes(answered).map(\.cause) == [.cancelled])
        #expect(machine.frameReceived(.message(Self.response("t-2"))) == [], "the Originate's late response comes to nothing")
        #expect(machine.frameReceived(.message(Self.response("t-3"))) == [.finishHangUp(2, .hungUp)])
    }

    @Test func hangingUpAnAnsweredOrUnknownCallUsesItsUniqueid() {
        var machine = Self.loggedIn()
        let hangUp = machine.hangUpRequested(channelID: Self.channelID, id: 5)
        #expect(Self.sent(hangUp).map { $0["Channel"] } == [Self.uniqueID])
        #expect(machine.frameReceived(.message(Self.response("t-2", "Error", message: "No such channel"))) == [
            .finishHangUp(5, .alreadyEnded),
        ])
        _ = machine.hangUpRequested(channelID: Self.channelID, id: 6)
        #expect(machine.frameReceived(.message(Self.response("t-3", "Error", message: "Permission denied"))) == [
            .finishHangUp(6, .refused("Permission denied")),
        ])
    }

    @Test func hangUpWhileDownOrLostIsManagerDown() throws {
        var machine = Machine(configuration: Self.configuration, actionIDPrefix: "t-")
        #expect(machine.hangUpRequested(channelID: Self.channelID, id: 1) == [.finishHangUp(1, .managerDown)])
        machine = Self.loggedIn()
        _ = machine.hangUpRequested(channelID: Self.channelID, id: 2)
        #expect(machine.connectionClosed("Asterisk closed the connection").contains(.finishHangUp(2, .managerDown)))
    }

    @Test func aCancelledCallerIsForgotten() throws {
        var machine = Self.loggedIn()
        _ = machine.originateRequested(try Self.request(), id: 1)
        #expect(machine.requestCancelled(1) == [])
        #expect(machine.frameReceived(.message(Self.response("t-2"))) == [])
        #expect(Self.outcomes(machine.connectionClosed("gone")).isEmpty)
    }

    // MARK: - Stop

    @Test func stopLogsOffAndEndsPendingCalls() throws {
        var machine = Self.loggedIn()
        _ = machine.originateRequested(try Self.request(), id: 1)
        let stop = machine.stopRequested(logoff: true)
        #expect(Self.outcomes(stop).map(\.cause) == [.amiDown])
        #expect(Self.sent(stop) == [AMIMessage(["Action": "Logoff", "ActionID": "t-3"])])
        #expect(machine.originateRequested(try Self.request(), id: 2).count == 1, "no Originate while logging off")
        let goodbye = machine.frameReceived(.message(Self.response("t-3", "Goodbye", message: "Thanks for all the fish.")))
        #expect(goodbye == [.close, .publish(.init(connection: .stopped, failedAttempts: 0)), .stop])
        #expect(machine.stopRequested(logoff: true) == [])
    }

    @Test func stopWithoutLogoffClosesAtOnce() {
        var machine = Self.loggedIn()
        #expect(machine.stopRequested(logoff: false) == [.close, .publish(.init(connection: .stopped, failedAttempts: 0)), .stop])
        var down = Machine(configuration: Self.configuration, actionIDPrefix: "t-")
        _ = down.start()
        _ = down.connectFailed("refused")
        #expect(down.stopRequested(logoff: true) == [.publish(.init(connection: .stopped, failedAttempts: 1)), .stop])
    }
}
