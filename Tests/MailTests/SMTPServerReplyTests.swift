import Mail
import Testing

@Suite("SMTP replies: cleaned and cut to their line limit")
struct SMTPServerReplyTests {
    /// Found by the `smtp` fuzz target (Fuzz/Findings/smtp/reply-line-cut-past-its-limit): a
    /// refusal quoting a 500-byte RCPT parameter was cut to 400 bytes and then got "..." added.
    @Test("a line over the limit is cut with \"...\" to exactly the limit; one at the limit is kept whole")
    func longLinesAreCutWithinTheLimit() {
        let limit = SMTPServerReply.maximumLineLength
        let long = SMTPServerReply(555, nil, "unknown parameter " + String(repeating: "]", count: 500))
        #expect(long.lines[0].utf8.count == limit)
        #expect(long.lines[0].hasSuffix("]..."))
        let exact = String(repeating: "a", count: limit)
        #expect(SMTPServerReply(250, nil, exact).lines == [exact])
        let oneOver = exact + "b"
        #expect(SMTPServerReply(250, nil, oneOver).lines == [String(repeating: "a", count: limit - 3) + "..."])
    }

    @Test("control characters become spaces and other bytes '?'")
    func cleaned() {
        let reply = SMTPServerReply(550, nil, "bad\r\nname\u{7F} é")
        #expect(reply.lines == ["bad  name  ?"])
    }
}
