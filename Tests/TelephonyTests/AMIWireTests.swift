import NIOCore
import Testing

@testable import Telephony

@Suite("AMI wire format")
struct AMIWireTests {
    static let session = Array(
        ("Asterisk Call Manager/5.0.1\r\n"
            + "Response: Success\r\nActionID: faxline-1\r\nMessage: Authentication accepted\r\n\r\n"
            + "Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n"
            + "Event: OriginateResponse\r\nPrivilege: call,all\r\nActionID: faxline-2\r\nResponse: Failure\r\n"
            + "Channel: PJSIP/5550100@trunk\r\nReason: 5\r\nUniqueid: <null>\r\n\r\n"
            + "Response: Success\r\nActionID: faxline-3\r\nOutput: line one\r\nOutput: line two\r\nEmpty:\r\n\r\n").utf8)

    static func expectSessionFrames(_ frames: [AMIFrame]) {
        #expect(frames.count == 5)
        #expect(frames.first == .banner(version: "5.0.1"))
        guard frames.count == 5,
            case .message(let login) = frames[1], case .message(let booted) = frames[2],
            case .message(let originate) = frames[3], case .message(let output) = frames[4]
        else {
            Issue.record("unexpected frames \(frames)")
            return
        }
        #expect(login.kind == .response("Success"))
        #expect(login.actionID == "faxline-1")
        #expect(booted.kind == .event("FullyBooted"))
        #expect(originate.kind == .event("OriginateResponse"))
        #expect(originate["reason"] == "5")
        #expect(originate["UNIQUEID"] == "<null>")
        #expect(output.values(for: "output") == ["line one", "line two"])
        #expect(output["Empty"] == "")
    }

    @Test func decodesWholeSession() throws {
        var decoder = AMIDecoder()
        decoder.append(contentsOf: Self.session)
        Self.expectSessionFrames(try decoder.drain())
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func decodesEverySplitInTwo() throws {
        for split in 0...Self.session.count {
            var decoder = AMIDecoder()
            decoder.append(contentsOf: Self.session[..<split])
            var frames = try decoder.drain()
            decoder.append(contentsOf: Self.session[split...])
            frames += try decoder.drain()
            Self.expectSessionFrames(frames)
        }
    }

    @Test func decodesByteByByte() throws {
        var decoder = AMIDecoder()
        var frames: [AMIFrame] = []
        for byte in Self.session {
            decoder.append(contentsOf: [byte])
            frames += try decoder.drain()
        }
        Self.expectSessionFrames(frames)
    }

    @Test func decodesFromByteBuffers() throws {
        var decoder = AMIDecoder()
        var frames: [AMIFrame] = []
        for chunk in stride(from: 0, to: Self.session.count, by: 7) {
            decoder.append(ByteBuffer(bytes: Self.session[chunk..<min(chunk + 7, Self.session.count)]))
            frames += try decoder.drain()
        }
        Self.expectSessionFrames(frames)
    }

    @Test func acceptsBareLineFeedsAndSkipsBlankLines() throws {
        var decoder = AMIDecoder(expectsBanner: false)
        decoder.append(contentsOf: "\r\n\nEvent: Hangup\nCause: 16\nCause-txt: Normal Clearing\n\n".utf8)
        let frames = try decoder.drain()
        #expect(frames == [.message(AMIMessage(["Event": "Hangup", "Cause": "16", "Cause-txt": "Normal Clearing"]))])
    }

    @Test func keepsLinesWithoutColonAndSpacesInValues() throws {
        var decoder = AMIDecoder(expectsBanner: false)
        decoder.append(contentsOf: "Response: Follows\r\nraw output\r\nKey:   padded value: with colon\r\n\r\n".utf8)
        let frames = try decoder.drain()
        guard case .message(let message)? = frames.first else {
            Issue.record("no message")
            return
        }
        #expect(message.fields[1] == AMIMessage.Field(key: "", value: "raw output"))
        #expect(message["key"] == "padded value: with colon")
    }

    @Test func rejectsPeerThatIsNotAsterisk() {
        var decoder = AMIDecoder()
        decoder.append(contentsOf: "SSH-2.0-OpenSSH_9.2\r\n".utf8)
        #expect(throws: AMIWireError.notAnAMIBanner("SSH-2.0-OpenSSH_9.2")) { try decoder.next() }
    }

    @Test func limitsLineLength() throws {
        var decoder = AMIDecoder(limits: AMIDecoderLimits(maxLineLength: 16), expectsBanner: false)
        decoder.append(contentsOf: "Event: ".utf8)
        #expect(try decoder.next() == nil)
        decoder.append(contentsOf: Array(repeating: UInt8(ascii: "x"), count: 20))
        #expect(throws: AMIWireError.lineTooLong(limit: 16)) { try decoder.next() }

        var complete = AMIDecoder(limits: AMIDecoderLimits(maxLineLength: 16), expectsBanner: false)
        complete.append(contentsOf: "Event: 0123456789ab\r\n".utf8)
        #expect(throws: AMIWireError.lineTooLong(limit: 16)) { try complete.next() }
    }

    @Test func limitsFieldsPerMessage() throws {
        var decoder = AMIDecoder(limits: AMIDecoderLimits(maxFieldsPerMessage: 3), expectsBanner: false)
        decoder.append(contentsOf: "A: 1\r\nB: 2\r\nC: 3\r\n\r\n".utf8)
        #expect(try decoder.drain().count == 1)
        decoder.append(contentsOf: "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n".utf8)
        #expect(throws: AMIWireError.tooManyFields(limit: 3)) { try decoder.drain() }
    }

    @Test func limitsMessageSize() throws {
        var decoder = AMIDecoder(limits: AMIDecoderLimits(maxMessageBytes: 40), expectsBanner: false)
        decoder.append(contentsOf: "Variable: 0123456789\r\n".utf8)
        #expect(try decoder.next() == nil)
        decoder.append(contentsOf: "Variable: 0123456789\r\n".utf8)
        #expect(throws: AMIWireError.messageTooLarge(limit: 40)) { try decoder.next() }
    }

    @Test func decodingStaysLinearByteByByte() throws {
        // 2000 messages fed a byte at a time; quadratic rescanning would take far longer.
        let one = Array("Event: VarSet\r\nVariable: FAXLINE_SESSION\r\nValue: 0123456789abcdef\r\n\r\n".utf8)
        var decoder = AMIDecoder(expectsBanner: false)
        var count = 0
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for _ in 0..<2000 {
                for byte in one {
                    decoder.append(contentsOf: CollectionOfOne(byte))
                    if try decoder.next() != nil { count += 1 }
                }
            }
        }
        #expect(count == 2000)
        #expect(elapsed < .seconds(20))
    }

