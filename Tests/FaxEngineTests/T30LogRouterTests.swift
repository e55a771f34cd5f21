import FaxCore
import Testing

@testable import FaxEngine

/// spandsp's log lines reach the session whose tag they carry, read from their bytes: the
/// route id, the message without its line end, and the message's text with nothing a terminal
/// would act on.
@Suite("T.30 log lines")
struct T30LogRouterTests {
    private func split(_ line: String) -> (id: Int, message: String)? {
        Array(line.utf8).withUnsafeBufferPointer { bytes in
            T30LogRouter.split(bytes).map { ($0.id, T30LogRouter.text(of: $0.message)) }
        }
    }

    @Test func aTaggedLineGivesItsRouteAndMessage() throws {
        let line = try #require(split("fx42 Rx DIS\n"))
        #expect(line.id == 42)
        #expect(line.message == "Rx DIS")
        let tagOfOwn = try #require(split(T30LogRouter.tag(for: 7) + " Tx DCS\r\n"))
        #expect(tagOfOwn.id == 7)
        #expect(tagOfOwn.message == "Tx DCS")
        #expect(split("fx3 ")?.message == "")
        #expect(split("fx3 \n\n")?.message == "")
    }

    @Test func linesWithoutATagAreNobodys() {
        for line in ["", "fx", "fx ", "fx12", "fy12 text", "fx1a text", "x12 text", "fx99999999999999999999999 text"] {
            #expect(split(line) == nil, "\(line)")
        }
    }

    @Test func theMessageLosesWhatATerminalWouldActOnAsUntrustedTextDoes() throws {
        for message in ["Remote station 'ACME\u{1B}[2J FAX'", "bidi \u{202E}evil\u{202C}", "tab\there", "ümlaut ok", "plain ASCII 0-9"] {
            let line = try #require(split("fx5 " + message))
            #expect(line.message == UntrustedText.cleaned(message), "\(message)")
        }
    }

    @Test func anECMPageDataFrameIsTwoLinesOfItsOwnAndNoOther() {
        func kind(_ message: String) -> T30Monitor.PageDataLine? {
            Array(message.utf8).withUnsafeBufferPointer { T30Monitor.pageDataLine($0[...]) }
        }
        #expect(kind("Rx:  ff 03 06 00 ff ff 3f 75") == .hexDump)
        #expect(kind("Tx:  ff 13 06 1f 00 00") == .hexDump)
        #expect(kind("Rx: FCD without final frame tag") == .decode)
        #expect(kind("Tx:  FCD with final frame tag") == .decode)
        for other in ["Rx:  ff 03 86", "Rx: RCP without final frame tag", "Tx:  ff 13 83 00", "Rx:  ff 13 06", "Stop none (0 remaining)",
                      "  Error correcting mode: Not set", "Rx:  ff 03 060", ""] {
            #expect(kind(other) == nil, "\(other)")
        }
    }
}
