import Foundation
import NIOCore
import Testing

@testable import Telephony

@Suite("AGI commands")
struct AGICommandTests {
    static func asteriskWords(_ line: String) -> [String] {
        AGICommand.words(of: line)
    }

    @Test func splitsWordsLikeResAGI() {
        #expect(AGICommand.words(of: "SET VARIABLE X \"a b\"") == ["SET", "VARIABLE", "X", "a b"])
        #expect(AGICommand.words(of: "VERBOSE \"\" 1") == ["VERBOSE", "", "1"])
        #expect(AGICommand.words(of: "A  b\\ c \"d\\\"e\"") == ["A", "b c", "d\"e"])
        #expect(AGICommand.words(of: "\tEXEC\tDial  \"x\"") == ["EXEC", "Dial", "x"])
        #expect(AGICommand.words(of: "a\"b c\"d") == ["ab cd"])
        #expect(AGICommand.words(of: "") == [])
    }

    static let hostileTexts = [
        "x\"\nHANGUP",
        "x\" \nEXEC System \"rm -rf /",
        "\\\"\r\nHANGUP\r\n",
        "\\",
        "a\\\\\"b",
        "\"",
        "tab\there",
        "nul\u{0}byte",
        "esc\u{1B}[31mred",
        "c1\u{85}next line",
        "line\u{2028}separator",
        "Müller \"Fax\" GmbH ☎",
        "",
        "   ",
        "${SHELL(id)}",
    ]