    @Test func messageLookupIsCaseInsensitiveAndOrdered() {
        var message = AMIMessage(["Action": "Originate", "Variable": "A=1", "variable": "B=2"])
        #expect(message["ACTION"] == "Originate")
        #expect(message.values(for: "VARIABLE") == ["A=1", "B=2"])
        message.set("actionid", "x")
        message.set("Variable", "C=3")
        #expect(message.fields.map(\.key) == ["Action", "Variable", "actionid"])
        #expect(message.values(for: "variable") == ["C=3"])
        message.removeAll("ACTIONID")
        #expect(!message.contains("ActionID"))
        #expect(message.kind == .action("Originate"))
    }

    @Test func descriptionMasksTheSecret() {
        let login = AMIMessage(["Action": "Login", "Username": "faxline", "Secret": "hunter2"])
        #expect(!login.description.contains("hunter2"))
        #expect(login.description.contains("faxline"))
    }

    @Test func encodesAndDecodesBack() throws {
        let message = AMIMessage([
            "Action": "Originate", "ActionID": "faxline-9", "Channel": "PJSIP/5550100@trunk",
            "CallerID": "\"Fax Room\" <5550199>", "Variable": "FAXLINE_SESSION=8e2b", "Variable": "FAXLINE_JOB=12",
            "Async": "true",
        ])
        let bytes = try AMIEncoder.encode(message)
        #expect(String(buffer: bytes).hasSuffix("Async: true\r\n\r\n"))
        var decoder = AMIDecoder(expectsBanner: false)
        decoder.append(bytes)
        #expect(try decoder.drain() == [.message(message)])
    }

    @Test(arguments: [
        ("Channel", "PJSIP/1@trunk\r\nAction: Command"),
        ("CallerID", "Evil\nApplication: System"),
        ("Variable", "A=1\rData: rm -rf /"),
        ("Exten", "100\u{0}"),
        ("Context", "default\r\n\r\nAction: Logoff"),
    ])
    func encoderRefusesInjectedLinesInValues(key: String, value: String) {
        let message = AMIMessage(fields: [.init(key: "Action", value: "Originate"), .init(key: key, value: value)])
        #expect(throws: AMIWireError.self) { try AMIEncoder.encode(message) }
    }

    @Test(arguments: ["Action\r\nEvil", "Chan nel", "Key:Value", "", "Ta\tb"])
    func encoderRefusesBadKeys(key: String) {
        let message = AMIMessage(fields: [.init(key: key, value: "x")])
        #expect(throws: AMIWireError.self) { try AMIEncoder.encode(message) }
    }

    @Test func encoderRefusesEmptyMessage() {
        #expect(throws: AMIWireError.emptyMessage) { try AMIEncoder.encode(AMIMessage()) }
    }

    @Test func bannerRoundTrips() throws {
        var decoder = AMIDecoder()
        decoder.append(try AMIEncoder.encodeBanner(version: "2.10.5"))
        #expect(try decoder.next() == .banner(version: "2.10.5"))
        #expect(throws: AMIWireError.self) { try AMIEncoder.encodeBanner(version: "1\r\nResponse: Success") }
    }
}
