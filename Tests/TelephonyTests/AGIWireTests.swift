import NIOCore
import Testing

@testable import Telephony

@Suite("AGI wire format")
struct AGIWireTests {
    /// An environment the way Asterisk sends it, with both forms of an empty argument.
    static let environmentText =
        "agi_network: yes\n"
        + "agi_network_script: fax/inbound?device=201\n"
        + "agi_request: agi://127.0.0.1:4573/fax/inbound?device=201&note=a%20b\n"
        + "agi_channel: PJSIP/trunk-00000001\n"
        + "agi_language: en\n"
        + "agi_type: PJSIP\n"
        + "agi_uniqueid: 1700000000.42\n"
        + "agi_version: 20.5.0\n"
        + "agi_callerid: 0301234567\n"
        + "agi_calleridname: Müller: \"Fax\" Dept\n"
        + "agi_callingpres: 0\n"
        + "agi_dnid: 5550100\n"
        + "agi_rdnis: unknown\n"
        + "agi_context: faxline-inbound\n"
        + "agi_extension: 5550100\n"
        + "agi_priority: 1\n"
        + "agi_enhanced: 0.0\n"
        + "agi_accountcode:\n"
        + "agi_threadid: 140000000000\n"
        + "agi_arg_1: first\n"
        + "agi_arg_2: \n"
        + "agi_arg_3:\n"
        + "agi_arg_4:  two spaces\n"
        + "\n"

    static func expectEnvironment(_ environment: AGIEnvironment) {
        #expect(environment.variables.count == 23)
        #expect(environment.channel == "PJSIP/trunk-00000001")
        #expect(environment.uniqueID == "1700000000.42")
        #expect(environment.callerID == "0301234567")
        #expect(environment.callerIDName == "Müller: \"Fax\" Dept")
        #expect(environment.dnid == "5550100")
        #expect(environment.extension == "5550100")
        #expect(environment.context == "faxline-inbound")
        #expect(environment["agi_accountcode"] == "")
        #expect(environment["agi_missing"] == nil)
        #expect(environment.arguments == ["first", "", "", " two spaces"])
        let request = environment.request
        #expect(request?.scriptPath == "fax/inbound")
        #expect(request?[query: "device"] == "201")
        #expect(request?[query: "note"] == "a b")
        #expect(request?.queryItems.map(\.name) == ["device", "note"])
    }

    /// Lines through the line decoder, then the environment parser.
    static func parseEnvironment(chunks: [[UInt8]], limits: AGIEnvironmentParser.Limits = .init()) throws -> AGIEnvironment? {
        var parser = AGIEnvironmentParser(limits: limits)
        for line in try AGITestSupport.decode(AGILineDecoder(), chunks: chunks) {
            if let environment = try parser.feed(line: line) { return environment }
        }
        return nil
    }

    // MARK: Lines

    @Test func lineDecoderHandlesEveryChunking() throws {
        let text = Array("one\r\ntwo\n\nthree\r\n\r\nfour\n".utf8)
        for chunks in AGITestSupport.chunkings(of: text) {
            let lines = try AGITestSupport.decode(AGILineDecoder(maximumLineLength: 5), chunks: chunks)
            #expect(lines == ["one", "two", "", "three", "", "four"])
        }
    }

    @Test func lineDecoderAcceptsExactlyTheLimit() throws {
        for terminator in ["\n", "\r\n"] {
            let text = Array(("12345" + terminator).utf8)
            for chunks in AGITestSupport.chunkings(of: text) {
                #expect(try AGITestSupport.decode(AGILineDecoder(maximumLineLength: 5), chunks: chunks) == ["12345"])
            }
        }
    }