    static func withoutControlCharacters(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.filter {
                    ![.control, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory)
                }))
    }

    static func expectSingleLine(_ command: AGICommand) {
        let bytes = Array(command.encoded().readableBytesView)
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(bytes.filter { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }.count == 1)
        #expect(!bytes.contains { $0 < 0x20 && $0 != UInt8(ascii: "\n") })
    }

    @Test func fixedCommands() throws {
        #expect(AGICommand.answer.text == "ANSWER")
        #expect(AGICommand.hangup.text == "HANGUP")
        #expect(try AGICommand.setVariable("FAXSTATUS", "FAILED").text == "SET VARIABLE FAXSTATUS \"FAILED\"")
        #expect(try AGICommand.setVariable("FAXOPT(gateway)", "yes").text == "SET VARIABLE FAXOPT(gateway) \"yes\"")
        #expect(try AGICommand.getVariable("FAXLINE_SESSION").text == "GET VARIABLE FAXLINE_SESSION")
        #expect(try AGICommand.verbose("faxline: hello", level: 3).text == "VERBOSE \"faxline: hello\" 3")
        #expect(try AGICommand.exec("Wait", "1").text == "EXEC Wait \"1\"")
        #expect(try AGICommand.exec("Answer").text == "EXEC Answer")
        #expect(String(buffer: AGICommand.answer.encoded()) == "ANSWER\n")
    }

    @Test func audioSocketCommands() throws {
        let uuid = UUID(uuidString: "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0")!
        let exec = try AGICommand.audioSocket(uuid: uuid, host: "127.0.0.1", port: 9092)
        #expect(exec.text == "EXEC AudioSocket \"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0,127.0.0.1:9092\"")
        #expect(Self.asteriskWords(exec.text) == ["EXEC", "AudioSocket", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0,127.0.0.1:9092"])
        let dial = try AGICommand.dialAudioSocket(uuid: uuid, host: "127.0.0.1", port: 9092)
        #expect(dial.text == "EXEC Dial \"AudioSocket/127.0.0.1:9092/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/c(slin)\"")
        #expect(try AGICommand.audioSocket(uuid: uuid, host: "::1", port: 9092).text.hasSuffix(",[::1]:9092\""))
        #expect(throws: AGICommandError.invalidHost("127.0.0.1,x")) {
            try AGICommand.audioSocket(uuid: uuid, host: "127.0.0.1,x", port: 9092)
        }
        #expect(throws: AGICommandError.invalidHost("")) { try AGICommand.audioSocket(uuid: uuid, host: "", port: 9092) }
        #expect(throws: AGICommandError.invalidPort(0)) { try AGICommand.audioSocket(uuid: uuid, host: "h", port: 0) }
        #expect(throws: AGICommandError.invalidPort(70000)) { try AGICommand.dialAudioSocket(uuid: uuid, host: "h", port: 70000) }
    }

    @Test(arguments: hostileTexts)
    func hostileTextStaysOneArgumentOfOneCommand(text: String) throws {
        let cleaned = Self.withoutControlCharacters(text)
        let set = try AGICommand.setVariable("CALLERIDNAME_SEEN", text)
        Self.expectSingleLine(set)
        #expect(Self.asteriskWords(set.text) == ["SET", "VARIABLE", "CALLERIDNAME_SEEN", cleaned])

        let verbose = try AGICommand.verbose("fax from \(text)", level: 1)
        Self.expectSingleLine(verbose)
        #expect(Self.asteriskWords(verbose.text) == ["VERBOSE", "fax from \(cleaned)", "1"])

        if !cleaned.contains("${") {
            let exec = try AGICommand.exec("NoOp", text)
            Self.expectSingleLine(exec)
            let words = Self.asteriskWords(exec.text)
            #expect(words == (cleaned.isEmpty ? ["EXEC", "NoOp"] : ["EXEC", "NoOp", cleaned]))
        }
    }

    @Test func quotingEscapesBackslashAndQuote() {
        #expect(AGICommand.quoted("a\"b\\c") == "\"a\\\"b\\\\c\"")
        #expect(AGICommand.quoted("line\r\nbreak") == "\"linebreak\"")
    }

    @Test(arguments: ["", "FAX STATUS", "X\nHANGUP", "1ABC", "X\"", "A;B", "X\\", "${X}", String(repeating: "A", count: 81)])
    func invalidVariableNames(name: String) {
        #expect(throws: AGICommandError.invalidVariableName(name)) { try AGICommand.setVariable(name, "v") }
        #expect(throws: AGICommandError.invalidVariableName(name)) { try AGICommand.getVariable(name) }
    }

    @Test(arguments: ["", "Dial,x", "Sys tem", "System\n", "App(x)", "9Lives"])
    func invalidApplications(name: String) {
        #expect(throws: AGICommandError.invalidApplication(name)) { try AGICommand.exec(name, "x") }
    }

    @Test func execRefusesDialplanExpressions() {
        #expect(throws: AGICommandError.expressionInArguments("${SHELL(id)}")) { try AGICommand.exec("NoOp", "${SHELL(id)}") }
        #expect(throws: AGICommandError.expressionInArguments("$[1+1]")) { try AGICommand.exec("NoOp", "$[1+1]") }
        // Removing a control character must not assemble an expression either.
        #expect(throws: AGICommandError.expressionInArguments("$\n{X}")) { try AGICommand.exec("NoOp", "$\n{X}") }
    }

    @Test func lengthLimit() throws {
        let fits = String(repeating: "v", count: AGICommand.maximumLength - "SET VARIABLE X \"\"".count)
        #expect(try AGICommand.setVariable("X", fits).text.utf8.count == AGICommand.maximumLength)
        let tooLong = fits + "v"
        #expect(throws: AGICommandError.tooLong(length: AGICommand.maximumLength + 1, limit: AGICommand.maximumLength)) {
            try AGICommand.setVariable("X", tooLong)
        }
        // Escaping counts: 1000 quotes become 2000 bytes.
        #expect(throws: AGICommandError.self) { try AGICommand.verbose(String(repeating: "\"", count: 1000)) }
    }

    @Test func verboseLevels() throws {
        for level in 1...4 { _ = try AGICommand.verbose("x", level: level) }
        #expect(throws: AGICommandError.invalidVerboseLevel(0)) { try AGICommand.verbose("x", level: 0) }
        #expect(throws: AGICommandError.invalidVerboseLevel(5)) { try AGICommand.verbose("x", level: 5) }
    }

    @Test func rawCommandsAreValidated() throws {
        #expect(try AGICommand.raw("CHANNEL STATUS").text == "CHANNEL STATUS")
        for bad in ["", "ANSWER\nHANGUP", "ANSWER\r", "X \\\"", "tab\there", "Ümlaut"] {
            #expect(throws: AGICommandError.invalidRawCommand(bad)) { try AGICommand.raw(bad) }
        }
        #expect(throws: AGICommandError.self) { try AGICommand.raw(String(repeating: "A", count: 2001)) }
    }

    @Test func errorsDescribeHostileInputSafely() {
        let description = AGICommandError.invalidVariableName("X\nHANGUP").description
        #expect(!description.contains("\n"))
        #expect(description.contains("\\n"))
    }
}
