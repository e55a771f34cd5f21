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

    /// Decodes `chunks` as ByteToMessageHandler would, the error as a value.
    static func decode(
        _ chunks: [[UInt8]], limits: AMIDecoderLimits = AMIDecoderLimits(), expectsBanner: Bool = false
    ) -> Result<[AMIFrame], AMIWireError> {
        do {
            return .success(try AGITestSupport.decode(AMIDecoder(limits: limits, expectsBanner: expectsBanner), chunks: chunks))
        } catch let error as AMIWireError {
            return .failure(error)
        } catch {
            Issue.record("unexpected error \(error)")
            return .success([])
        }
    }

    @Test func decodesTheSessionOnEveryChunking() throws {
        let chunkings = AGITestSupport.chunkings(of: Self.session)
        #expect(chunkings.count == Self.session.count + 1)
        for chunks in chunkings {
            Self.expectSessionFrames(try AGITestSupport.decode(AMIDecoder(), chunks: chunks))
        }
    }

    @Test func acceptsBareLineFeedsAndSkipsBlankLines() throws {
        let bytes = Array("\r\n\nEvent: Hangup\nCause: 16\nCause-txt: Normal Clearing\n\n".utf8)
        for chunks in AGITestSupport.chunkings(of: bytes) {
            let frames = try AGITestSupport.decode(AMIDecoder(expectsBanner: false), chunks: chunks)
            #expect(frames == [.message(AMIMessage(["Event": "Hangup", "Cause": "16", "Cause-txt": "Normal Clearing"]))])
        }
    }

    @Test func keepsLinesWithoutColonAndColonsInValues() throws {
        let bytes = Array(
            "Response: Follows\r\nraw output\r\nKey:   padded value: with colon\r\nVariable: FAXLINE_AUDIOSOCKET=[::1]:9092\r\n\r\n".utf8)
        for chunks in AGITestSupport.chunkings(of: bytes) {
            let frames = try AGITestSupport.decode(AMIDecoder(expectsBanner: false), chunks: chunks)
            guard case .message(let message)? = frames.first, frames.count == 1 else {
                Issue.record("expected one message, got \(frames)")
                return
            }
            #expect(message.fields[1] == AMIMessage.Field(key: "", value: "raw output"))
            #expect(message["key"] == "padded value: with colon")
            #expect(message["Variable"] == "FAXLINE_AUDIOSOCKET=[::1]:9092")
        }
    }

    @Test func rejectsPeerThatIsNotAsterisk() {
        for chunks in AGITestSupport.chunkings(of: Array("SSH-2.0-OpenSSH_9.2\r\n".utf8)) {
            #expect(Self.decode(chunks, expectsBanner: true) == .failure(.notAnAMIBanner("SSH-2.0-OpenSSH_9.2")))
        }
    }

    @Test func limitsLineLengthEvenBeforeTheLineEnds() {
        let limits = AMIDecoderLimits(maxLineLength: 16)
        for text in ["Event: 0123456789ab\r\n", "Event: 0123456789ab\n", "Event: 0123456789abcdefgh"] {
            for chunks in AGITestSupport.chunkings(of: Array(text.utf8)) {
                #expect(Self.decode(chunks, limits: limits) == .failure(.lineTooLong(limit: 16)))
            }
        }
        // Exactly the limit passes, with either line ending.
        for ending in ["\n", "\r\n"] {
            let text = Array(("Event: 012345678" + ending + ending).utf8)
            for chunks in AGITestSupport.chunkings(of: text) {
                #expect(Self.decode(chunks, limits: limits) == .success([
                    .message(AMIMessage(["Event": "012345678"])),
                ]))
            }
        }
        // The banner line has the same limit, and unbounded input is refused before its end.
        var decoder = AMIDecoder(limits: limits)
        var buffer = ByteBuffer(string: "Asterisk Call Manager/")
        #expect(throws: AMIWireError.lineTooLong(limit: 16)) { try decoder.decode(buffer: &buffer) }
    }

    @Test func limitsFieldsPerMessage() {
        let limits = AMIDecoderLimits(maxFieldsPerMessage: 3)
        let allowed = Array("A: 1\r\nB: 2\r\nC: 3\r\n\r\n".utf8)
        let tooMany = Array("A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n".utf8)
        for chunks in AGITestSupport.chunkings(of: allowed) {
            #expect((try? Self.decode(chunks, limits: limits).get().count) == 1)
        }
        for chunks in AGITestSupport.chunkings(of: allowed + tooMany) {
            #expect(Self.decode(chunks, limits: limits) == .failure(.tooManyFields(limit: 3)))
        }
    }

    @Test func limitsMessageSize() {
        let limits = AMIDecoderLimits(maxMessageBytes: 40)
        let bytes = Array("Variable: 0123456789\r\nVariable: 0123456789\r\n".utf8)
        for chunks in AGITestSupport.chunkings(of: bytes) {
            #expect(Self.decode(chunks, limits: limits) == .failure(.messageTooLarge(limit: 40)))
        }
        // Counted per message: many small messages pass.
        let small = Array(String(repeating: "Variable: 0123456789\r\n\r\n", count: 10).utf8)
        #expect((try? Self.decode([small], limits: limits).get().count) == 10)
    }

    /// Found by fuzzing: a read that ended between the CR and LF of the blank line closing a
    /// message of exactly the size limit counted the CR into the message and refused it.
    @Test func messageOfExactlyTheSizeLimitPassesOnEverySplit() {
        let bytes = Array("Variable: 0123456789\r\n\r\n".utf8)
        let limits = AMIDecoderLimits(maxMessageBytes: 22)
        for chunks in AGITestSupport.chunkings(of: bytes) {
            #expect(Self.decode(chunks, limits: limits) == .success([.message(AMIMessage(["Variable": "0123456789"]))]))
        }
    }

    @Test func reportsAMessageCutOffByTheEnd() {
        for chunks in AGITestSupport.chunkings(of: Array("Event: Hangup\r\nCause: 1".utf8)) {
            #expect(Self.decode(chunks) == .failure(.truncatedMessage))
        }
        for chunks in AGITestSupport.chunkings(of: Array("Event: Hangup\r\n".utf8)) {
            #expect(Self.decode(chunks) == .failure(.truncatedMessage))
        }
    }

    @Test func decodingStaysLinearByteByByte() throws {
        // 2000 messages fed a byte at a time; quadratic rescanning would take far longer.
        let one = Array("Event: VarSet\r\nVariable: FAXLINE_SESSION\r\nValue: 0123456789abcdef\r\n\r\n".utf8)
        let bytes = Array(repeatElement(one, count: 2000).joined())
        let clock = ContinuousClock()
        var frames: [AMIFrame] = []
        let elapsed = try clock.measure {
            frames = try AGITestSupport.decode(AMIDecoder(expectsBanner: false), chunks: bytes.map { [$0] })
        }
        #expect(frames.count == 2000)
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
        #expect(try AGITestSupport.decode(AMIDecoder(expectsBanner: false), chunks: [Array(bytes.readableBytesView)]) == [.message(message)])
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
        let banner = try AMIEncoder.encodeBanner(version: "2.10.5")
        #expect(try AGITestSupport.decode(AMIDecoder(), chunks: [Array(banner.readableBytesView)]) == [.banner(version: "2.10.5")])
        #expect(throws: AMIWireError.self) { try AMIEncoder.encodeBanner(version: "1\r\nResponse: Success") }
    }
}
