import Testing

@testable import FaxEngine

/// What the far end sends about itself (its station id, quoted again in spandsp's log lines)
/// reaches results, records and logs without control characters.
@Suite("The far end's text")
struct RemoteTextTests {
    @Test func aStationIDWithTerminalEscapesLosesThem() {
        let hostile = "+1 555\u{1B}[2J\u{1B}]0;owned\u{07}0100"
        let cleaned = hostile.withCString { T30Monitor.remoteText($0) }
        #expect(cleaned == "+1 555[2J]0;owned0100")
        // Our own station id is ours: read as it is.
        #expect("+1 555 0199".withCString { T30Monitor.text($0) } == "+1 555 0199")
        #expect(T30Monitor.remoteText(nil) == "")
    }
}
