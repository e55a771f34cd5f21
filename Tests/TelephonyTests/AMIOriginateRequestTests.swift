import Foundation
import NIOCore
import Testing

@testable import Telephony

@Suite("AMI Originate requests and outcomes")
struct AMIOriginateRequestTests {
    static let session = "6f1c1e8e-4f0b-4b8e-9d7a-2a3c1b0e5d44"

    static func request(number: String = "5550100", callerName: String? = "Fax Room") throws -> OriginateRequest {
        OriginateRequest(
            channel: try AMIDialString.expand(template: "PJSIP/${NUMBER}@trunk", number: number),
            context: "faxline-outbound", exten: "s", callerID: AMICallerID(name: callerName, number: "5550199"),
            dialTimeout: .seconds(45), variables: [.init("FAXLINE_SESSION", session)])
    }

    @Test func buildsTheOriginateAction() throws {
        let action = try Self.request().makeAction(actionID: "faxline-1")
        #expect(action["Action"] == "Originate")
        #expect(action.actionID == "faxline-1")
        #expect(action["Channel"] == "PJSIP/5550100@trunk")
        #expect(action["Context"] == "faxline-outbound")
        #expect(action["Exten"] == "s")
        #expect(action["Priority"] == "1")
        #expect(action["Timeout"] == "45000")
        #expect(action["CallerID"] == "\"Fax Room\" <5550199>")
        #expect(action.values(for: "Variable") == ["FAXLINE_SESSION=\(Self.session)"])
        #expect(action["Async"] == "true")
    }

    @Test func sendsTheChannelIDAsTheCallsUniqueid() throws {
        var request = try Self.request()
        request.channelID = try #require(UUID(uuidString: "1B4E28BA-2FA1-11D2-883F-0016D3CCA427"))
        let action = try request.makeAction(actionID: "faxline-1")
        #expect(action["ChannelId"] == "1b4e28ba-2fa1-11d2-883f-0016d3cca427")
        #expect(try Self.request().channelID != Self.request().channelID, "each request its own id")
    }

    /// The dialplan connects the answered call to `FAXLINE_AUDIOSOCKET` (host:port): a value
    /// with colons (and brackets) is just another variable, one line, read back whole.
    @Test(arguments: ["127.0.0.1:9092", "[::1]:9092", "[2001:db8::7]:9092", "faxline.example.net:9092"])
    func audioSocketAddressTravelsWhole(address: String) throws {
        var request = try Self.request()
        request.variables.append(.init("FAXLINE_AUDIOSOCKET", address))
        let action = try request.makeAction(actionID: "faxline-5")
        #expect(action.values(for: "Variable") == ["FAXLINE_SESSION=\(Self.session)", "FAXLINE_AUDIOSOCKET=\(address)"])
        let wire = try AMIEncoder.encode(action)
        #expect(String(buffer: wire).contains("\r\nVariable: FAXLINE_AUDIOSOCKET=\(address)\r\n"))
        for chunks in AGITestSupport.chunkings(of: Array(wire.readableBytesView)) {
            #expect(try AGITestSupport.decode(AMIDecoder(expectsBanner: false), chunks: chunks) == [.message(action)])
        }
    }

    @Test func dialStringKeepsOnlyTheNumber() throws {
        #expect(try AMIDialString.expand(template: "PJSIP/${NUMBER}@trunk", number: "+1 (555) 010-0199") == "PJSIP/+15550100199@trunk")
        #expect(try AMIDialString.expand(template: "Local/${NUMBER}@fax/n", number: "*31#0049") == "Local/*31#0049@fax/n")
    }