    @Test func lineDecoderRejectsLongLinesEvenWithoutTheirEnd() throws {
        for text in ["123456\n", "123456\r\n", "1234567"] {
            for chunks in AGITestSupport.chunkings(of: Array(text.utf8)) {
                #expect(throws: AGIProtocolError.lineTooLong(limit: 5)) {
                    try AGITestSupport.decode(AGILineDecoder(maximumLineLength: 5), chunks: chunks)
                }
            }
        }
        // A long line is refused before its end arrives: the decoder never buffers unbounded input.
        var decoder = AGILineDecoder(maximumLineLength: 5)
        var buffer = ByteBuffer(string: "1234567")
        #expect(throws: AGIProtocolError.lineTooLong(limit: 5)) { try decoder.decode(buffer: &buffer) }
    }

    @Test func lineDecoderReportsAnUnfinishedLineAtTheEnd() throws {
        #expect(throws: AGIProtocolError.incompleteLine) {
            try AGITestSupport.decode(AGILineDecoder(), chunks: [Array("done\npartial".utf8)])
        }
    }

    // MARK: Environment

    @Test func environmentParsesOnEveryChunking() throws {
        let bytes = Array(Self.environmentText.utf8)
        #expect(AGITestSupport.chunkings(of: bytes).count == bytes.count + 1)
        for chunks in AGITestSupport.chunkings(of: bytes) {
            let environment = try #require(try Self.parseEnvironment(chunks: chunks))
            Self.expectEnvironment(environment)
        }
    }

    @Test func environmentWithCRLFLines() throws {
        let text = Self.environmentText.replacingOccurrences(of: "\n", with: "\r\n")
        let environment = try #require(try Self.parseEnvironment(chunks: [Array(text.utf8)]))
        Self.expectEnvironment(environment)
    }

    @Test func environmentIsNotCompleteWithoutTheEmptyLine() throws {
        let text = String(Self.environmentText.dropLast())
        #expect(try Self.parseEnvironment(chunks: [Array(text.utf8)]) == nil)
    }

    @Test func environmentEncodesTheWayItParses() throws {
        let environment = try #require(try Self.parseEnvironment(chunks: [Array(Self.environmentText.utf8)]))
        let encoded = environment.encoded()
        let reparsed = try #require(try Self.parseEnvironment(chunks: [Array(encoded.readableBytesView)]))
        #expect(reparsed == environment)
        // Empty values come out as "key: ", which Asterisk also sends.
        #expect(String(buffer: encoded).contains("agi_arg_2: \n"))
    }

    @Test func environmentBuiltFromPairs() throws {
        let environment = try AGIEnvironment([
            "agi_request": "agi://127.0.0.1:4573/inbound",
            "agi_uniqueid": "1.2",
            "agi_arg_1": "",
        ])
        #expect(environment.request?.scriptPath == "inbound")
        #expect(environment.arguments == [""])
        #expect(throws: AGIProtocolError.invalidEnvironmentKey("request")) {
            try AGIEnvironment(["request": "x"])
        }
        #expect(throws: AGIProtocolError.invalidEnvironmentValue(key: "agi_callerid")) {
            try AGIEnvironment(["agi_callerid": "x\nHANGUP"])
        }
        #expect(throws: AGIProtocolError.duplicateEnvironmentKey("agi_arg_1")) {
            try AGIEnvironment(["agi_arg_1": "a", "agi_arg_1": "b"])
        }
    }

    @Test(arguments: [
        ("agi_channel PJSIP/1\n\n", AGIProtocolError.environmentLineWithoutColon("agi_channel PJSIP/1")),
        ("channel: PJSIP/1\n\n", AGIProtocolError.invalidEnvironmentKey("channel")),
        ("agi_: x\n\n", AGIProtocolError.invalidEnvironmentKey("agi_")),
        ("agi_chan nel: x\n\n", AGIProtocolError.invalidEnvironmentKey("agi_chan nel")),
        ("GET / HTTP/1.1\n\n", AGIProtocolError.environmentLineWithoutColon("GET / HTTP/1.1")),
        ("agi_x: 1\nagi_x: 2\n\n", AGIProtocolError.duplicateEnvironmentKey("agi_x")),
    ])
    func environmentRejectsMalformedLines(text: String, error: AGIProtocolError) throws {
        for chunks in AGITestSupport.chunkings(of: Array(text.utf8)) {
            #expect(throws: error) { try Self.parseEnvironment(chunks: chunks) }
        }
    }

    @Test func environmentLimits() throws {
        let manyLines = (1...5).map { "agi_arg_\($0): x\n" }.joined() + "\n"
        #expect(throws: AGIProtocolError.tooManyEnvironmentLines(limit: 4)) {
            try Self.parseEnvironment(chunks: [Array(manyLines.utf8)], limits: .init(maximumLines: 4))
        }
        #expect(try Self.parseEnvironment(chunks: [Array(manyLines.utf8)], limits: .init(maximumLines: 5)) != nil)
        let bigValues = (1...4).map { "agi_arg_\($0): \(String(repeating: "v", count: 40))\n" }.joined() + "\n"
        #expect(throws: AGIProtocolError.environmentTooLarge(limit: 100)) {
            try Self.parseEnvironment(chunks: [Array(bigValues.utf8)], limits: .init(maximumBytes: 100))
        }
        var parser = AGIEnvironmentParser(limits: .init(maximumLineLength: 10))
        #expect(throws: AGIProtocolError.lineTooLong(limit: 10)) { try parser.feed(line: "agi_x: 12345") }
    }

    @Test func requestURLs() throws {
        #expect(AGIRequest(url: "agi://127.0.0.1:4573/inbound")?.scriptPath == "inbound")
        #expect(AGIRequest(url: "agi://pbx/fax/inbound/")?.scriptPath == "fax/inbound")
        #expect(AGIRequest(url: "hagi://fax.example/inbound")?.scriptPath == "inbound")
        #expect(AGIRequest(url: "agi://127.0.0.1")?.scriptPath == "")
        #expect(AGIRequest(url: "agi://h/x?flag&k=v")?.queryItems == [.init(name: "flag", value: nil), .init(name: "k", value: "v")])
        #expect(AGIRequest(url: "/var/lib/asterisk/agi-bin/script.sh") == nil)
        #expect(AGIRequest(url: "http://127.0.0.1/inbound") == nil)
        #expect(AGIRequest(url: "agi://bad host/x") == nil)
    }

    // MARK: Responses

    static let replies: [AGIReply] = [
        .response(.success(AGIResult(result: 1))),
        .response(.success(AGIResult(result: 0, data: "timeout"))),
        .response(.success(AGIResult(result: 1, data: "value (with) parens) and spaces"))),
        .response(.success(AGIResult(result: 1, data: ""))),
        .response(.success(AGIResult(result: -1))),
        .response(.success(AGIResult(result: 0, endpos: 12345))),
        .response(.success(AGIResult(result: 48, data: "dtmf", endpos: 8000))),
        .hangup,
        .response(.invalidOrUnknownCommand),
        .response(.notPermittedOnDeadChannel),
        .response(.invalidSyntax(usage: [" Usage: SET VARIABLE <variablename> <value>", "  Sets a variable.", ""])),
        .response(.invalidSyntax(usage: [])),
    ]

    @Test func repliesParseOnEveryChunking() throws {
        let bytes = Array(Self.replies.map(\.encodedText).joined().utf8)
        for chunks in AGITestSupport.chunkings(of: bytes) {
            var parser = AGIReplyParser()
            var replies: [AGIReply] = []
            for line in try AGITestSupport.decode(AGILineDecoder(), chunks: chunks) {
                if let reply = try parser.feed(line: line) { replies.append(reply) }
            }
            #expect(replies == Self.replies)
        }
    }

    @Test func responsesAsAsteriskWritesThem() throws {
        #expect(try AGIResponse.parse("200 result=1\n") == .success(AGIResult(result: 1)))
        #expect(try AGIResponse.parse("200 result=1 (faxline)") == .success(AGIResult(result: 1, data: "faxline")))
        #expect(try AGIResponse.parse("200 result=-2\r\n").result == -2)
        #expect(try AGIResponse.parse("510 Invalid or unknown command\n") == .invalidOrUnknownCommand)
        #expect(try AGIResponse.parse("511 Command Not Permitted on a dead channel\n") == .notPermittedOnDeadChannel)
        let usage = "520-Invalid command syntax.  Proper usage follows:\nUsage: EXEC <application> <options>\n520 End of proper usage.\n"
        #expect(try AGIResponse.parse(usage) == .invalidSyntax(usage: ["Usage: EXEC <application> <options>"]))
        #expect(try AGIResponse.parse(usage).code == 520)
        #expect(try AGIResponse.parse("200 result=1 (x)").data == "x")
    }

    @Test(arguments: [
        "", "200", "200 ", "200 result=", "200 result=abc", "200 result=1(x)", "200 result=1 (x",
        "200 result=1 x", "200 result=1 endpos=", "200 result=1 endpos=x", "200 res=1", "300 result=1",
        "2000 result=1", "510-x", "hangup", "HANGUP ", "abc", "200 result=99999999999999999999",
    ])
    func malformedResponsesAreRejected(line: String) throws {
        var parser = AGIReplyParser()
        #expect(throws: AGIProtocolError.malformedResponse(line)) { try parser.feed(line: line) }
    }

    @Test func responseParseRejectsTrailingLinesAndHangupAlone() throws {
        #expect(throws: AGIProtocolError.self) { try AGIResponse.parse("200 result=1\n200 result=2\n") }
        #expect(throws: AGIProtocolError.self) { try AGIResponse.parse("HANGUP\n") }
        #expect(throws: AGIProtocolError.self) { try AGIResponse.parse("520-Invalid\nusage\n") }
    }

    @Test func usageTextIsLimited() throws {
        var parser = AGIReplyParser(limits: .init(maximumUsageLines: 2))
        #expect(try parser.feed(line: "520-Invalid command syntax.") == nil)
        #expect(try parser.feed(line: "a") == nil)
        #expect(try parser.feed(line: "b") == nil)
        #expect(throws: AGIProtocolError.usageTooLong(limit: 2)) { try parser.feed(line: "c") }
    }
}