    @Test(arguments: [
        "5550100&PJSIP/9001@trunk",  // a second dial target
        "5550100,tT",  // Dial options
        "5550100@other",  // another endpoint
        "5550100/n",
        "5550100\r\nAction: Command",
        "555 0100; System(rm)",
        "",
        "+",
        "12+34",
        String(repeating: "1", count: 33),
    ])
    func dialStringRefusesWhatIsNotANumber(number: String) {
        #expect(throws: OriginateRequestError.self) {
            try AMIDialString.expand(template: "PJSIP/${NUMBER}@trunk", number: number)
        }
    }

    @Test func dialStringTemplateNeedsThePlaceholder() {
        #expect(throws: OriginateRequestError.self) { try AMIDialString.expand(template: "PJSIP/trunk", number: "1") }
    }

    @Test func callerIDNameCannotInjectHeaders() throws {
        let request = try Self.request(callerName: "Evil\r\nApplication: System\r\nData: rm -rf /")
        let action = try request.makeAction(actionID: "faxline-2")
        #expect(action["CallerID"] == "\"EvilApplication: SystemData: rm -rf /\" <5550199>")
        #expect(!action.contains("Application"))
        #expect(!action.contains("Data"))
        // And what goes on the wire is one header per field.
        let wire = String(buffer: try AMIEncoder.encode(action))
        #expect(wire.components(separatedBy: "\r\n").filter { $0.hasPrefix("Application") }.isEmpty)
    }

    @Test func callerIDNameLosesQuotesAndBrackets() throws {
        let callerID = AMICallerID(name: "  \"Boss\" <0800> \\ \u{2028}Office  ", number: "5550199")
        #expect(try callerID.headerValue() == "\"Boss 0800  Office\" <5550199>")
        #expect(try AMICallerID(name: "", number: "5550199").headerValue() == "<5550199>")
        #expect(try AMICallerID(name: String(repeating: "x", count: 100), number: "1").headerValue().count == 64 + 6)
    }

    @Test func callerIDNumberMustBeANumber() {
        #expect(throws: OriginateRequestError.self) {
            try AMICallerID(name: "x", number: "5550199> \"Other\" <1").headerValue()
        }
        #expect(throws: OriginateRequestError.self) { try AMICallerID(number: "555\r\n").headerValue() }
    }

    @Test(arguments: [
        ("FAXLINE_SESSION", "abc,FAXLINE_EVIL=1"),  // Asterisk splits Variable values at commas
        ("FAXLINE_SESSION", "abc|B=2"),
        ("FAXLINE_SESSION", "abc\r\nAction: Logoff"),
        ("FAXLINE_SESSION", "\"quoted\""),
        ("FAXLINE_SESSION", "back\\slash"),
        ("FAX LINE", "1"),
        ("A=B", "1"),
        ("1ABC", "1"),
        ("", "1"),
    ])
    func variablesCannotSmuggleOtherVariables(name: String, value: String) throws {
        var request = try Self.request()
        request.variables = [.init(name, value)]
        #expect(throws: OriginateRequestError.self) { try request.makeAction(actionID: "faxline-3") }
    }

    @Test func variablesKeepTheirOrder() throws {
        var request = try Self.request()
        request.variables = [.init("FAXLINE_SESSION", "s1"), .init("__FAXLINE_JOB", "42"), .init("FAXLINE_NOTE", "a=b c")]
        let action = try request.makeAction(actionID: "faxline-4")
        #expect(action.values(for: "Variable") == ["FAXLINE_SESSION=s1", "__FAXLINE_JOB=42", "FAXLINE_NOTE=a=b c"])
    }

    @Test func refusesBadChannelContextAndTimeout() throws {
        var request = try Self.request()
        request.channel = "PJSIP/1@trunk\nAction: Logoff"
        #expect(throws: OriginateRequestError.self) { try request.makeAction(actionID: "x") }
        request = try Self.request()
        request.channel = "5550100"
        #expect(throws: OriginateRequestError.self) { try request.makeAction(actionID: "x") }
        request = try Self.request()
        request.context = "faxline outbound"
        #expect(throws: OriginateRequestError.self) { try request.makeAction(actionID: "x") }
        request = try Self.request()
        request.exten = "s,1"
        #expect(throws: OriginateRequestError.self) { try request.makeAction(actionID: "x") }
        request = try Self.request()
        request.dialTimeout = .zero
        #expect(throws: OriginateRequestError.self) { try request.makeAction(actionID: "x") }
        request = try Self.request()
        request.priority = 0
        #expect(throws: OriginateRequestError.self) { try request.makeAction(actionID: "x") }
    }

    @Test func errorsReadWell() {
        let error = OriginateRequestError.invalidNumber(field: "number", number: "555&x")
        #expect(error.description.contains("is not a phone number"))
    }

    // MARK: - Outcome mapping

    @Test(arguments: [
        ("Success", 4, nil, DialFailureCause.answered),
        ("Failure", 5, nil, .busy),
        ("Failure", 3, nil, .noAnswer),
        ("Failure", 8, nil, .congestion),
        ("Failure", 1, 17, .busy),
        ("Failure", 1, 19, .noAnswer),
        ("Failure", 1, 18, .noAnswer),
        ("Failure", 1, 34, .congestion),
        ("Failure", 0, 38, .congestion),
        ("Failure", 0, 42, .congestion),
        ("failure", 5, 16, .busy),
    ] as [(String, Int, Int?, DialFailureCause)])
    func mapsAsteriskReasonsAndCauses(response: String, reason: Int, hangupCause: Int?, expected: DialFailureCause) {
        #expect(AsteriskDialOutcomes.cause(response: response, reason: reason, hangupCause: hangupCause) == expected)
    }

    @Test func unmappedOutcomesAreFailuresThatSayWhy() {
        guard case .failed(let unallocated) = AsteriskDialOutcomes.cause(response: "Failure", reason: 1, hangupCause: 1) else {
            Issue.record("cause 1 should be a failure")
            return
        }
        #expect(unallocated.contains("unallocated"))
        guard case .failed(let rejected) = AsteriskDialOutcomes.cause(response: "Failure", reason: 1, hangupCause: 21) else {
            Issue.record("cause 21 should be a failure")
            return
        }
        #expect(rejected.contains("rejected"))
        guard case .failed(let noChannel) = AsteriskDialOutcomes.cause(response: "Failure", reason: 0) else {
            Issue.record("reason 0 should be a failure")
            return
        }
        #expect(noChannel.contains("could not place"))
        guard case .failed = AsteriskDialOutcomes.cause(response: "Failure", reason: 4) else {
            Issue.record("Failure with reason 4 is not an answered call")
            return
        }
        guard case .failed(let unknown) = AsteriskDialOutcomes.cause(response: "Failure", reason: 1, hangupCause: 99, hangupCauseText: "Weird")
        else {
            Issue.record("unknown cause should be a failure")
            return
        }
        #expect(unknown.contains("99") && unknown.contains("Weird"))
    }

    // MARK: - Backoff

    @Test func backoffDoublesUpToTheCap() {
        var backoff = AMIReconnectBackoff(initialDelay: .milliseconds(500), maximumDelay: .seconds(30), jitter: 0)
        let delays = (0..<10).map { _ in backoff.nextDelay() }
        #expect(delays.prefix(7) == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30)])
        #expect(delays.suffix(3).allSatisfy { $0 == .seconds(30) })
        backoff.reset()
        #expect(backoff.nextDelay() == .milliseconds(500))
    }

    @Test func backoffJitterStaysInBounds() {
        var backoff = AMIReconnectBackoff(initialDelay: .seconds(1), maximumDelay: .seconds(30), jitter: 0.2)
        var seen = Set<Duration>()
        for _ in 0..<50 {
            backoff.reset()
            let delay = backoff.nextDelay()
            #expect(delay >= .milliseconds(800) && delay <= .milliseconds(1200))
            seen.insert(delay)
        }
        #expect(seen.count > 1)
    }
}
